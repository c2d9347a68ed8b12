import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TenantId } from "@atom/domain/authz"
import { ActionId } from "@atom/domain/policy"
import { AtomRpcError } from "@atom/domain/rpc"
import { Effect, Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AtomRpcClient, layerHttp } from "../../client/src/rpc/index.js"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { devCaEnv } from "./support/devCaEnv.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// The catalogue half of /rpc through the real listener and the typed AtomRpcClient: groups and
// membership, resources, direct policies, actions and guardrails, certificates from a CSR and
// renewal — each answered by the same services and gates as GraphQL, compared with GraphQL's answers.

let t: TestAtom
let admin: string
let ca: Awaited<ReturnType<typeof devCaEnv>> | undefined
let dir: string

const READ = ActionId.make("00000000-0000-0000-0001-000000000001")
const PASSWORD = "rpc-catalogue-password-123"

type Client = AtomRpcClient["Type"]

const viaHttp = <A, E>(token: string, body: (rpc: Client) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.flatMap(AtomRpcClient, body).pipe(Effect.provide(layerHttp({ baseUrl: t.baseUrl, token }))))

/** The typed failure of a call, or a test failure when it succeeded or failed otherwise. */
const rpcError = <A, E>(effect: Effect.Effect<A, E | AtomRpcError>) =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result) && result.left instanceof AtomRpcError
      ? Effect.succeed({ code: result.left.code, message: result.left.message, status: result.left.status })
      : Effect.dieMessage(`expected an AtomRpcError, got ${JSON.stringify(result)}`),
  )

/** A block allowing one action on one resource. */
const allowOnResource = (tenantId: TenantId | null, resourceId: string, action: ActionId) => ({
  tenantId,
  scopeMode: "object" as const,
  objectKind: "resource",
  objectType: null,
  objectId: resourceId,
  groupId: null,
  effect: "allow" as const,
  conditions: {},
  actionIds: [action],
})

/** The first GraphQL error message of a document's answer. */
const gqlError = async (token: string, query: string, variables: Record<string, unknown>) =>
  (await gql(t, token, query, variables)).errors?.[0]?.message

