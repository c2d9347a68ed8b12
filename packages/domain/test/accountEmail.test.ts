import { normalizeAccountEmail } from "@atom/domain/identity"
import { Either } from "effect"
import { describe, expect, it } from "vitest"

describe("normalizeAccountEmail", () => {
  it("trims and lowercases a usable address", () => {
    expect(normalizeAccountEmail("  N1@Ex.Test ")).toEqual(Either.right("n1@ex.test"))
    expect(normalizeAccountEmail("ÄDA@Example.DE")).toEqual(Either.right("äda@example.de"))
  })

  it("says `email is required` without an @ and `invalid email` for a malformed one", () => {
    expect(normalizeAccountEmail("")).toEqual(Either.left("email is required"))
    expect(normalizeAccountEmail("plain.example.test")).toEqual(Either.left("email is required"))
    for (const bad of ["@example.test", "a@", "a@localhost", "a b@example.test", "a@exa mple.test"]) {
      expect(normalizeAccountEmail(bad), bad).toEqual(Either.left("invalid email"))
    }
  })
})
