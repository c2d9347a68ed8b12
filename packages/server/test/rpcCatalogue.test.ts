import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TenantId } from "@atom/domain/authz"
import { ActionId } from "@atom/domain/policy"
import { AtomRpcError } from "@atom/domain/rpc"
import { Effect, Either, Redacted, Schedule } from "effect"
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

describe("/rpc lifecycle, trees, placement, actions and custom endpoints", () => {
  it("a suspended or disabled group's members lose its allow on the next Check; trees, entity groups, inspection", async () => {
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-life-${randomUUID()}` })
        const user = yield* rpc.CreateEntity({ name: `rpc-life-${randomUUID()}`, kind: "human", tenantId: tenant.id })
        const readers = yield* rpc.CreatePrincipalGroup({ name: "readers", tenantId: tenant.id })
        const doc = yield* rpc.CreateResource({ kind: "document", tenantId: tenant.id })
        const block = yield* rpc.CreatePermissionBlock(allowOnResource(tenant.id, doc.id, READ))
        yield* rpc.AddGroupMember({ groupId: readers.id, entityId: user.id })
        yield* rpc.CreateDirectPolicy({
          tenantId: tenant.id,
          subjectKind: "group",
          subjectId: readers.id,
          permissionBlockId: block.id,
        })
        const question = { subjectId: user.id, action: "read", objectKind: "resource", objectId: doc.id }
        const before = yield* rpc.Check(question)
        const suspended = yield* rpc.SuspendGroup({ id: readers.id })
        const whileSuspended = yield* rpc.Check(question)
        const disabled = yield* rpc.DisableGroup({ id: readers.id })
        const whileDisabled = yield* rpc.Check(question)
        const enabled = yield* rpc.EnableGroup({ id: readers.id })
        const after = yield* rpc.Check(question)
        const groups = yield* rpc.EntityGroups({ entityId: user.id })
        const access = yield* rpc.GroupAccess({ groupId: readers.id })
        const effective = yield* rpc.EffectiveActions({ subjectId: user.id, objectKind: "resource", objectId: doc.id })
        // an object-group tree: set, list, remove
        const root = yield* rpc.CreateObjectGroup({ name: "root", tenantId: tenant.id })
        const leaf = yield* rpc.CreateObjectGroup({ name: "leaf", tenantId: tenant.id })
        const parented = yield* rpc.SetGroupParent({ id: leaf.id, parentId: root.id })
        const children = yield* rpc.ChildGroups({ parentId: root.id })
        const removed = yield* rpc.RemoveGroupParent({ id: leaf.id })
        const noChildren = yield* rpc.ChildGroups({ parentId: root.id })
        return {
          readers,
          before,
          suspended,
          whileSuspended,
          disabled,
          whileDisabled,
          enabled,
          after,
          groups,
          access,
          effective,
          root,
          leaf,
          parented,
          children,
          removed,
          noChildren,
        }
      }),
    )
    expect(s.before.allowed).toBe(true)
    expect(s.suspended.status).toBe("suspended")
    expect(s.whileSuspended.allowed).toBe(false)
    expect(s.disabled.status).toBe("inactive")
    expect(s.whileDisabled.allowed).toBe(false)
    expect(s.enabled.status).toBe("active")
    expect(s.after.allowed).toBe(true)
    expect(s.groups).toContain(s.readers.id)
    expect(s.access).toMatchObject({ groupId: s.readers.id, groupName: "readers", total: 1 })
    expect(s.access.items[0]).toMatchObject({ action: "read", effect: "allow" })
    expect(s.effective.items.find((a) => a.action === "read")).toMatchObject({ allowed: true })
    expect(s.parented.parentId).toBe(s.root.id)
    expect(s.children.items.map((g) => g.id)).toEqual([s.leaf.id])
    expect(s.removed).toBe(true)
    expect(s.noChildren.total).toBe(0)
  })

  it("a resource placed in an object group is reachable through the group's policy, until removed", async () => {
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-place-${randomUUID()}` })
        const user = yield* rpc.CreateEntity({ name: `rpc-place-${randomUUID()}`, kind: "human", tenantId: tenant.id })
        const folder = yield* rpc.CreateObjectGroup({ name: "folder", tenantId: tenant.id })
        const doc = yield* rpc.CreateResource({ kind: "document", tenantId: tenant.id })
        const block = yield* rpc.CreatePermissionBlock({
          ...allowOnResource(tenant.id, doc.id, READ),
          scopeMode: "group_direct_objects",
          objectType: "resource:document",
          objectId: null,
          groupId: folder.id,
        })
        yield* rpc.CreateDirectPolicy({
          tenantId: tenant.id,
          subjectKind: "entity",
          subjectId: user.id,
          permissionBlockId: block.id,
        })
        const question = { subjectId: user.id, action: "read", objectKind: "resource", objectId: doc.id }
        const before = yield* rpc.Check(question)
        const placed = yield* rpc.AddResourceToObjectGroup({ resourceId: doc.id, objectGroupId: folder.id })
        const inside = yield* rpc.Check(question)
        const listed = yield* rpc.ListResources({ parentGroupId: folder.id })
        const kinds = yield* rpc.ResourceKinds({ tenantId: tenant.id })
        const unplaced = yield* rpc.RemoveResourceFromObjectGroup({ resourceId: doc.id })
        const outside = yield* rpc.Check(question)
        return { folder, doc, before, placed, inside, listed, kinds, unplaced, outside }
      }),
    )
    expect(s.before.allowed).toBe(false)
    expect(s.placed.id).toBe(s.doc.id)
    expect(s.inside.allowed).toBe(true)
    expect(s.listed.items.map((r) => r.id)).toEqual([s.doc.id])
    expect(s.kinds).toContain("document")
    expect(s.outside.allowed).toBe(false)
  })

  it("restore brings a tombstoned object back; purge makes its id unknown (tenant, entity, group, resource, role)", async () => {
    /** delete, restore, read; delete, purge, read: the restored object and the purged one's failure */
    const round = <A, E>(
      id: string,
      ops: {
        readonly remove: () => Effect.Effect<boolean, E | AtomRpcError>
        readonly restore: () => Effect.Effect<unknown, E | AtomRpcError>
        readonly read: () => Effect.Effect<A, E | AtomRpcError>
        readonly purge: () => Effect.Effect<boolean, E | AtomRpcError>
      },
    ) =>
      Effect.gen(function* () {
        yield* ops.remove()
        const restored = yield* ops.restore()
        const back = yield* ops.read()
        yield* ops.remove()
        const purged = yield* ops.purge()
        const unknown = yield* rpcError(ops.read())
        const again = yield* rpcError(ops.restore())
        return { id, restored, back, purged, unknown: unknown.code, again: again.code }
      })
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const [tenant, entity, group, resource, role] = yield* Effect.all(
          [
            rpc.CreateTenant({ name: `rpc-tomb-${randomUUID()}` }),
            rpc.CreateEntity({ name: `rpc-tomb-${randomUUID()}`, kind: "device" }),
            rpc.CreateObjectGroup({ name: `rpc-tomb-${randomUUID()}` }),
            rpc.CreateResource({ kind: "document" }),
            rpc.CreateRole({ name: `rpc-tomb-${randomUUID()}`, tenantId: null, description: null }),
          ],
          { concurrency: "unbounded" },
        )
        return yield* Effect.all(
          [
            round(tenant.id, {
              remove: () => rpc.DeleteTenant({ id: tenant.id }),
              restore: () => rpc.RestoreTenant({ id: tenant.id }),
              read: () => rpc.GetTenant({ id: tenant.id }),
              purge: () => rpc.PurgeTenant({ id: tenant.id }),
            }),
            round(entity.id, {
              remove: () => rpc.DeleteEntity({ id: entity.id }),
              restore: () => rpc.RestoreEntity({ id: entity.id }),
              read: () => rpc.GetEntity({ id: entity.id }),
              purge: () => rpc.PurgeEntity({ id: entity.id }),
            }),
            round(group.id, {
              remove: () => rpc.DeleteGroup({ id: group.id }),
              restore: () => rpc.RestoreGroup({ id: group.id }),
              read: () => rpc.GetGroup({ id: group.id }),
              purge: () => rpc.PurgeGroup({ id: group.id }),
            }),
            round(resource.id, {
              remove: () => rpc.DeleteResource({ id: resource.id }),
              restore: () => rpc.RestoreResource({ id: resource.id }),
              read: () => rpc.GetResource({ id: resource.id }),
              purge: () => rpc.PurgeResource({ id: resource.id }),
            }),
            round(role.id, {
              remove: () => rpc.DeleteRole({ id: role.id }),
              restore: () => rpc.RestoreRole({ id: role.id }),
              read: () => rpc.GetRole({ id: role.id }),
              purge: () => rpc.PurgeRole({ id: role.id }),
            }),
          ],
          { concurrency: "unbounded" },
        )
      }),
    )
    const [tenant, ...others] = s
    expect(tenant?.restored).toMatchObject({ id: tenant?.id, status: "active", deletedAt: null })
    expect(others.map((o) => o.restored)).toEqual([true, true, true, true])
    expect(s.map((o) => o.back)).toMatchObject(s.map((o) => ({ id: o.id, deletedAt: null })))
    expect(s.map((o) => [o.purged, o.unknown, o.again])).toEqual(Array(5).fill([true, "NotFound", "NotFound"]))
  })
  it("actions: update, applicability added and removed, delete; roles and blocks read and updated", async () => {
    const name = `rpc-act-${randomUUID().slice(0, 8)}`
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const action = yield* rpc.CreateAction({ name, applicability: [{ objectKind: "resource", objectType: null }] })
        const updated = yield* rpc.UpdateAction({ id: action.id, description: "approves" })
        const added = yield* rpc.AddActionApplicability({ actionId: action.id, objectKind: "entity" })
        const listed = yield* rpc.ListActionApplicability({ actionName: name })
        const removed = yield* rpc.RemoveActionApplicability({ actionId: action.id, objectKind: "resource" })
        const got = yield* rpc.GetAction({ id: action.id })
        const block = yield* rpc.CreatePermissionBlock({
          tenantId: null,
          scopeMode: "object_kind",
          objectKind: "entity",
          objectType: null,
          objectId: null,
          groupId: null,
          effect: "allow",
          conditions: {},
          actionIds: [action.id],
        })
        const blocks = yield* rpc.ListPermissionBlocks({ scopeMode: "object_kind", limit: 100 })
        const gotBlock = yield* rpc.GetPermissionBlock({ id: block.id })
        const blockGone = yield* rpc.DeletePermissionBlock({ id: block.id })
        const deleted = yield* rpc.DeleteAction({ id: action.id })
        const gone = yield* rpcError(rpc.GetAction({ id: action.id }))
        const role = yield* rpc.CreateRole({ name: `${name}-role`, tenantId: null, description: null })
        const renamed = yield* rpc.UpdateRole({ id: role.id, description: "approvers" })
        return {
          action,
          updated,
          added,
          listed,
          removed,
          got,
          block,
          blocks,
          gotBlock,
          blockGone,
          deleted,
          gone,
          renamed,
        }
      }),
    )
    expect(s.updated).toMatchObject({ id: s.action.id, name, description: "approves" })
    expect(s.added).toMatchObject({ actionId: s.action.id, actionName: name, objectKind: "entity", objectType: null })
    expect(s.listed.items.map((e) => e.objectKind).sort()).toEqual(["entity", "resource"])
    expect(s.removed).toBe(true)
    expect(s.got.applicability).toEqual([{ objectKind: "entity", objectType: null }])
    expect(s.blocks.items.map((b) => b.id)).toContain(s.block.id)
    expect(s.gotBlock).toMatchObject({ id: s.block.id, scopeMode: "object_kind" })
    expect([s.blockGone, s.deleted]).toEqual([true, true])
    expect(s.gone.code).toBe("NotFound")
    expect(s.renamed).toMatchObject({ description: "approvers" })
  })

  it("a custom endpoint created and enabled over RPC answers over HTTP; a bad document is refused as GraphQL does", async () => {
    const path = `/api/custom/rpc-${randomUUID().slice(0, 8)}`
    const definition = {
      key: path.slice(12),
      name: "who",
      method: "POST",
      path,
      operationKind: "query",
      graphql: "query Entity($id: ID!) { entity(id: $id) { id name } }",
      variablesMapping: { id: "$body.id" },
      responseMapping: { name: "$.entity.name" },
    }
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const draft = yield* rpc.CreateApiEndpoint(definition)
        const enabled = yield* rpc.EnableApiEndpoint({ id: draft.id })
        const updated = yield* rpc.UpdateApiEndpoint({ id: draft.id, name: "who is it" })
        const listed = yield* rpc.ListApiEndpoints({ status: "active", limit: 100 })
        const got = yield* rpc.GetApiEndpoint({ id: draft.id })
        const invalid = yield* rpcError(
          rpc.CreateApiEndpoint({
            ...definition,
            key: `${definition.key}-bad`,
            path: `${path}-bad`,
            graphql: "{ nope }",
          }),
        )
        return { draft, enabled, updated, listed, got, invalid }
      }),
    )
    expect(s.draft.status).toBe("draft")
    expect(s.enabled.status).toBe("active")
    expect(s.got).toMatchObject({ id: s.draft.id, name: "who is it", status: "active" })
    expect(s.listed.items.map((e) => e.id)).toContain(s.draft.id)
    const me = await viaHttp(admin, (rpc) => rpc.ListEntities({ q: "admin", limit: 1 }))
    const adminId = me.items[0]?.id
    const res = await fetch(`${t.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ id: adminId }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: "admin" })
    // the execution log is written behind the answer
    const executions = await viaHttp(admin, (rpc) =>
      rpc.ListApiEndpointExecutions({ endpointId: s.draft.id }).pipe(
        Effect.filterOrFail((page) => page.total > 0),
        Effect.retry({ times: 40, schedule: Schedule.spaced("50 millis") }),
      ),
    )
    expect(executions.items.map((x) => x.status)).toEqual(["success"])
    const disabled = await viaHttp(admin, (rpc) => rpc.DisableApiEndpoint({ id: s.draft.id }))
    expect(disabled.status).toBe("disabled")
    expect((await fetch(`${t.baseUrl}${path}`, { method: "POST", body: "{}" })).status).toBe(404)

    expect(s.invalid).toMatchObject({ code: "InvalidInput", status: 400 })
    const graphql = await gqlError(
      admin,
      "mutation($input: CreateApiEndpointInput!) { createApiEndpoint(input: $input) { id } }",
      { input: { ...definition, key: `${definition.key}-bad2`, path: `${path}-bad2`, graphql: "{ nope }" } },
    )
    expect(graphql).toBe(s.invalid.message)
  })
  it("membership and invitations: an invited user sees and accepts over RPC and then holds the role", async () => {
    const name = `rpc-member-${randomUUID().slice(0, 8)}`
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-mt-${randomUUID()}` })
        const device = yield* rpc.CreateEntity({ name: `rpc-mt-${randomUUID()}`, kind: "human" })
        const user = yield* rpc.CreateEntity({ name, kind: "human" })
        const assignable = yield* rpc.TenantAssignableEntities({ tenantId: tenant.id, q: device.name })
        // the password set over RPC is the one login accepts
        const password = yield* rpc.CreatePassword({ entityId: user.id, password: Redacted.make(PASSWORD) })
        const role = yield* rpc.CreateRole({ name: "members", tenantId: tenant.id, description: null })
        const added = yield* rpc.AddTenantMember({ tenantId: tenant.id, entityId: device.id })
        const members = yield* rpc.TenantMembers({ tenantId: tenant.id })
        const removed = yield* rpc.RemoveTenantMember({ tenantId: tenant.id, entityId: device.id })
        const afterRemove = yield* rpc.TenantMembers({ tenantId: tenant.id })
        const invitation = yield* rpc.CreateTenantInvitation({
          tenantId: tenant.id,
          inviteeUserId: user.id,
          roleId: role.id,
        })
        const pending = yield* rpc.TenantInvitations({ tenantId: tenant.id })
        return {
          tenant,
          device,
          user,
          password,
          role,
          assignable,
          added,
          members,
          removed,
          afterRemove,
          invitation,
          pending,
        }
      }),
    )
    expect(s.password).toBe(true)
    expect(s.assignable.items.map((m) => m.id)).toEqual([s.device.id])
    expect(s.added).toBe(true)
    expect(s.members.items.map((m) => m.id)).toContain(s.device.id)
    expect(s.removed).toBe(true)
    expect(s.afterRemove.items.map((m) => m.id)).not.toContain(s.device.id)
    expect(s.invitation).toMatchObject({ tenantId: s.tenant.id, inviteeUserId: s.user.id, roleId: s.role.id })
    expect(s.pending.items.map((i) => i.id)).toEqual([s.invitation.id])

    const token = await loginToken(t, name, PASSWORD)
    const mine = await viaHttp(token, (rpc) =>
      Effect.gen(function* () {
        const invitations = yield* rpc.MyTenantInvitations({})
        const accepted = yield* rpc.AcceptTenantInvitation({ tenantId: s.tenant.id })
        const roles = yield* rpc.MyTenantRoles({ tenantId: s.tenant.id })
        const refused = yield* rpcError(
          rpc.RevokeTenantInvitation({ tenantId: s.tenant.id, invitationId: s.invitation.id }),
        )
        return { invitations, accepted, roles, refused }
      }),
    )
    expect(mine.invitations.items.map((i) => i.id)).toEqual([s.invitation.id])
    expect(mine.accepted).toBe(true)
    expect(mine.roles.map((r) => r.roleId)).toContain(s.role.id)
    expect(mine.refused.code).toBe("Forbidden")
  })

  it("credentials, certificates, profiles, hygiene and signing keys answer as their services do", async () => {
    const s = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const device = yield* rpc.CreateEntity({ name: `rpc-cred-${randomUUID()}`, kind: "device" })
        const shared = yield* rpc.CreateSharedKey({
          entityId: device.id,
          description: "rpc",
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        const revealed = yield* rpc.RevealSharedKey({ entityId: device.id, credentialId: shared.credentialId })
        const minted = yield* rpc.CreateAccessToken({
          name: "rpc-token",
          permissions: [{ actions: ["read"], scopeMode: "platform" }],
        })
        const rescoped = yield* rpc.ReplaceAccessTokenPermissions({
          credentialId: minted.credentialId,
          permissions: [{ actions: ["read", "manage"], scopeMode: "platform" }],
        })
        const tokens = yield* rpc.ListAccessTokens({ limit: 100 })
        yield* rpc.IssueCertificate({ entityId: device.id, ttlSecs: 600 })
        yield* rpc.IssueCertificate({ entityId: device.id, ttlSecs: 600 })
        const revokedCount = yield* rpc.RevokeEntityCertificates({ entityId: device.id, reason: "keyCompromise" })
        const chain = yield* rpc.CaChain({})
        const expiring = yield* rpc.ExpiringCredentials({ days: 1, entityId: device.id })
        const orphans = yield* rpc.OrphanPolicies({})
        const profile = yield* rpc.CreateProfile({
          objectKind: "entity",
          kind: "device",
          key: `rpc-${randomUUID().slice(0, 8)}`,
          displayName: "Meter",
        })
        const version = yield* rpc.CreateProfileVersion({
          profileId: profile.id,
          version: 1,
          jsonSchema: { type: "object" },
        })
        const versions = yield* rpc.ProfileVersions({ profileId: profile.id })
        const updated = yield* rpc.UpdateProfile({ id: profile.id, displayName: "Water meter" })
        const got = yield* rpc.GetProfile({ id: profile.id })
        const listed = yield* rpc.ListProfiles({ objectKind: "entity", limit: 100 })
        const keysBefore = yield* rpc.SigningKeys({})
        const rotated = yield* rpc.RotateSigningKeys({})
        const keysAfter = yield* rpc.SigningKeys({})
        const status = yield* rpc.SystemStatus({})
        return {
          keysBefore,
          rotated,
          keysAfter,
          status,
          shared,
          revealed,
          minted,
          rescoped,
          tokens,
          revokedCount,
          chain,
          expiring,
          orphans,
          profile,
          version,
          versions,
          updated,
          got,
          listed,
        }
      }),
    )
    expect(s.revealed).toEqual(s.shared)
    expect(s.shared.key.length).toBeGreaterThan(20)
    expect(s.rescoped).toBe(true)
    const token = s.tokens.items.find((x) => x.credentialId === s.minted.credentialId)
    expect(token?.permissions.map((p) => p.actions)).toEqual([["manage", "read"]])
    expect(s.revokedCount).toBe(2)
    expect(s.chain).toContain("BEGIN CERTIFICATE")
    // the shared key expires within the day; the revoked certificates are not listed
    expect(s.expiring.map((c) => c.id)).toEqual([s.shared.credentialId])
    expect(Array.isArray(s.orphans)).toBe(true)
    expect(s.version).toMatchObject({ profileId: s.profile.id, version: 1 })
    expect(s.versions.map((v) => v.id)).toEqual([s.version.id])
    expect(s.got).toEqual(s.updated)
    expect(s.got.displayName).toBe("Water meter")
    expect(s.listed.items.map((p) => p.id)).toContain(s.profile.id)
    // a rotation adds a key (the old one still verifies: the admin's token keeps working below)
    expect(s.rotated).toBe(true)
    expect(s.keysAfter.length).toBe(s.keysBefore.length + 1)
    expect(s.status).toMatchObject({ database: { status: "ok" }, signingKeys: { status: "ok" } })
    const stillValid = await viaHttp(admin, (rpc) => rpc.SigningKeys({}))
    expect(stillValid.map((k) => k.kid).sort()).toEqual(s.keysAfter.map((k) => k.kid).sort())
  })
})
