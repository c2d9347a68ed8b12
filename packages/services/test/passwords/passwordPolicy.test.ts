import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  formatPhc,
  OWASP_ARGON2ID,
  parsePhc,
  phcNeedsRehash,
  validateMachineSecret,
  validatePasswordForEntity,
  validatePasswordReset,
  validatePasswordStrength,
  validateSignupPassword,
} from "../../src/passwords/index.js"

const outcome = (r: Either.Either<void, { readonly message: string }>) => (Either.isLeft(r) ? r.left.message : "ok")

describe("password policy", () => {
  it("strength: at least N characters (default 12), then not blank", () => {
    expect(outcome(validatePasswordStrength("short"))).toBe("password must be at least 12 characters")
    expect(outcome(validatePasswordStrength("exactly12chr"))).toBe("ok")
    expect(outcome(validatePasswordStrength("abcdefgh", 8))).toBe("ok")
    expect(outcome(validatePasswordStrength("abcdefg", 8))).toBe("password must be at least 8 characters")
    expect(outcome(validatePasswordStrength(" ".repeat(12)))).toBe("password cannot be blank")
    // length is checked first, so short whitespace reports the length
    expect(outcome(validatePasswordStrength("   "))).toBe("password must be at least 12 characters")
    expect(outcome(validatePasswordStrength("", 0))).toBe("password cannot be blank")
  })

  it("counts characters, not UTF-16 units or bytes", () => {
    expect(outcome(validatePasswordStrength("🔑".repeat(11)))).toBe("password must be at least 12 characters")
    expect(outcome(validatePasswordStrength("🔑".repeat(12)))).toBe("ok")
    expect(outcome(validatePasswordStrength("é".repeat(12)))).toBe("ok")
  })

  it("blank means Unicode White_Space only, as Rust's char::is_whitespace", () => {
    expect(outcome(validatePasswordStrength("\u3000\u00a0\u2003\t\n\u0085 \u2028\u202f\u205f\u1680\r"))).toBe(
      "password cannot be blank",
    )
    // U+FEFF and U+200B are not White_Space
    expect(outcome(validatePasswordStrength("\ufeff".repeat(12)))).toBe("ok")
    expect(outcome(validatePasswordStrength("\u200b".repeat(12)))).toBe("ok")
  })

  it("signup: empty is `password is required`", () => {
    expect(outcome(validateSignupPassword(""))).toBe("password is required")
    expect(outcome(validateSignupPassword("x"))).toBe("password must be at least 12 characters")
    expect(outcome(validateSignupPassword("correct horse battery"))).toBe("ok")
  })

  it("machines only need a non-blank secret; humans the strength rule", () => {
    expect(outcome(validateMachineSecret("x"))).toBe("ok")
    expect(outcome(validateMachineSecret(" \t"))).toBe("password cannot be blank")
    expect(outcome(validateMachineSecret(""))).toBe("password cannot be blank")
    expect(outcome(validatePasswordForEntity(false, "x"))).toBe("ok")
    expect(outcome(validatePasswordForEntity(true, "x"))).toBe("password must be at least 12 characters")
  })

  it("reset: a given confirmation must match first", () => {
    expect(outcome(validatePasswordReset("correct horse battery", "correct horse batterx"))).toBe(
      "password confirmation does not match",
    )
    expect(outcome(validatePasswordReset("x", "y"))).toBe("password confirmation does not match")
    expect(outcome(validatePasswordReset("x", null))).toBe("password must be at least 12 characters")
    expect(outcome(validatePasswordReset("correct horse battery", "correct horse battery"))).toBe("ok")
  })
})

describe("PHC strings", () => {
  const sample = "$argon2id$v=19$m=19456,t=2,p=1$kAQM/WQshdCmwMPn6VqWIg$z+zABdA+EYMcZO68kI+Arg6+GQiKcVTTabtBgGFDHsw"

  it("parses and re-formats byte for byte", () => {
    const h = parsePhc(sample)
    expect(h).toMatchObject({ variant: "argon2id", version: 19, memoryCost: 19456, timeCost: 2, parallelism: 1 })
    expect(h?.salt).toHaveLength(16)
    expect(h?.hash).toHaveLength(32)
    expect(h && formatPhc(h)).toBe(sample)
    expect(phcNeedsRehash(sample, OWASP_ARGON2ID)).toBe(false)
  })

  it("accepts parameters in any order and a missing version (v=16)", () => {
    expect(parsePhc(sample.replace("m=19456,t=2,p=1", "p=1,t=2,m=19456"))?.memoryCost).toBe(19456)
    const v16 = parsePhc(sample.replace("$v=19", ""))
    expect(v16?.version).toBe(16)
    expect(phcNeedsRehash(sample.replace("$v=19", ""), OWASP_ARGON2ID)).toBe(true)
  })

  it("rejects what is not an argon2 PHC string", () => {
    for (const bad of [
      "",
      sample.slice(1),
      sample.replace("argon2id", "argon2"),
      sample.replace("v=19", "v=18"),
      sample.replace("m=19456,", ""),
      sample.replace("p=1", "p=1,p=1"),
      sample.replace("p=1", "p=0"),
      sample.replace("m=19456", "m=4"),
      sample.replace("t=2", "t=02"),
      sample.replace("p=1", "p=1,x=2"),
      `${sample}$extra`,
      `${sample}=`,
      sample.replace("kAQM/", "kAQM_"),
    ]) {
      expect(parsePhc(bad)).toBeNull()
    }
  })
})
