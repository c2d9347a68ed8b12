import type { AuditRecord, PreparedAuditEvent } from "@atom/domain/audit"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  auditReadTenants,
  canonicalContent,
  canonicalJson,
  hashContent,
  isSecretKey,
  linkRows,
  makeChainVerifier,
  REDACTED,
  scrubDetails,
} from "../src/audit/index.js"
import { compileGrants } from "../src/authz/index.js"
import { makeGrant, makeTenant, NOW } from "./fixtures/authzFixtures.js"

const CHAIN = "0b7c2f3e-6a1d-4c55-9e21-5d8f00000001"

const event = (n: number, overrides: Partial<PreparedAuditEvent> = {}): PreparedAuditEvent => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
  createdAt: new Date(NOW + n * 1000),
  actorId: "00000000-0000-0000-0000-000000000001",
  tenantId: null,
  targetKind: "entity",
  targetId: null,
  event: "auth.login",
  outcome: "deny",
  details: { identifier: `user${n}`, credential_kind: "password", nested: { b: 2, a: [1, "x"] } },
  clientIp: "127.0.0.1",
  userAgent: "vitest",
  requestId: `req-${n}`,
  ...overrides,
})

const chainOf = (n: number, head: Parameters<typeof linkRows>[1] = null) =>
  linkRows(
    CHAIN,
    head,
    Array.from({ length: n }, (_, i) => event(i + 1)),
  )

const verify = (rows: ReadonlyArray<AuditRecord>, anchors = new Map<string, { seq: number; hash: string }>()) => {
  const v = makeChainVerifier(anchors)
  for (const r of rows) v.feed(r)
  return v.summary()
}

