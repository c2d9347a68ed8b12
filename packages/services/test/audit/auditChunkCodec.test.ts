import { deserialize, serialize } from "node:v8"
import type { AuditEvent } from "@atom/domain/audit"
import { canonicalJson } from "@atom/engines/audit"
import { describe, expect, it } from "vitest"
import { decodeEvents, encodeEvents, makeChunkBuilder } from "../../src/audit/auditChunkCodec.js"
import { prepareEvent } from "../../src/audit/prepareEvent.js"
import { preparedOf, type QueuedAuditEvent, rawQueuedEvent } from "../../src/audit/queuedEvent.js"
import { testEvent } from "./fixtures/unreachableWriter.js"

const ACTOR = "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5b"
const TARGET = "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5c"

/** Through V8 serialization, as the IPC channel (`serialization: "advanced"`) carries a chunk. */
const overTheChannel = (columns: unknown): unknown => deserialize(serialize(columns))

const decision = (i: number): AuditEvent => ({
  event: "authz.check",
  outcome: i % 3 === 0 ? "deny" : "allow",
  actorId: ACTOR,
  tenantId: i % 2 === 0 ? null : undefined,
  targetKind: "entity",
  targetId: TARGET,
  details: { subject_id: ACTOR, action: "read", object_id: TARGET, dialect: "graphql_bulk", reason: `r${i % 4}` },
})

const mixed = (): Array<QueuedAuditEvent> => [
  ...Array.from({ length: 40 }, (_, i) =>
    rawQueuedEvent(decision(i), 1_700_000_000_000 + i, { clientIp: "10.0.0.1", userAgent: "ua", requestId: "req-1" }),
  ),
  // a prepared event among the raw ones keeps its place
  testEvent("test.prepared"),
  rawQueuedEvent(
    {
      event: " auth.login ",
      outcome: "error",
      actorId: "not-a-uuid",
      clientIp: "192.0.2.7",
      details: {
        nested: { list: [1, -0, "x", null, { deep: true }] },
        ["__proto__"]: "own key",
        lone: "\ud800 half a pair",
        password: "hunter2",
      },
      at: new Date("2026-01-02T03:04:05.678Z"),
    },
    1_700_000_000_999,
    {},
  ),
  rawQueuedEvent({ event: "auth.logout", outcome: "allow", at: new Date(Number.NaN) }, 1_700_000_001_000, {
    requestId: null,
  }),
]

