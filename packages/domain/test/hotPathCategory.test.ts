import { sampledOutCategory, storedAllowRate } from "@atom/domain/audit"
import { describe, expect, it } from "vitest"

describe("hot-path allow sampling (ATOM_AUDIT_HOT_PATH_ALLOW_SAMPLE_RATE)", () => {
  const draws = (value: number) => () => value

  it("drops an allow whose draw is at or past the rate, keeps one below it", () => {
    expect(sampledOutCategory("authz.check", "allow", 0.25, draws(0.1))).toBeUndefined()
    expect(sampledOutCategory("authz.check", "allow", 0.25, draws(0.25))).toBe("authz_check")
    expect(sampledOutCategory("auth.login", "allow", 0.25, draws(0.9))).toBe("auth_login")
  })

  it("keeps every denial and error and every event off the hot path, and needs no draw at 0 or 1", () => {
    const never = () => {
      throw new Error("no draw expected")
    }
    expect(sampledOutCategory("authz.check", "deny", 0, never)).toBeUndefined()
    expect(sampledOutCategory("auth.login", "error", 0, never)).toBeUndefined()
    expect(sampledOutCategory("entity.create", "allow", 0.5, never)).toBeUndefined()
    expect(sampledOutCategory("authz.check", "allow", 1, never)).toBeUndefined()
    expect(sampledOutCategory("auth.credential_authenticate", "allow", 0, never)).toBe("auth_credential_authenticate")
  })

  it("stores no allow while ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED is off, whatever the rate", () => {
    expect(storedAllowRate({ hotPathAllowDbEnabled: false, hotPathAllowSampleRate: 1 })).toBe(0)
    expect(storedAllowRate({ hotPathAllowDbEnabled: true, hotPathAllowSampleRate: 0.3 })).toBe(0.3)
  })
})
