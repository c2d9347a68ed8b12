import { randomUUID } from "node:crypto"
import { AuditQueue } from "@atom/services/audit"
import { makeRememberedCheck, type RememberedCheck } from "@atom/services/authz"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { loginToken } from "./adminToken.js"
import type { TestAtom } from "./startTestAtom.js"

// The set-up the remembered-check tests (gRPC Check, GraphQL authzCheck) share: a tenant with one human user
// who has a password, one channel resource, and the process's own remembered-check function to ask whether a
// question is answerable from memory.

const PASSWORD = "a-long-enough-password-1"

/** Runs one statement on the test Atom's database (fixture rows the contract has no operation for). */
export const runSql =
  (t: TestAtom) =>
  (text: string, params: ReadonlyArray<unknown> = []) =>
    t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe(text, params)))

export interface RememberedFixture {
  /** tenant, user and channel ids (fresh per test file) */
  readonly tenant: string
  readonly user: string
  readonly channel: string
  readonly userName: string
  readonly sql: ReturnType<typeof runSql>
  readonly remembered: RememberedCheck
  /** logs the user in with the password (a new session each time) */
  readonly login: () => Promise<string>
  /** bumps the authorization revision, as a write through the contract would */
  readonly bump: () => Promise<void>
  /** waits until the audit queue has written everything queued so far */
  readonly flushAudit: () => Promise<boolean>
}

/** The tenant, the user with a password and the channel; grants are each test file's own. */
export const rememberedFixture = async (t: TestAtom, prefix: string): Promise<RememberedFixture> => {
  const sql = runSql(t)
  const [tenant, user, channel] = [randomUUID(), randomUUID(), randomUUID()]
  const userName = `${prefix}-${user}`
  await sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [tenant, `${prefix}-${tenant}`])
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)", [user, userName, tenant])
  const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD))))
  await sql("INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)", [
    randomUUID(),
    user,
    hash,
  ])
  await sql("INSERT INTO resources (id, kind, name, tenant_id) VALUES ($1, 'channel', 'c', $2)", [channel, tenant])
  return {
    tenant,
    user,
    channel,
    userName,
    sql,
    remembered: makeRememberedCheck(await t.atom.runtime.runtime()),
    login: () => loginToken(t, userName, PASSWORD),
    bump: async () => {
      await sql("UPDATE authz_revision SET revision = revision + 1")
    },
    flushAudit: () => t.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush("30 seconds"))),
  }
}

/** Calls `call(i)` until `isRemembered()` (a fixture's bump is announced asynchronously); fails after 50 tries. */
export const warmUntilRemembered = async (
  call: (attempt: number) => Promise<unknown>,
  isRemembered: () => boolean,
): Promise<void> => {
  for (let i = 0; i < 50; i++) {
    await call(i)
    if (isRemembered()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error("the check never became answerable from memory")
}
