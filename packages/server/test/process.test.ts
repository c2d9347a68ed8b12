import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it, vi } from "vitest"
import { runCliInProcess } from "./support/cliInProcess.js"
import { grpcCaller } from "./support/grpcClient.js"
import { type SpawnedAtom, spawnAtom, waitReady } from "./support/spawnAtom.js"
import { TEST_KEK } from "./support/startTestAtom.js"
import { createTestDatabase, postgresUrl } from "./support/testDatabase.js"

// these spawn whole processes; on a loaded machine a cold start can take a while
vi.setConfig({ testTimeout: 240_000 })

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

/** The database the process runs on: a fresh Postgres database, or a fresh PGlite folder. */
const databaseEnv = async (): Promise<Record<string, string>> => {
  const server = postgresUrl()
  if (server) {
    const db = await createTestDatabase(server)
    cleanups.push(db.drop)
    return { DATABASE_URL: db.url, ATOM_KEY_ENCRYPTION_KEY: TEST_KEK, ATOM_CERTS_ENABLED: "false" }
  }
  const dir = mkdtempSync(join(tmpdir(), "atom-data-"))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return { ATOM_DATA_DIR: dir }
}

/** gRPC health answers SERVING, and SIGTERM ends the process with 0 within 10 s. */
const servesGrpcAndStops = async (atom: SpawnedAtom) => {
  const grpc = grpcCaller(`127.0.0.1:${atom.grpcPort}`)
  const health = await grpc.call("grpc.health.v1.Health", "Check", { service: "" })
  grpc.close()
  expect(health.response).toEqual({ status: "SERVING" })
  const stopAt = Date.now()
  atom.child.kill("SIGTERM")
  expect(await atom.exited).toBe(0)
  expect(Date.now() - stopAt).toBeLessThan(10_000)
}

describe("the atom process", () => {
  // on PGlite the embedded start below is this same start (a fresh data folder): it checks this there
  it.runIf(postgresUrl())("starts, answers HTTP and gRPC health, and exits 0 on SIGTERM", async () => {
    const env = await databaseEnv()
    const atom = await spawnAtom(["serve"], env)
    cleanups.push(() => void atom.child.kill("SIGKILL"))
    // the 15 s target is for an idle machine; here other test files share the two cores
    await waitReady(atom.httpPort, 120_000)
    await servesGrpcAndStops(atom)
  })

  it("applies migrations once: a second run against the same database applies nothing", async () => {
    const env = await databaseEnv()
    const first = await spawnAtom(["migrate"], env)
    expect(await first.exited).toBe(0)
    expect(first.output()).toMatch(/applied \d+ migrations/)
    const second = await spawnAtom(["migrate"], env)
    expect(await second.exited).toBe(0)
    expect(second.output()).toContain("database schema is up to date")
  })

  it("refuses bad configuration with one line and exit 2", async () => {
    // the real process once (nothing else reaches its output), the other settings in this process
    const atom = await spawnAtom(["serve"], { ATOM_DATA_DIR: "memory://", LISTEN_ADDR: "nowhere" })
    expect(await atom.exited).toBe(2)
    expect(atom.output().trim().split("\n")).toEqual([
      "atom: invalid configuration: LISTEN_ADDR must be an address like 0.0.0.0:8080",
    ])
    for (const [bad, message] of [
      [{ ATOM_LOG_FORMAT: "yaml" }, "invalid configuration: ATOM_LOG_FORMAT must be json or text"],
      [{ ATOM_DB_MAX_CONNECTIONS: "-1" }, "invalid configuration: ATOM_DB_MAX_CONNECTIONS must be a whole number"],
    ] as const) {
      const run = await runCliInProcess(["serve"], { ATOM_DATA_DIR: "memory://", ...bad })
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr.trim().split("\n")).toHaveLength(1)
      expect(run.stderr).toContain(`atom: ${message}`)
    }
  })

  it("fails fast with a clear message when DATABASE_URL cannot be reached", async () => {
    const atom = await spawnAtom(["serve"], {
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
      ATOM_DB_CONNECT_TIMEOUT_SECS: "2",
    })
    expect(await atom.exited).toBe(1)
    expect(atom.output()).toContain("startup failed: cannot connect to DATABASE_URL")
  })
})

describe("the zero-setup embedded start", () => {
  it("prints a generated bootstrap admin password once, and it logs in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atom-embedded-"))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const first = await spawnAtom(["serve"], { ATOM_DATA_DIR: dir })
    cleanups.push(() => void first.child.kill("SIGKILL"))
    await waitReady(first.httpPort, 120_000)
    const password = /password:\s+(\S+)/.exec(first.output())?.[1]
    expect(password).toBeDefined()
    const login = await fetch(`http://127.0.0.1:${first.httpPort}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "admin", secret: password }),
    })
    expect(login.status).toBe(200)
    await servesGrpcAndStops(first)

    // the same data folder again: keys and the password survive, nothing is printed
    const second = await spawnAtom(["serve"], { ATOM_DATA_DIR: dir })
    cleanups.push(() => void second.child.kill("SIGKILL"))
    await waitReady(second.httpPort, 120_000)
    expect(second.output()).not.toContain("password:")
    const again = await fetch(`http://127.0.0.1:${second.httpPort}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "admin", secret: password }),
    })
    expect(again.status).toBe(200)
    second.child.kill("SIGTERM")
    expect(await second.exited).toBe(0)
  })
})

describe.runIf(postgresUrl())("several replicas on one Postgres (runs when DATABASE_URL is set)", () => {
  it("two processes starting at once both come up on a fresh database", async () => {
    const env = await databaseEnv()
    const [a, b] = await Promise.all([spawnAtom(["serve"], env), spawnAtom(["serve"], env)])
    cleanups.push(
      () => void a.child.kill("SIGKILL"),
      () => void b.child.kill("SIGKILL"),
    )
    await Promise.all([waitReady(a.httpPort, 120_000), waitReady(b.httpPort, 120_000)])
    const bodies = await Promise.all(
      [a, b].map((x) => fetch(`http://127.0.0.1:${x.httpPort}/health/ready`).then((r) => r.json())),
    )
    expect(bodies[0].migrations).toEqual(bodies[1].migrations)
    a.child.kill("SIGTERM")
    b.child.kill("SIGTERM")
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0])
  })
})