const openssl = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile("/usr/bin/openssl", args, { cwd: dir, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`openssl ${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    )
  })

/** Verifies a leaf PEM up to the test CA's root through its intermediate; openssl's own line. */
const verifyLeaf = async (name: string, pem: string) => {
  writeFileSync(join(dir, name), pem)
  const env = ca?.env ?? {}
  return (
    await openssl([
      "verify",
      "-CAfile",
      env.ATOM_CERTS_ROOT_CA_CERT_PATH ?? "",
      "-untrusted",
      env.ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH ?? "",
      name,
    ])
  ).trim()
}

beforeAll(async () => {
  ca = await devCaEnv()
  t = await startTestAtom(ca.env)
  admin = await adminToken(t)
  dir = mkdtempSync(join(tmpdir(), "atom-rpc-csr-"))
})
afterAll(async () => {
  await t?.close()
  ca?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe("/rpc groups, resources and direct policies", () => {
  it("a principal group's direct policy allows its member, and only while it is a member", async () => {
    const setup = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-cat-${randomUUID()}` })
        const user = yield* rpc.CreateEntity({
          name: `rpc-cat-user-${randomUUID()}`,
          kind: "human",
          tenantId: tenant.id,
        })
        const readers = yield* rpc.CreatePrincipalGroup({ name: "readers", tenantId: tenant.id })
        const folders = yield* rpc.CreateObjectGroup({ name: "folders", tenantId: tenant.id, description: "docs" })
        const doc = yield* rpc.CreateResource({ kind: "document", name: "plan", tenantId: tenant.id })
        const block = yield* rpc.CreatePermissionBlock(allowOnResource(tenant.id, doc.id, READ))
        return { tenant, user, readers, folders, doc, block }
      }),
    )
    const { tenant, user, readers, folders, doc, block } = setup
    expect(readers).toMatchObject({ groupType: "principal", tenantId: tenant.id, status: "active" })
    expect(readers.createdAt).toBeInstanceOf(Date)
    expect(folders).toMatchObject({ groupType: "object", description: "docs" })
    expect(doc).toMatchObject({ kind: "document", name: "plan", tenantId: tenant.id })

    const question = { subjectId: user.id, action: "read", objectKind: "resource", objectId: doc.id }
    const granted = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const before = yield* rpc.Check(question)
        expect(yield* rpc.AddGroupMember({ groupId: readers.id, entityId: user.id })).toBe(true)
        const memberOnly = yield* rpc.Check(question)
        const policy = yield* rpc.CreateDirectPolicy({
          tenantId: tenant.id,
          subjectKind: "group",
          subjectId: readers.id,
          permissionBlockId: block.id,
        })
        return { before, memberOnly, policy, after: yield* rpc.Check(question) }
      }),
    )
    expect(granted.before.allowed).toBe(false)
    expect(granted.memberOnly.allowed).toBe(false)
    expect(granted.policy).toMatchObject({ subjectKind: "group", subjectId: readers.id, permissionBlockId: block.id })
    expect(granted.after).toEqual({ allowed: true, reason: "allowed", details: null })

    const reads = await viaHttp(admin, (rpc) =>
      Effect.all({
        members: rpc.GroupMembers({ groupId: readers.id }),
        principal: rpc.ListPrincipalGroups({ tenantId: tenant.id }),
        object: rpc.ListObjectGroups({ tenantId: tenant.id }),
        group: rpc.GetGroup({ id: readers.id }),
        updated: rpc.UpdateGroup({ id: folders.id, description: "documents" }),
        resources: rpc.ListResources({ tenantId: tenant.id, kind: "document" }),
        resource: rpc.GetResource({ id: doc.id }),
        renamed: rpc.UpdateResource({ id: doc.id, alias: "the-plan" }),
        policies: rpc.ListDirectPolicies({ subjectId: readers.id }),
      }),
    )
    expect(reads.members.map((e) => e.id)).toEqual([user.id])
    expect(reads.principal.items.map((g) => g.id)).toEqual([readers.id])
    expect(reads.object.items.map((g) => g.id)).toEqual([folders.id])
    expect(reads.group).toEqual(readers)
    expect(reads.updated).toMatchObject({ id: folders.id, name: "folders", description: "documents" })
    expect(reads.resources).toMatchObject({ total: 1, items: [{ id: doc.id }] })
    expect(reads.resource).toEqual(doc)
    expect(reads.renamed).toMatchObject({ id: doc.id, name: "plan", alias: "the-plan" })
    expect(reads.policies.items.map((p) => p.id)).toEqual([granted.policy.id])

    const revoked = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        expect(yield* rpc.RemoveGroupMember({ groupId: readers.id, entityId: user.id })).toBe(true)
        const notMember = yield* rpc.Check(question)
        yield* rpc.AddGroupMember({ groupId: readers.id, entityId: user.id })
        expect(yield* rpc.DeleteDirectPolicy({ id: granted.policy.id })).toBe(true)
        const noPolicy = yield* rpc.Check(question)
        expect(yield* rpc.DeleteResource({ id: doc.id })).toBe(true)
        expect(yield* rpc.DeleteGroup({ id: folders.id })).toBe(true)
        const gone = yield* rpcError(rpc.GetResource({ id: doc.id }))
        const groupGone = yield* rpcError(rpc.GetGroup({ id: folders.id }))
        return { notMember, noPolicy, gone, groupGone }
      }),
    )
    expect(revoked.notMember.allowed).toBe(false)
    expect(revoked.noPolicy.allowed).toBe(false)
    expect(revoked.gone).toEqual({ code: "NotFound", message: `resource ${doc.id} not found`, status: 404 })
    expect(revoked.groupGone).toEqual({ code: "NotFound", message: `group ${folders.id} not found`, status: 404 })
  })

  it("a guardrail made over RPC refuses a direct policy as GraphQL does, until it is deleted", async () => {
    const name = `rpc-approve-${randomUUID().slice(0, 8)}`
    const setup = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const action = yield* rpc.CreateAction({
          name,
          applicability: [{ objectKind: "resource", objectType: null }],
        })
        const listed = yield* rpc.ListActions({ objectKind: "resource", limit: 100 })
        const rule = yield* rpc.CreateActionAssignmentRule({
          entityKind: "device",
          actionName: name,
          objectKind: "resource",
          decision: "deny",
        })
        const rules = yield* rpc.ListActionAssignmentRules({ actionName: name })
        const device = yield* rpc.CreateEntity({ name: `rpc-guarded-${randomUUID()}`, kind: "device" })
        const doc = yield* rpc.CreateResource({ kind: "invoice" })
        const block = yield* rpc.CreatePermissionBlock(allowOnResource(null, doc.id, action.id))
        return { action, listed, rule, rules, device, doc, block }
      }),
    )
    expect(setup.action).toMatchObject({ name, applicability: [{ objectKind: "resource", objectType: null }] })
    expect(setup.listed.items.map((a) => a.id)).toContain(setup.action.id)
    expect(setup.rule).toMatchObject({ tenantId: null, decision: "deny", isAbsolute: false })
    expect(setup.rules.items.map((r) => r.id)).toEqual([setup.rule.id])

    const input = {
      tenantId: null,
      subjectKind: "entity" as const,
      subjectId: setup.device.id,
      permissionBlockId: setup.block.id,
    }
    const refused = await viaHttp(admin, (rpc) => rpcError(rpc.CreateDirectPolicy(input)))
    expect(refused).toMatchObject({ code: "InvalidInput", status: 400 })
    expect(refused.message).toContain("guardrail rejected")
    const viaGraphql = await gqlError(
      admin,
      "mutation($input: CreateDirectPolicyInput!) { createDirectPolicy(input: $input) { id } }",
      { input },
    )
    expect(viaGraphql).toBe(refused.message)

    const allowed = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        expect(yield* rpc.DeleteActionAssignmentRule({ id: setup.rule.id })).toBe(true)
        yield* rpc.CreateDirectPolicy(input)
        return yield* rpc.Check({
          subjectId: setup.device.id,
          action: name,
          objectKind: "resource",
          objectId: setup.doc.id,
        })
      }),
    )
    expect(allowed.allowed).toBe(true)
  })

  it("a non-admin caller is refused as GraphQL refuses it; malformed input fails as the contract says", async () => {
    const name = `rpc-cat-plain-${randomUUID().slice(0, 8)}`
    const user = await viaHttp(admin, (rpc) => rpc.CreateEntity({ name, kind: "human" }))
    await gql(t, admin, "mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }", {
      e: user.id,
      p: PASSWORD,
    })
    const token = await loginToken(t, name, PASSWORD)
    const refused = await viaHttp(token, (rpc) =>
      Effect.all({
        group: rpcError(rpc.CreatePrincipalGroup({ name: "mine" })),
        resource: rpcError(rpc.CreateResource({ kind: "document" })),
        rule: rpcError(
          rpc.CreateActionAssignmentRule({
            entityKind: "human",
            actionName: "read",
            objectKind: "tenant",
            decision: "deny",
          }),
        ),
      }),
    )
    const forbidden = { code: "Forbidden", message: "forbidden", status: 403 }
    expect(refused).toEqual({ group: forbidden, resource: forbidden, rule: forbidden })
    const graphql = await gqlError(
      token,
      "mutation($input: CreateGroupInput!) { createPrincipalGroup(input: $input) { id } }",
      { input: { name: "mine" } },
    )
    expect(graphql).toBe(refused.group.message)

    // a malformed certificate id (serial number) reaches the service: Atom's InvalidInput, as GraphQL words it
    const badSerial = await viaHttp(admin, (rpc) => rpcError(rpc.RenewCertificate({ serialNumber: "not-a-serial" })))
    expect(badSerial).toMatchObject({ code: "InvalidInput", status: 400 })
    expect(badSerial.message).toBe(
      await gqlError(
        admin,
        "mutation($input: RenewCertificateInput!) { renewCertificate(input: $input) { privateKeyPem } }",
        {
          input: { serialNumber: "not-a-serial" },
        },
      ),
    )
    // a malformed UUID never reaches a handler: the payload's schema refuses it in the call's Exit
    const res = await fetch(`${t.baseUrl}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/ndjson", authorization: `Bearer ${admin}` },
      body: `${JSON.stringify({ _tag: "Request", id: "1", tag: "GetGroup", payload: { id: "not-a-uuid" }, headers: [] })}\n`,
    })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('"_tag":"Exit"')
    expect(text).toContain('Expected a Universally Unique Identifier, actual \\"not-a-uuid\\"')
  })
})

describe("/rpc certificates from a CSR and renewal", () => {
  it("issues for an openssl CSR (no key back), renews with a new key, and refuses garbage as GraphQL does", async () => {
    writeFileSync(join(dir, "req.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n")
    // the device's own key, then its request: the key never leaves the device
    await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "rpc.key"])
    const subject = ["-subj", "/CN=rpc-device/O=Acme", "-addext", "subjectAltName=DNS:rpc.local"]
    await openssl(["req", "-new", "-config", "req.cnf", "-key", "rpc.key", ...subject, "-out", "rpc.csr"])
    const csrPem = readFileSync(join(dir, "rpc.csr"), "utf8")
    const result = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const device = yield* rpc.CreateEntity({ name: `rpc-csr-${randomUUID()}`, kind: "device" })
        const issued = yield* rpc.IssueCertificateFromCsr({ entityId: device.id, ttlSecs: 600, csrPem })
        const renewed = yield* rpc.RenewCertificate({ serialNumber: issued.certificate.serialNumber, revokeOld: true })
        const old = yield* rpc.GetCertificate({ serialNumber: issued.certificate.serialNumber })
        const again = yield* rpcError(rpc.RenewCertificate({ serialNumber: issued.certificate.serialNumber }))
        const garbage = yield* rpcError(rpc.IssueCertificateFromCsr({ entityId: device.id, csrPem: "garbage" }))
        return { device, issued, renewed, old, again, garbage }
      }),
    )
    expect(result.issued.privateKeyPem).toBeNull()
    expect(result.issued.certificate).toMatchObject({
      entityId: result.device.id,
      status: "active",
      subject: { csr_subject: "CN=rpc-device, O=Acme" },
      dnsNames: ["rpc.local"],
    })
    expect(await verifyLeaf("csr-leaf.pem", result.issued.certificate.certificatePem)).toBe("csr-leaf.pem: OK")
    // the CSR's key is in the certificate
    writeFileSync(join(dir, "csr-leaf.pem"), result.issued.certificate.certificatePem)
    expect(await openssl(["x509", "-in", "csr-leaf.pem", "-noout", "-pubkey"])).toBe(
      await openssl(["pkey", "-in", "rpc.key", "-pubout"]),
    )

    expect(result.renewed.certificate.serialNumber).not.toBe(result.issued.certificate.serialNumber)
    expect(result.renewed.certificate).toMatchObject({ entityId: result.device.id, status: "active" })
    expect(result.renewed.privateKeyPem).toContain("BEGIN PRIVATE KEY")
    expect(await verifyLeaf("renewed.pem", result.renewed.certificate.certificatePem)).toBe("renewed.pem: OK")
    expect(result.old.status).toBe("revoked")
    expect(result.again).toEqual({ code: "InvalidInput", message: "cannot renew a revoked certificate", status: 400 })
    expect(result.garbage).toEqual({ code: "InvalidInput", message: "invalid CSR", status: 400 })
  })
})
