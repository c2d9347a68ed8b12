import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { devCaEnv } from "../../server/test/support/devCaEnv.js"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "../../server/test/support/startTestAtom.js"
import { AtomClient, AtomClientError } from "../src/index.js"

let t: TestAtom
let removeCa: (() => void) | undefined
beforeAll(async () => {
  // a CA from files, so certificates are issued on Postgres too (embedded mode would make its own)
  const ca = await devCaEnv()
  removeCa = ca.remove
  t = await startTestAtom(ca.env)
}, 120_000)
afterAll(async () => {
  await t?.close()
  removeCa?.()
})

describe("AtomClient against a running Atom", () => {
  it("logs in, creates a tenant, an entity, a role and an assignment, checks, issues a certificate, reads the audit log", async () => {
    const client = new AtomClient({ baseUrl: t.baseUrl })
    const session = await client.login("admin", ADMIN_PASSWORD)
    expect(session.entityId).toBe("00000000-0000-0000-0000-000000000001")

    const tenant = await client.createTenant({ name: "client-test" })
    expect(tenant.name).toBe("client-test")
    const device = await client.createEntity({ name: "sensor-1", kind: "device", tenantId: tenant.id })
    expect(device.tenantId).toBe(tenant.id)
    const role = await client.createRole({ name: "readers", tenantId: tenant.id })
    const assignment = await client.assignRole({
      tenantId: tenant.id,
      subjectKind: "entity",
      subjectId: device.id,
      roleId: role.id,
    })
    expect(assignment.roleId).toBe(role.id)

    const decision = await client.check({
      subjectId: device.id,
      action: "read",
      objectKind: "tenant",
      objectId: tenant.id,
    })
    expect(decision.allowed).toBe(false)
    expect(typeof decision.reason).toBe("string")

    const issued = await client.issueCertificate({ entityId: device.id, commonName: "sensor-1" })
    expect(issued.certificate.entityId).toBe(device.id)
    expect(issued.certificate.certificatePem).toContain("BEGIN CERTIFICATE")
    expect(issued.privateKeyPem).toContain("PRIVATE KEY")

    const audit = await client.auditLogs({ tenantId: tenant.id, limit: 50 })
    expect(audit.total).toBeGreaterThan(0)
    expect(audit.items.map((i) => i.event)).toEqual(expect.arrayContaining([expect.stringMatching(/^entity\./)]))
  })

  it("rejects with Atom's message", async () => {
    const anonymous = new AtomClient({ baseUrl: t.baseUrl })
    const failed = await anonymous.login("admin", "wrong-password-here").catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(AtomClientError)
    expect(failed).toMatchObject({ message: "invalid credentials", status: 401 })
    const denied = await anonymous.createTenant({ name: "nope" }).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(AtomClientError)
  })
})
