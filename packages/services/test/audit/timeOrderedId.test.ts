import { describe, expect, it } from "vitest"
import { timeOrderedId, timeOrderedIdInto, uuidBytesInto, uuidText } from "../../src/audit/timeOrderedId.js"

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("audit ids (UUID version 7, RFC 9562)", () => {
  it("carries the millisecond in its first 48 bits, version 7 and the RFC variant", () => {
    const ms = Date.UTC(2026, 10, 30, 23, 59, 59, 123)
    const id = timeOrderedId(ms)
    expect(id).toMatch(V7)
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(ms)
    expect(timeOrderedId(0).startsWith("00000000-0000-7")).toBe(true)
    expect(timeOrderedId(ms + 0.9).slice(0, 14)).toBe(id.slice(0, 14))
  })

  it("never repeats within a millisecond and sorts by time across milliseconds", () => {
    const base = Date.UTC(2026, 0, 1)
    const ids: Array<string> = []
    // 20 a millisecond, past several refills of the random pool
    for (let i = 0; i < 20_000; i++) ids.push(timeOrderedId(base + Math.floor(i / 20)))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(V7)
    for (let i = 20; i < ids.length; i += 20) expect((ids[i - 1] ?? "") < (ids[i] ?? "")).toBe(true)
    // the random bits vary: every hex digit shows up in the last group
    expect(new Set(ids.map((id) => id.at(-1))).size).toBe(16)
    // and all four variant values
    expect(new Set(ids.map((id) => id[19])).size).toBe(4)
  })

  it("has a 16-byte form (the queue's) that reads back to the same text, and refuses any other text", () => {
    const bytes = new Uint8Array(48)
    const ms = Date.UTC(2026, 11, 2, 1, 2, 3, 4)
    timeOrderedIdInto(ms, bytes, 16)
    const text = uuidText(bytes, 16)
    expect(text).toMatch(V7)
    expect(Number.parseInt(text.replaceAll("-", "").slice(0, 12), 16)).toBe(ms)
    // the neighbours are untouched
    expect([...bytes.subarray(0, 16), ...bytes.subarray(32)].every((b) => b === 0)).toBe(true)
    const again = new Uint8Array(16)
    expect(uuidBytesInto(text, again, 0)).toBe(true)
    expect(uuidText(again, 0)).toBe(text)
    for (const other of [text.toUpperCase(), text.replaceAll("-", ""), `${text}0`, "short", `{${text.slice(1)}}`]) {
      const untouched = new Uint8Array(16)
      expect(uuidBytesInto(other, untouched, 0)).toBe(false)
      expect(untouched.every((b) => b === 0)).toBe(true)
    }
  })
})
