import { randomUUID } from "node:crypto"
import type { AuditRequestInfo } from "@atom/domain/audit"
import type { AtomError } from "@atom/domain/errors"
import { withAuditRequest } from "@atom/services/audit"
import * as grpc from "@grpc/grpc-js"
import { Cause, Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { INTERNAL, toWire } from "../errors/wire.js"
import { ATOM_SERVICES, type AtomServiceName, loadServiceDefinitions } from "./loadServices.js"

/** A unary RPC as an Effect of the decoded request and the call's metadata. */
export type UnaryMethod<R> = (request: unknown, metadata: grpc.Metadata) => Effect.Effect<object, AtomError, R>

/** Answers a call at once when all it needs is in memory; undefined sends the call down its `run` effect. */
export type ImmediateAnswer = (call: grpc.ServerUnaryCall<unknown, unknown>) => object | undefined

/**
 * A unary RPC whose warm calls need no effect: `prepare` runs once per server with its runtime, and what
 * it returns is tried first on every call. It is skipped while an exporting tracer is installed, so every
 * traced call has its spans.
 */
export interface ImmediateMethod<R> {
  readonly run: UnaryMethod<R>
  readonly prepare: (runtime: Runtime.Runtime<R>) => ImmediateAnswer
}

export type GrpcMethod<R> = UnaryMethod<R> | ImmediateMethod<R>

export type GrpcImplementations<R> = Partial<Record<AtomServiceName, Record<string, GrpcMethod<R>>>>

export interface GrpcServerOptions<R> {
  readonly host: string
  readonly port: number
  readonly runtime: Runtime.Runtime<R>
  readonly services: GrpcImplementations<R>
  readonly credentials: grpc.ServerCredentials
  readonly onDefect: (cause: Cause.Cause<unknown>, method: string) => void
}

export interface RunningGrpcServer {
  readonly port: number
  /** Flip every health status to SERVING (done last, once the server is bound). */
  readonly markServing: () => void
  readonly close: (deadlineMs: number) => Promise<void>
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** The peer's address without its port ("ipv4:10.0.0.1:5000", "[::1]:5000", "10.0.0.1:5000"). */
const peerAddress = (peer: string): string => {
  const bare = peer.replace(/^ipv[46]:/, "")
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare)
  if (bracketed?.[1] !== undefined) return bracketed[1]
  const colon = bare.lastIndexOf(":")
  return colon > 0 && bare.indexOf(":") === colon ? bare.slice(0, colon) : bare
}

const metadataText = (metadata: grpc.Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0]
  return typeof value === "string" ? value : undefined
}

/** One RPC's facts for audit events and log lines: peer address, user agent, request id. */
export const rpcRequestInfo = (call: grpc.ServerUnaryCall<unknown, unknown>): AuditRequestInfo => {
  const sent = metadataText(call.metadata, "x-request-id")
  return {
    clientIp: peerAddress(call.getPeer()),
    userAgent: metadataText(call.metadata, "user-agent"),
    requestId: sent !== undefined && REQUEST_ID.test(sent) ? sent : randomUUID(),
  }
}

/** One RPC's facts for audit events, log lines and its span. */
const rpcScope = (call: grpc.ServerUnaryCall<unknown, unknown>, method: string) => {
  const scoped = withAuditRequest(rpcRequestInfo(call))
  const span = { kind: "server", attributes: { "rpc.method": method }, captureStackTrace: false } as const
  return <A, E, R>(effect: Effect.Effect<A, E, R>) => scoped(Effect.withSpan(effect, `grpc ${method}`, span))
}

/** Whether the runtime exports spans (a tracer other than Effect's built-in one is installed). */
const exportsSpans = <R>(runtime: Runtime.Runtime<R>): boolean =>
  EffectRuntime.runSync(runtime)(Effect.tracer) !== Effect.runSync(Effect.tracer)

const SERVING = "SERVING"
const NOT_SERVING = "NOT_SERVING"

