import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { resolveCheckTarget } from "../src/authz/index.js"
import { uuid } from "./fixtures/authzFixtures.js"

describe("check target (authz.md §2.1)", () => {
  const id = uuid(1)
  const other = uuid(2)

  it("accepts the legacy resourceId and the explicit pair, the pair winning", () => {
    expect(resolveCheckTarget({ resourceId: id })).toEqual(Either.right({ kind: "resource", id }))
    expect(resolveCheckTarget({ resourceId: id, objectKind: "entity", objectId: other })).toEqual(
      Either.right({ kind: "entity", id: other }),
    )
    for (const kind of ["resource", "tenant", "entity", "group", "credential"]) {
      expect(resolveCheckTarget({ objectKind: kind, objectId: id })).toEqual(Either.right({ kind, id }))
    }
    expect(resolveCheckTarget({ objectKind: "platform" })).toEqual(Either.right({ kind: "platform" }))
  })

  it("refuses malformed targets as request errors (scenario 29)", () => {
    for (const fields of [
      {},
      { objectKind: "role", objectId: id },
      { objectId: id },
      { objectKind: "entity" },
      { objectKind: "platform", objectId: id },
      { objectKind: "", objectId: "", resourceId: "" },
    ]) {
      expect(Either.isLeft(resolveCheckTarget(fields))).toBe(true)
    }
  })
})
