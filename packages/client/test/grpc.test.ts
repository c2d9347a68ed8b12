import { status } from "@grpc/grpc-js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { devCaEnv } from "../../server/test/support/devCaEnv.js"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "../../server/test/support/startTestAtom.js"
import { AtomGrpcClient, AtomGrpcError } from "../src/grpc/index.js"
import { AtomClient } from "../src/index.js"

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const DEVICE_PASSWORD = "device-password-123"

let t: TestAtom
let removeCa: (() => void) | undefined
let admin: AtomClient
let token: string
let grpc: AtomGrpcClient
beforeAll(async () => {
  const ca = await devCaEnv()
  removeCa = ca.remove
  t = await startTestAtom(ca.env)
  admin = new AtomClient({ baseUrl: t.baseUrl })
  token = (await admin.login("admin", ADMIN_PASSWORD)).token
  grpc = new AtomGrpcClient({ address: t.grpcAddress, token })
}, 120_000)
afterAll(async () => {
  grpc?.close()
  await t?.close()
  removeCa?.()
})

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

describe("AtomGrpcClient against a running Atom", () => {
  it("Authenticate answers who a token is and rejects a bad one with UNAUTHENTICATED", async () => {
    await expect(grpc.authenticate({ token })).resolves.toMatchObject({ entity_id: ADMIN_ID, tenant_id: "" })
    const e = await rejection(grpc.authenticate({ token: "atom_nope" }))
    expect(e).toBeInstanceOf(AtomGrpcError)
    expect(e).toMatchObject({ code: status.UNAUTHENTICATED, codeName: "UNAUTHENTICATED" })
  })

  it("AuthenticateCredential, ResolveAlias, Check and ResolveCertificate answer for a device", async () => {
    const tenant = await admin.createTenant({ name: "grpc-client", alias: "grpc-client" })
    const device = await admin.createEntity({ name: "meter", kind: "device", tenantId: tenant.id, alias: "meter-1" })
    await admin.setPassword(device.id, DEVICE_PASSWORD)

    const verified = await grpc.authenticateCredential({
      identifier: "meter-1",
      secret: DEVICE_PASSWORD,
      kind: "password",
      tenant_alias: "grpc-client",
    })
    expect(verified).toMatchObject({ entity_id: device.id, tenant_id: tenant.id })
    expect(verified.credential_id).toMatch(/^[0-9a-f-]{36}$/)
    const wrong = await rejection(
      grpc.authenticateCredential({ identifier: "meter-1", secret: "wrong-password", tenant_id: tenant.id }),
    )
    expect(wrong).toMatchObject({ code: status.UNAUTHENTICATED })

    await expect(
      grpc.resolveAlias({ tenant_id: tenant.id, object_kind: "entity", object_alias: "METER-1" }),
    ).resolves.toEqual({ tenant_id: tenant.id, object_id: device.id })
    await expect(
      rejection(grpc.resolveAlias({ tenant_id: tenant.id, object_kind: "entity", object_alias: "nobody" })),
    ).resolves.toMatchObject({ code: status.NOT_FOUND })

    // a decision is an answer, allow or deny
    const decision = await grpc.check({
      subject_id: device.id,
      action: "read",
      object_kind: "tenant",
      object_id: tenant.id,
    })
    expect(decision.allowed).toBe(false)
    expect(decision.reason).not.toBe("")
    await expect(rejection(grpc.check({ subject_id: "not-a-uuid", action: "read" }))).resolves.toMatchObject({
      code: status.INVALID_ARGUMENT,
    })

    const issued = await admin.issueCertificate({ entityId: device.id, commonName: "meter-1" })
    await expect(grpc.resolveCertificate({ serial_number: issued.certificate.serialNumber })).resolves.toMatchObject({
      entity_id: device.id,
      tenant_id: tenant.id,
      credential_id: issued.certificate.credentialId,
    })
    await expect(
      grpc.resolveCertificate({
        serial_number: issued.certificate.serialNumber,
        fingerprint_sha256: issued.certificate.fingerprintSha256,
      }),
    ).resolves.toMatchObject({ entity_id: device.id, expires_at: issued.certificate.expiresAt })
    await expect(rejection(grpc.resolveCertificate({ serial_number: "zz" }))).resolves.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: "invalid certificate serial number",
    })

    const revoked = await grpc.revokeEntityCertificates({ entity_id: device.id, reason: "keyCompromise" })
    expect(revoked.revoked).toBe("1")
    const gone = await rejection(grpc.resolveCertificate({ serial_number: issued.certificate.serialNumber }))
    expect(gone).toBeInstanceOf(AtomGrpcError)
    expect(gone).not.toMatchObject({ code: status.OK })
  })

  it("a call without a caller token is refused with Atom's message", async () => {
    const anonymous = new AtomGrpcClient({ address: t.grpcAddress })
    try {
      const e = await rejection(anonymous.check({ subject_id: ADMIN_ID, action: "read" }))
      expect(e).toBeInstanceOf(AtomGrpcError)
      expect(e).toMatchObject({ code: status.UNAUTHENTICATED, details: "missing authorization metadata" })
      expect(String(e)).toContain("UNAUTHENTICATED: missing authorization metadata")
    } finally {
      anonymous.close()
    }
  })

  it("an unreachable server is UNAVAILABLE", async () => {
    const nowhere = new AtomGrpcClient({ address: "127.0.0.1:1", token, deadlineMs: 3_000 })
    try {
      const e = await rejection(nowhere.authenticate({ token }))
      expect(e).toBeInstanceOf(AtomGrpcError)
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(e instanceof AtomGrpcError ? e.code : undefined)
    } finally {
      nowhere.close()
    }
  })
})
