import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { forEachInSlices } from "../../src/scheduling/yieldToEventLoop.js"

/** What ran, in order: the items and an immediate the first item schedules (a request arriving meanwhile). */
const trace = async (budgetMs: number) => {
  const seen: Array<string> = []
  await Effect.runPromise(
    forEachInSlices(
      [1, 2, 3],
      (n) => {
        seen.push(`item ${n}`)
        if (n === 1) setImmediate(() => seen.push("immediate"))
      },
      budgetMs,
    ),
  )
  // let the immediate run when the loop did not yield to it
  await new Promise((resolve) => setImmediate(resolve))
  return seen
}

describe("forEachInSlices", () => {
  it("yields to the event loop once a slice has used its budget, keeping the items in order", async () => {
    expect(await trace(0)).toEqual(["item 1", "immediate", "item 2", "item 3"])
  })

  it("runs everything in one go within the budget (no yield, no immediate in between)", async () => {
    expect(await trace(60_000)).toEqual(["item 1", "item 2", "item 3", "immediate"])
  })
})
