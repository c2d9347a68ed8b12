/**
 * What the audit queue holds in memory per waiting event (sizing ATOM_AUDIT_QUEUE_CAPACITY):
 *
 *   npx tsx bench/scenarios/auditQueueMemory.ts [--events 100000]
 *
 * Fills the queue's chunk buffer (`chunkBuffer.ts`, as a writer that is behind or a database that is away
 * leaves it) with `--events` allowed `authz.check` events of two shapes and prints the heap and
 * ArrayBuffer bytes it grew by, per event, after a full GC:
 *   bulk     — as a bulk Check queues them: 200 a request share actor, target, request id, user agent
 *              and details (every event its own id and time);
 *   distinct — every event a different actor, target, request id, user agent and details: the most a
 *              queued event can take of the fields a decision fills.
 * Ids are flat strings, as read from the database; request ids are made by `randomUUID`, as the gRPC server
 * makes one for a call that sent none (a string built by concatenation, which the queue flattens).
 */
import { randomUUID } from "node:crypto"
import { parseArgs } from "node:util"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { AuditRequestInfo } from "../../packages/domain/src/audit/index.js"
import { makeChunkBuffer } from "../../packages/services/src/audit/chunkBuffer.js"
import { allowedCheckEvent } from "../lib/auditEvents.js"

const { values } = parseArgs({ options: { events: { type: "string" } } })
const events = Number(values.events ?? 100_000)
setFlagsFromString("--expose-gc")
const gc: unknown = runInNewContext("gc")
const collect = () => {
  if (typeof gc === "function") gc()
}
const used = () => {
  collect()
  collect()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const PER_REQUEST = 200

/** A flat copy of a string, as a header read off the wire is (a template literal makes a cons string, larger) */
const flat = (s: string): string => Buffer.from(s, "latin1").toString("latin1")

/** an id as the server reads it from the database or a token: a flat string */
const storedId = () => flat(randomUUID())

const fill = (shape: "bulk" | "distinct"): number => {
  const before = used()
  const buffer = makeChunkBuffer(events, 200)
  let event = allowedCheckEvent(storedId(), storedId(), storedId(), "grpc")
  let request: AuditRequestInfo = {}
  for (let i = 0; i < events; i++) {
    if (shape === "distinct" || i % PER_REQUEST === 0) {
      event = allowedCheckEvent(storedId(), storedId(), storedId(), "grpc")
      request = {
        // made as the gRPC server makes one when the caller sent none
        requestId: randomUUID(),
        clientIp: flat(`10.0.${(i >> 8) & 255}.${i & 255}`),
        userAgent: flat(`atom-client/1.${i} (linux; x64) grpc-node-js/1.14.${i % 100}`),
      }
    }
    if (!buffer.offerRaw(event, 1_764_000_000_000 + i, request)) throw new Error("buffer refused an offer")
  }
  const grown = used() - before
  // still held: what was measured is the buffer's
  if (buffer.size() !== events) throw new Error("buffer lost events")
  return grown / events
}

for (const shape of ["bulk", "distinct", "bulk", "distinct"] as const) {
  process.stdout.write(`${shape}: ${fill(shape).toFixed(0)} bytes per queued event (${events} events)\n`)
}
