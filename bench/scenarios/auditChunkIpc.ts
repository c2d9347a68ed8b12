/**
 * What handing hot-path audit events to the writer process costs, by wire form, in one run:
 *
 *   npx tsx bench/scenarios/auditChunkIpc.ts [--chunks 400] [--per-request 20] [--runs 3]
 *
 * The same 200-event chunks (allowed `authz.check` events as a bulk Check queues them: `--per-request`
 * events share a request id; every event its own id and time) go over a `fork` IPC channel with
 * `serialization: "advanced"`, as `auditWriterProcess.ts` sends them, once as the queued objects
 * (structured clone, the wire form before columns) and once as `encodeEvents` columns, alternating. Per
 * event: the sender's CPU (encoding, V8 serialization and the channel's writes, user + system: what the
 * server's event loop pays), the bytes on the channel, and the receiving process's CPU to read them back
 * (`decodeEvents` for columns).
 */
import { fork } from "node:child_process"
import { randomUUID } from "node:crypto"
import { parseArgs } from "node:util"
import { serialize } from "node:v8"
import { decodeEvents, encodeEvents } from "../../packages/services/src/audit/auditChunkCodec.js"
import { isRecord } from "../../packages/services/src/audit/auditEventGuards.js"
import { type QueuedAuditEvent, rawQueuedEvent } from "../../packages/services/src/audit/queuedEvent.js"
import { allowedCheckEvent } from "../lib/auditEvents.js"
import { median } from "../lib/stats.js"

type Form = "objects" | "columns"

interface Done {
  readonly kind: "done"
  readonly cpuUs: number
  readonly events: number
}

const cpuUs = () => {
  const c = process.cpuUsage()
  return c.user + c.system
}

/** The receiving side: reads each chunk back and reports its CPU since the first one. */
const receive = () => {
  let started = 0
  let events = 0
  process.on("message", (message: unknown) => {
    if (!isRecord(message)) return
    if (message.kind === "begin") {
      started = cpuUs()
      events = 0
      return
    }
    const read = message.form === "columns" ? decodeEvents(message.events) : message.events
    events += Array.isArray(read) ? read.length : 0
    if (message.last === true) process.send?.({ kind: "done", cpuUs: cpuUs() - started, events } satisfies Done)
  })
}
const isDone = (u: unknown): u is Done =>
  isRecord(u) && u.kind === "done" && typeof u.cpuUs === "number" && typeof u.events === "number"

const CHUNK = 200

const main = async () => {
  const { values } = parseArgs({
    options: { chunks: { type: "string" }, "per-request": { type: "string" }, runs: { type: "string" } },
  })
  const chunks = Number(values.chunks ?? 400)
  const perRequest = Number(values["per-request"] ?? 20)
  const runs = Number(values.runs ?? 3)
  const actor = randomUUID()
  const target = randomUUID()
  let requestId = randomUUID()
  const event = (i: number): QueuedAuditEvent => {
    if (i % perRequest === 0) requestId = randomUUID()
    return rawQueuedEvent(allowedCheckEvent(actor, target, actor, "graphql_bulk"), Date.now() + i, {
      clientIp: "127.0.0.1",
      userAgent: "bench",
      requestId,
    })
  }
  const data = Array.from({ length: chunks }, (_, k) => Array.from({ length: CHUNK }, (_, i) => event(k * CHUNK + i)))
  const child = fork(process.argv[1] ?? "", ["receive"], { serialization: "advanced" })
  await new Promise<void>((resolve) => child.once("spawn", () => resolve()))
  const results: Record<Form, Array<{ send: number; read: number; bytes: number }>> = { objects: [], columns: [] }
  const total = chunks * CHUNK
  try {
    for (let run = 0; run < runs * 2 + 2; run++) {
      const form: Form = run % 2 === 0 ? "objects" : "columns"
      const answer = new Promise<Done>((resolve) =>
        child.on("message", function onDone(m: unknown) {
          if (!isDone(m)) return
          child.off("message", onDone)
          resolve(m)
        }),
      )
      child.send({ kind: "begin" })
      let bytes = 0
      const before = cpuUs()
      for (let k = 0; k < chunks; k++) {
        const batch = data[k] ?? []
        const message = {
          kind: "chunk",
          form,
          last: k === chunks - 1,
          events: form === "columns" ? encodeEvents(batch) : batch,
        }
        child.send(message)
        if (k === 0) bytes = serialize(message).length
        // the event loop is free between chunks, as the queue yields between them
        await new Promise((resolve) => setImmediate(resolve))
      }
      const send = cpuUs() - before
      const done = await answer
      if (done.events !== total) throw new Error(`the receiver read ${done.events} of ${total} events`)
      // the first round of each form warms the JIT of both sides
      if (run >= 2) results[form].push({ send: send / total, read: done.cpuUs / total, bytes: bytes / CHUNK })
    }
  } finally {
    child.kill()
  }
  const line = (form: Form) => {
    const r = results[form]
    const send = median(r.map((x) => x.send))
    const read = median(r.map((x) => x.read))
    return {
      send,
      read,
      text: `${form}: sender ${send.toFixed(2)} µs, receiver ${read.toFixed(2)} µs, ${Math.round(r[0]?.bytes ?? 0)} bytes`,
    }
  }
  const [objects, columns] = [line("objects"), line("columns")]
  process.stdout.write(
    `audit-chunk-ipc, ${CHUNK}-event chunks, ${perRequest} events a request, per event (median of ${runs}): ` +
      `${objects.text}; ${columns.text}; ratio columns ÷ objects: sender ${(columns.send / objects.send).toFixed(2)}, ` +
      `receiver ${(columns.read / objects.read).toFixed(2)}\n`,
  )
}

if (process.argv[2] === "receive") receive()
else await main()