describe("audit chunk codec", () => {
  it("carries every event so that it is prepared (and hashed) exactly as before it crossed", () => {
    const events = mixed()
    const decoded = decodeEvents(overTheChannel(encodeEvents(events)))
    expect(decoded).not.toBeNull()
    // what is stored and hashed: the canonical JSON of the prepared row (-0 in details is 0 in both)
    const canonical = (e: QueuedAuditEvent) => canonicalJson(preparedOf(e))
    expect(decoded?.map(canonical)).toEqual(events.map(canonical))
    expect(decoded?.map((e) => preparedOf(e).createdAt.getTime())).toEqual(
      events.map((e) => preparedOf(e).createdAt.getTime()),
    )
    // the raw events stay raw (their scrubbing is the writer's), the prepared one keeps its place
    expect(decoded?.map((e) => ("kind" in e ? e.kind : "prepared"))).toEqual(
      events.map((e) => ("kind" in e ? e.kind : "prepared")),
    )
    expect(decoded?.[40]).toEqual(events[40])
    // null and absent stay apart (a request's own value against the fiber's), as each field changes or repeats
    // (an invalid `at` crosses as none: both mean "now" to prepareEvent)
    const at = (d: Date | undefined) => (d === undefined || Number.isNaN(d.getTime()) ? undefined : d.getTime())
    const facts = (e: QueuedAuditEvent) =>
      "kind" in e
        ? [e.source.tenantId, e.source.outcome, e.source.clientIp, e.request.requestId, at(e.source.at)]
        : null
    expect(decoded?.map(facts)).toStrictEqual(events.map(facts))
  })

  it("writes each repeated string once: a bulk request's events share actor, target, request and details", () => {
    const events = mixed().slice(0, 40)
    const encoded = encodeEvents(events)
    // event, two outcomes, actor, target kind, target, four details texts, client IP, user agent, request id
    expect(encoded.strings.length).toBe(13)
    const structured = serialize(events).length
    const columns = serialize(encoded).length
    expect(columns).toBeLessThan(structured / 3)
  })

  it("gives a scrubbed copy per event when events share a details text", () => {
    const events = mixed().slice(0, 8)
    const decoded = decodeEvents(overTheChannel(encodeEvents(events))) ?? []
    const [a, b] = [preparedOf(decoded[0] ?? testEvent("x")), preparedOf(decoded[4] ?? testEvent("x"))]
    expect(a.details).toEqual(b.details)
    expect(a.details).not.toBe(b.details)
  })

  it("refuses columns out of shape rather than guessing", () => {
    const good = encodeEvents(mixed())
    const broken: ReadonlyArray<Record<string, unknown>> = [
      { ...good, ids: good.ids.slice(1) },
      { ...good, count: good.count + 1 },
      { ...good, cells: good.cells.slice(0, -1) },
      { ...good, cells: Int32Array.from(good.cells, (c, i) => (i === 5 ? 10_000 : c)) },
      // the first event's outcome cell pointing at a string that is not an outcome
      { ...good, cells: Int32Array.from(good.cells, (c, i) => (i === 1 ? 0 : c)) },
      // its details cell pointing at text that is not a JSON object
      { ...good, strings: good.strings.map((s) => (s.startsWith("{") ? "[1]" : s)) },
      { ...good, times: Float64Array.from(good.times, (t, i) => (i === 0 ? Number.NaN : t)) },
      { ...good, strings: [...good.strings.slice(0, -1), 7] },
      { ...good, prepared: [{ ...testEvent("x"), outcome: "maybe" }] },
      { ...good, preparedAt: Int32Array.of(99) },
      { ...good, times: Array.from(good.times) },
    ]
    for (const columns of broken) expect(decodeEvents(overTheChannel(columns))).toBeNull()
    expect(decodeEvents(null)).toBeNull()
    expect(decodeEvents([testEvent("x")])).toBeNull()
  })

  it("sends an event whose id is not a UUID prepared, so no other event's id shifts", () => {
    const odd: QueuedAuditEvent = { ...rawQueuedEvent(decision(1), 1_700_000_000_000, {}), id: "short" }
    const events = [...mixed().slice(0, 3), odd, ...mixed().slice(3, 5)]
    const encoded = encodeEvents(events)
    expect(encoded.prepared.map((e) => e.id)).toEqual(["short"])
    const decoded = decodeEvents(overTheChannel(encoded)) ?? []
    expect(decoded.map((e) => preparedOf(e).id)).toEqual(events.map((e) => preparedOf(e).id))
  })

  it("keeps an id's exact text: one the 16-byte form would not give back (upper case) goes prepared", () => {
    const upper: QueuedAuditEvent = { ...rawQueuedEvent(decision(1), 1_700_000_000_000, {}), id: ACTOR.toUpperCase() }
    const events = [...mixed().slice(0, 2), upper]
    const encoded = encodeEvents(events)
    expect(encoded.ids.length).toBe(2 * 16)
    expect(encoded.prepared.map((e) => e.id)).toEqual([ACTOR.toUpperCase()])
    const decoded = decodeEvents(overTheChannel(encoded)) ?? []
    expect(decoded.map((e) => e.id)).toEqual(events.map((e) => e.id))
  })

  it("reuses the previous event's details text only where serializing would give the same text", () => {
    const changing: Record<string, unknown> = { a: 1 }
    const details: ReadonlyArray<Record<string, unknown>> = [
      { a: 1, b: "x" },
      { a: 1, b: "x" },
      { b: "x", a: 1 },
      { b: "x", a: 1, c: undefined },
      { b: "x", a: -0 },
      { b: { n: 1 } },
      { b: { n: 2 } },
      changing,
    ]
    const builder = makeChunkBuilder(20)
    for (const d of details) builder.addRaw({ event: "test.details", outcome: "allow", details: d }, 0, {})
    // the same object again, changed after it was queued
    changing.a = 2
    builder.addRaw({ event: "test.details", outcome: "allow", details: changing }, 0, {})
    const decoded = decodeEvents(overTheChannel(builder.seal())) ?? []
    const texts = decoded.map((e) => JSON.stringify("kind" in e ? e.source.details : e.details))
    expect(texts).toEqual([
      '{"a":1,"b":"x"}',
      '{"a":1,"b":"x"}',
      '{"b":"x","a":1}',
      '{"b":"x","a":1}',
      '{"b":"x","a":0}',
      '{"b":{"n":1}}',
      '{"b":{"n":2}}',
      '{"a":1}',
      '{"a":2}',
    ])
  })

  it("reads back an empty chunk and a chunk of prepared events only", () => {
    expect(decodeEvents(overTheChannel(encodeEvents([])))).toEqual([])
    const prepared = [testEvent("a"), prepareEvent(decision(1), 1_700_000_000_000, {})]
    expect(decodeEvents(overTheChannel(encodeEvents(prepared)))).toEqual(prepared)
  })
})