describe("scrubbing details (identity-certs §4: no secret reaches an audit record)", () => {
  it("replaces every value under a secret-naming key, at any depth and in any case", () => {
    const scrubbed = scrubDetails({
      identifier: "alice",
      password: "hunter2",
      Secret: "s",
      new_password_confirmation: "p",
      access_token: "atom_x",
      refreshToken: "r",
      Authorization: "Bearer x",
      apiKey: "k",
      x_api_key: "k",
      nested: { deeper: [{ client_secret: "c", keep: 1 }] },
      credential_kind: "access_token",
    })
    expect(scrubbed).toEqual({
      identifier: "alice",
      password: REDACTED,
      Secret: REDACTED,
      new_password_confirmation: REDACTED,
      access_token: REDACTED,
      refreshToken: REDACTED,
      Authorization: REDACTED,
      apiKey: REDACTED,
      x_api_key: REDACTED,
      nested: { deeper: [{ client_secret: REDACTED, keep: 1 }] },
      // a secret-looking value under an innocent key is not a secret
      credential_kind: "access_token",
    })
    expect(JSON.stringify(scrubbed)).not.toMatch(/hunter2|atom_x|Bearer/)
  })

  it("makes plain JSON: no undefined, no NaN, dates as text, no NUL for jsonb", () => {
    expect(
      scrubDetails({ a: undefined, b: Number.NaN, c: new Date(0), d: "x\u0000y", e: 10n, f: [undefined] }),
    ).toEqual({ b: null, c: "1970-01-01T00:00:00.000Z", d: "x\uFFFDy", e: "10", f: [null] })
    expect(scrubDetails(undefined)).toEqual({})
    // jsonb refuses a lone surrogate: it becomes U+FFFD, a whole pair is kept
    expect(scrubDetails({ s: "a\uD800b\uDC00c", ok: "😀" })).toEqual({ s: "a\uFFFDb\uFFFDc", ok: "😀" })
  })

  it("scrubs a secret key every time it comes, however many other keys came before (the key memo is bounded)", () => {
    for (let round = 0; round < 12; round++) {
      const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${round}_${i}`, i]))
      expect(scrubDetails({ ...many, client_secret: "s3cr3t" }).client_secret).toBe(REDACTED)
      expect(scrubDetails({ client_secret: "s3cr3t", reason: "r" })).toEqual({ client_secret: REDACTED, reason: "r" })
    }
    // a key longer than the text bound is cut, but a secret fragment past the cut is still found
    expect(Object.values(scrubDetails({ [`x${"y".repeat(5000)}password`]: "hunter2" }))).toEqual([REDACTED])
    expect(Object.values(scrubDetails({ [`${"a".repeat(100)}_token`]: "atom_x" }))).toEqual([REDACTED])
  })

  it("names secret keys by their words, not the keys that only describe a secret", () => {
    for (const k of [
      "password",
      "SECRET",
      "id_token",
      "authorization",
      "APIKEY",
      "api_key",
      "x-api-key",
      "newPassword",
      "private_key",
      "privateKeyPem",
      "shared_key",
      "sharedKey",
      "signing_keys",
      "passphrase",
    ])
      expect([k, isSecretKey(k)]).toEqual([k, true])
    for (const k of [
      "identifier",
      "credential_kind",
      "tenant_id",
      "reason",
      "token_kind",
      "passwords_revoked",
      "shared_key_id",
      "password_changed_at",
      "certificate_pem",
      "key",
      "tokenPrefix",
    ])
      expect([k, isSecretKey(k)]).toEqual([k, false])
  })

  it("replaces credential-shaped strings under any key", () => {
    const token = `atom_${"a".repeat(32)}_${"b".repeat(64)}`
    const shared = `atom_shared_${"c".repeat(32)}_${"d".repeat(64)}`
    const jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"
    const pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n"
    const scrubbed = scrubDetails({ note: token, list: [shared, "atom_not_a_token"], h: "Bearer abc", jwt, pem })
    expect(scrubbed).toEqual({
      note: REDACTED,
      list: [REDACTED, "atom_not_a_token"],
      h: REDACTED,
      jwt: REDACTED,
      pem: REDACTED,
    })
  })
})

/** canonicalJson by its definition: each object's keys sorted, recursively, the text built piece by piece. */
const canonicalByDefinition = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalByDefinition).join(",")}]`
  const parts: Array<string> = []
  for (const key of Object.keys(value).sort()) {
    const v: unknown = Reflect.get(value, key)
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalByDefinition(v)}`)
  }
  return `{${parts.join(",")}}`
}

describe("canonical content", () => {
  it("writes the same text as sorting each object's keys recursively, for any JSON value", () => {
    // keys that sort differently as numbers, by code unit, across surrogates; shared and disjoint nested keys
    const key = fc.oneof(
      fc.constantFrom("a", "b", "B", "1", "10", "2", "é", "\u{1F600}", "\uFFFF", "", "__proto__", "constructor", "a b"),
      fc.string({ maxLength: 6, unit: "binary" }),
    )
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.string({ unit: "binary" }),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 6 }),
      ),
    })).value
    fc.assert(
      fc.property(json, (value) => {
        // as stored: through jsonb's JSON text and back
        const parsed: unknown = JSON.parse(JSON.stringify(value))
        expect(canonicalJson(parsed)).toBe(canonicalByDefinition(parsed))
      }),
      { numRuns: 3000 },
    )
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: { f: 2, e: 3 } }, 2], "10": 0, "2": 0 })).toBe(
      '{"10":0,"2":0,"a":[{"c":{"e":3,"f":2},"d":1},2],"b":1}',
    )
    expect(canonicalJson({})).toBe("{}")
    expect(canonicalJson([])).toBe("[]")
    expect(canonicalJson([{}, [], null])).toBe("[{},[],null]")
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}')
  })

  it("does not depend on key order, as jsonb reorders keys", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }),
    )
    const [row] = chainOf(1)
    const reordered = {
      ...row!,
      details: { nested: { a: [1, "x"], b: 2 }, credential_kind: "password", identifier: "user1" },
    }
    expect(hashContent(reordered)).toBe(row!.hash)
  })

  it("covers every stored field", () => {
    const [row] = chainOf(1)
    const base = hashContent(row!)
    const changes: Array<Partial<AuditRecord>> = [
      { event: "auth.logout" },
      { outcome: "allow" },
      { actorId: null },
      { tenantId: "00000000-0000-0000-0000-0000000000aa" },
      { targetKind: "session" },
      { targetId: "00000000-0000-0000-0000-0000000000bb" },
      { details: { identifier: "mallory" } },
      { clientIp: "10.0.0.1" },
      { userAgent: null },
      { requestId: "other" },
      { createdAt: new Date(row!.createdAt.getTime() + 1) },
      { chainSeq: 2 },
      { chainId: "0b7c2f3e-6a1d-4c55-9e21-5d8f00000002" },
      { id: "00000000-0000-4000-8000-0000000000ff" },
    ]
    for (const change of changes) expect(hashContent({ ...row!, ...change }), JSON.stringify(change)).not.toBe(base)
    expect(canonicalContent(row!)).toContain('"atom.audit.v1"')
  })
})

describe("hash chain", () => {
  it("links each row to the previous one: seq 1.., prev_hash, SHA-256 over prev ‖ content", () => {
    const rows = chainOf(4)
    expect(rows.map((r) => r.chainSeq)).toEqual([1, 2, 3, 4])
    expect(rows[0]!.prevHash).toBeNull()
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash)
    for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(verify(rows)).toEqual({ chains: 1, rows: 4, broken: [] })
  })

  it("hashes a row too large for the linker's scratch buffer as any other (and its successor links to it)", () => {
    const big = "é".repeat(40_000) // 80 kB of UTF-8: past the 64 KiB buffer
    const rows = linkRows(CHAIN, null, [event(1), event(2, { details: { big } }), event(3)])
    for (const r of rows) expect(r.hash).toBe(hashContent(r))
    expect(verify(rows)).toEqual({ chains: 1, rows: 3, broken: [] })
  })

  it("continues after a head and never lets time go backwards within a chain", () => {
    const first = chainOf(2)
    const last = first[1]!
    const later = linkRows(CHAIN, { seq: last.chainSeq, hash: last.hash, createdAt: new Date(NOW + 60_000) }, [
      event(9, { createdAt: new Date(NOW + 5000) }),
    ])
    expect(later[0]!.chainSeq).toBe(3)
    expect(later[0]!.prevHash).toBe(last.hash)
    expect(later[0]!.createdAt.getTime()).toBe(NOW + 60_000)
    expect(verify([...first, ...later]).broken).toEqual([])
  })

  it("detects an edited row (content no longer matches its hash)", () => {
    const rows = chainOf(5)
    const tampered = rows.map((r) =>
      r.chainSeq === 3 ? { ...r, details: { ...r.details, identifier: "mallory" } } : r,
    )
    const summary = verify(tampered)
    expect(summary.broken).toHaveLength(1)
    expect(summary.broken[0]).toMatchObject({ chainId: CHAIN, seq: 3, reason: "hash does not match the row's content" })
  })

  it("detects a re-hashed edited row through the next link", () => {
    const rows = chainOf(5)
    const edited = { ...rows[2]!, outcome: "allow" as const }
    const rehashed = { ...edited, hash: hashContent(edited) }
    const summary = verify(rows.map((r) => (r.chainSeq === 3 ? rehashed : r)))
    expect(summary.broken[0]).toMatchObject({ seq: 4, reason: "prev_hash differs from the previous row's hash" })
  })

  it("detects a deleted middle row as a gap", () => {
    const rows = chainOf(5).filter((r) => r.chainSeq !== 3)
    expect(verify(rows).broken).toEqual([
      { chainId: CHAIN, seq: 4, rowId: rows[2]!.id, reason: "rows 3..3 are missing" },
    ])
  })

  it("detects missing oldest rows unless retention anchored the chain", () => {
    const rows = chainOf(6)
    const survivors = rows.slice(2)
    expect(verify(survivors).broken[0]?.reason).toBe("chain starts at seq 3: rows 1..2 are missing")
    const anchor = { seq: 2, hash: rows[1]!.hash }
    expect(verify(survivors, new Map([[CHAIN, anchor]])).broken).toEqual([])
    expect(verify(survivors.slice(1), new Map([[CHAIN, anchor]])).broken[0]?.reason).toMatch(/retention ended at seq 2/)
    expect(verify(survivors, new Map([[CHAIN, { seq: 2, hash: "00".repeat(32) }]])).broken[0]?.reason).toMatch(
      /hash retention recorded/,
    )
  })

  it("reports only the first break of each chain and keeps checking the others", () => {
    const other = "0b7c2f3e-6a1d-4c55-9e21-5d8f00000002"
    const a = chainOf(4).map((r) => (r.chainSeq >= 2 ? { ...r, hash: "ff".repeat(32) } : r))
    const b = linkRows(other, null, [event(20), event(21)])
    const summary = verify([...a, ...b])
    expect(summary.chains).toBe(2)
    expect(summary.broken.map((x) => [x.chainId, x.seq])).toEqual([[CHAIN, 2]])
  })
})

describe("audit read scope (identity-certs §4, authz.md §3.2 and note 21)", () => {
  const T1 = makeTenant(0x71).id
  const T2 = makeTenant(0x72).id
  const tenants = (grants: Parameters<typeof compileGrants>[0], ceiling?: Parameters<typeof compileGrants>[0]) =>
    auditReadTenants(compileGrants(grants), ceiling === undefined ? null : compileGrants(ceiling), NOW).sort()

  it("opens tenants through tenant-scope reads and audit_log-kind reads bounded to a tenant", () => {
    const tenantRead = makeGrant({ scopeMode: "tenant", scopeTenantId: T1, tenantId: T1 })
    const auditRead = makeGrant({ scopeMode: "object_kind", objectKind: "audit_log", tenantId: T2 })
    expect(tenants([tenantRead])).toEqual([T1])
    expect(tenants([tenantRead, auditRead])).toEqual([T1, T2].sort())
  })

  it("ignores exact-object, unbounded audit_log, other kinds, conditional, expired and non-read grants", () => {
    expect(
      tenants([
        makeGrant({ scopeMode: "object", objectKind: "tenant", objectId: T1, tenantId: T1 }),
        makeGrant({ scopeMode: "object_kind", objectKind: "audit_log" }),
        makeGrant({ scopeMode: "object_kind", objectKind: "resource", tenantId: T1 }),
        makeGrant({ scopeMode: "tenant", scopeTenantId: T1, conditions: { "context.mfa": true } }),
        makeGrant({ scopeMode: "tenant", scopeTenantId: T1, expiresAt: new Date(NOW - 1) }),
        makeGrant({ scopeMode: "tenant", scopeTenantId: T2, action: "write" }),
        makeGrant({ scopeMode: "tenant", scopeTenantId: T1, tenantId: T2 }),
      ]),
    ).toEqual([])
  })

  it("drops a tenant any read deny reaches, conditional or not", () => {
    const allow1 = makeGrant({ scopeMode: "tenant", scopeTenantId: T1 })
    const allow2 = makeGrant({ scopeMode: "tenant", scopeTenantId: T2 })
    const denyAudit = makeGrant({ effect: "deny", scopeMode: "object_kind", objectKind: "audit_log", tenantId: T1 })
    expect(tenants([allow1, allow2, denyAudit])).toEqual([T2])
    const conditionalDeny = makeGrant({ effect: "deny", scopeMode: "tenant", scopeTenantId: T2, conditions: { x: 1 } })
    expect(tenants([allow1, allow2, conditionalDeny])).toEqual([T1])
    expect(tenants([allow1, allow2, makeGrant({ effect: "deny", scopeMode: "platform" })])).toEqual([])
  })

  it("bounds a scoped token by its ceiling", () => {
    const both = [
      makeGrant({ scopeMode: "tenant", scopeTenantId: T1 }),
      makeGrant({ scopeMode: "tenant", scopeTenantId: T2 }),
    ]
    expect(
      tenants(both, [makeGrant({ source: "access_token_ceiling", scopeMode: "tenant", scopeTenantId: T2 })]),
    ).toEqual([T2])
    expect(tenants(both, [])).toEqual([])
  })
})
