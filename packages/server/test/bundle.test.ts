import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { grpcCaller } from "./support/grpcClient.js"
import { childPids, commandLine, isLive } from "./support/procfs.js"
import { spawnAtom, waitReady } from "./support/spawnAtom.js"
import { TEST_KEK } from "./support/startTestAtom.js"
import { createTestDatabase, postgresUrl } from "./support/testDatabase.js"

// a build and a cold start of the bundle, on two cores shared with other test files
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 })

const ADMIN_SECRET = "bundle-test-admin-1"
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

beforeAll(async () => {
  // `pnpm build`: dist/atom.mjs and dist/auditWriterWorker.mjs
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: ROOT })
  expect(stdout).toContain("0 warnings")
})

const databaseEnv = async (): Promise<Record<string, string>> => {
  const server = postgresUrl()
  if (server) {
    const db = await createTestDatabase(server)
    cleanups.push(db.drop)
    // on a server database the bootstrap admin's password is configured, not generated
    return { DATABASE_URL: db.url, ATOM_KEY_ENCRYPTION_KEY: TEST_KEK, ATOM_CERTS_ENABLED: "false", ADMIN_SECRET }
  }
  const dir = mkdtempSync(join(tmpdir(), "atom-bundle-"))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return { ATOM_DATA_DIR: dir }
}

const login = (port: number, secret: string) =>
  fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier: "admin", secret }),
  })

/** Denied logins stored in audit_logs (a count in the database, through GraphQL). */
const deniedLogins = async (port: number, token: string): Promise<number> => {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: `{ auditLogs(event: "auth.login", outcome: deny, limit: 1) { total } }` }),
  })
  const body: unknown = await res.json()
  const total = /"total":(\d+)/.exec(JSON.stringify(body))?.[1]
  if (total === undefined) throw new Error(`auditLogs failed: ${JSON.stringify(body)}`)
  return Number(total)
}

describe("the built bundle (pnpm build, pnpm start:prod)", () => {
  it("starts with plain node, logs in on its hashing threads, queues audit through its writer, exits 0 on SIGTERM", async () => {
    const atom = await spawnAtom(["serve"], await databaseEnv(), { built: true })
    cleanups.push(() => void atom.child.kill("SIGKILL"))
    await waitReady(atom.httpPort, 120_000)
    // embedded: the generated password printed once
    const password = postgresUrl() ? ADMIN_SECRET : /password:\s+(\S+)/.exec(atom.output())?.[1]
    if (password === undefined) throw new Error(`no bootstrap password printed:\n${atom.output()}`)

    // argon2 verification runs in the bundle's hashing workers: a right and a wrong password
    const ok = await login(atom.httpPort, password)
    expect(ok.status).toBe(200)
    const body: unknown = await ok.json()
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(body))?.[1]
    if (token === undefined) throw new Error("the login answered no token")
    expect((await login(atom.httpPort, "not-the-password")).status).toBe(401)

    // the denial goes through the hot-path queue (on Postgres: the dist/auditWriterWorker.mjs process)
    const until = Date.now() + 30_000
    let stored = await deniedLogins(atom.httpPort, token)
    while (stored < 1 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200))
      stored = await deniedLogins(atom.httpPort, token)
    }
    expect(stored).toBe(1)
    // on Postgres that writer is Atom's one child process, under its own title
    const writerPids = childPids(atom.child.pid ?? 0).filter((pid) => commandLine(pid).startsWith("atom-audit-writer"))
    expect(writerPids).toHaveLength(postgresUrl() ? 1 : 0)

    const grpc = grpcCaller(`127.0.0.1:${atom.grpcPort}`)
    const health = await grpc.call("grpc.health.v1.Health", "Check", { service: "" })
    grpc.close()
    expect(health.response).toEqual({ status: "SERVING" })
    atom.child.kill("SIGTERM")
    expect(await atom.exited).toBe(0)
    // closed by Atom before it exited: not left behind
    expect(writerPids.filter(isLive)).toEqual([])
  })
})