const unimplemented =
  (service: string, method: string): grpc.handleUnaryCall<unknown, unknown> =>
  (_call, cb) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: `${service}/${method} is not implemented yet` })

export const startGrpcServer = <R>(options: GrpcServerOptions<R>): Promise<RunningGrpcServer> => {
  const definitions = loadServiceDefinitions()
  const runFork = EffectRuntime.runFork(options.runtime)
  const immediateAllowed = !exportsSpans(options.runtime)
  // a defect in an immediate answer is logged and the call takes its effect instead
  const answerAtOnce = (immediate: ImmediateAnswer, call: grpc.ServerUnaryCall<unknown, unknown>, method: string) => {
    try {
      return immediate(call)
    } catch (defect) {
      options.onDefect(Cause.die(defect), method)
      return undefined
    }
  }
  const server = new grpc.Server({ "grpc.max_receive_message_length": 4 * 1024 * 1024 })

  // Health: the overall service "" plus each atom.v1 service (api.md §2.2)
  const health = new Map<string, string>([["", NOT_SERVING], ...ATOM_SERVICES.map((s) => [s, NOT_SERVING] as const)])
  const watchers = new Set<{ service: string; call: grpc.ServerWritableStream<{ service: string }, unknown> }>()
  const healthDef = definitions.get("grpc.health.v1.Health")!
  server.addService(healthDef, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const status = health.get(call.request.service)
      if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: "unknown service" })
      else cb(null, { status })
    },
    Watch: (call: grpc.ServerWritableStream<{ service: string }, unknown>) => {
      const entry = { service: call.request.service, call }
      call.write({ status: health.get(entry.service) ?? "SERVICE_UNKNOWN" })
      watchers.add(entry)
      call.once("cancelled", () => watchers.delete(entry))
      call.once("close", () => watchers.delete(entry))
    },
  })

  for (const name of ATOM_SERVICES) {
    const def = definitions.get(name)!
    const impl = options.services[name] ?? {}
    const handlers: grpc.UntypedServiceImplementation = {}
    for (const method of Object.keys(def)) {
      const implemented = impl[method]
      const run = typeof implemented === "function" ? implemented : implemented?.run
      const immediate =
        typeof implemented === "object" && immediateAllowed ? implemented.prepare(options.runtime) : undefined
      handlers[method] = run
        ? (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            if (immediate !== undefined) {
              const answer = answerAtOnce(immediate, call, `${name}/${method}`)
              if (answer !== undefined) return cb(null, answer)
            }
            const fiber = runFork(rpcScope(call, `${name}/${method}`)(run(call.request, call.metadata)))
            fiber.addObserver((exit) => {
              if (Exit.isSuccess(exit)) return cb(null, exit.value)
              const failure = Cause.failureOption(exit.cause)
              if (failure._tag === "Some") {
                const wire = toWire(failure.value)
                return cb({ code: wire.grpc, details: wire.message })
              }
              if (!Cause.isInterruptedOnly(exit.cause)) options.onDefect(exit.cause, `${name}/${method}`)
              cb({ code: INTERNAL.grpc, details: INTERNAL.message })
            })
            call.once("cancelled", () => runFork(fiber.interruptAsFork(fiber.id())))
          }
        : unimplemented(name, method)
    }
    server.addService(def, handlers)
  }

  const setAll = (status: string) => {
    for (const key of health.keys()) health.set(key, status)
    for (const w of watchers) w.call.write({ status: health.get(w.service) ?? "SERVICE_UNKNOWN" })
  }

  return new Promise((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, options.credentials, (err, port) => {
      if (err) return reject(err)
      resolve({
        port,
        markServing: () => setAll(SERVING),
        close: (deadlineMs) =>
          new Promise<void>((done) => {
            setAll(NOT_SERVING)
            for (const w of watchers) w.call.end()
            const timer = setTimeout(() => {
              server.forceShutdown()
              done()
            }, deadlineMs)
            server.tryShutdown(() => {
              clearTimeout(timer)
              done()
            })
          }),
      })
    })
  })
}
