import type { AuditRequestInfo } from "@atom/domain/audit"
import { currentAuditRequest } from "@atom/services/audit"
import { type FiberId, FiberRef, FiberRefs, HashMap, type Runtime } from "effect"

/** Whether spans are recorded at all: startAtom turns the tracer off when no OTLP endpoint is configured. */
export const tracingEnabled = <R>(runtime: Runtime.Runtime<R>): boolean =>
  FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentTracerEnabled)

/**
 * `request_id` added to one annotations FiberRef. Made once: under tsx (keepNames) a named closure made
 * per request costs a defineProperty each time.
 */
const annotate = (
  fiberRef: FiberRef.FiberRef<HashMap.HashMap<string, unknown>>,
  from: FiberRefs.FiberRefs,
  fiberId: FiberId.Runtime,
  id: string,
): FiberRefs.FiberRefs =>
  FiberRefs.updateAs(from, {
    fiberId,
    fiberRef,
    value: HashMap.set(FiberRefs.getOrDefault(from, fiberRef), "request_id", id),
  })

/**
 * What `withAuditRequest` sets, written into a request's fiber as it is forked (`runFork`'s `updateRefs`)
 * instead of three `Effect.locally` around its work: the audit facts, and the request id on its log lines
 * (and on its spans when tracing is on).
 */
export const requestRefs =
  (info: AuditRequestInfo, tracing: boolean) =>
  (refs: FiberRefs.FiberRefs, fiberId: FiberId.Runtime): FiberRefs.FiberRefs => {
    const withInfo = FiberRefs.updateAs(refs, { fiberId, fiberRef: currentAuditRequest, value: info })
    const id = info.requestId
    if (id === undefined || id === null || id === "") return withInfo
    const logged = annotate(FiberRef.currentLogAnnotations, withInfo, fiberId, id)
    return tracing ? annotate(FiberRef.currentTracerSpanAnnotations, logged, fiberId, id) : logged
  }
