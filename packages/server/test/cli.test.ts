import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadIssuer } from "@atom/engines/pki"
import { Effect } from "effect"
import { afterAll, describe, expect, it, vi } from "vitest"
import { runCliInProcess } from "./support/cliInProcess.js"
import { plain, runCli } from "./support/runCli.js"
import { spawnAtom, waitReady } from "./support/spawnAtom.js"
import { TEST_KEK } from "./support/startTestAtom.js"
import { createTestDatabase, postgresUrl } from "./support/testDatabase.js"

// Most cases run the command line in this process (support/cliInProcess.ts); the real `atom` process is
// spawned only where the process itself is what is tested: an exit code set by main.ts, stdin, a server.
// On a loaded machine each spawn takes seconds.
vi.setConfig({ testTimeout: 300_000 })

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A fresh Postgres database when DATABASE_URL is set, else a fresh PGlite folder. */
const databaseEnv = async (): Promise<Record<string, string>> => {
  const server = postgresUrl()
  if (server) {
    const db = await createTestDatabase(server)
    cleanups.push(db.drop)
    return { DATABASE_URL: db.url, ATOM_KEY_ENCRYPTION_KEY: TEST_KEK, ATOM_CERTS_ENABLED: "false" }
  }
  return { ATOM_DATA_DIR: tempDir("atom-cli-data-") }
}

describe("atom --help", () => {
  it("lists every command, and each command explains its arguments", async () => {
    const top = await runCliInProcess(["--help"])
    const check = await runCliInProcess(["check", "--help"])
    const caInit = await runCliInProcess(["ca", "init", "--help"])
    expect(top.code).toBe(0)
    const help = plain(top.stdout)
    for (const command of ["serve", "migrate", "audit verify", "ca init", "admin reset-password", "check"]) {
      expect(help).toContain(`- ${command}`)
    }
    expect(check.code).toBe(0)
    expect(plain(check.stdout)).toContain("<subject> <action> <object>")
    expect(plain(check.stdout)).toContain("exit 0 allowed, 3 denied")
    expect(caInit.code).toBe(0)
    expect(plain(caInit.stdout)).toMatch(/--dev[\s\S]*--prod[\s\S]*--out/)
  })
})

describe("bad input", () => {
  it("exits 2 with a clear message and writes nothing", async () => {
    const out = tempDir("atom-cli-ca-")
    // the real process: main.ts turns @effect/cli's refusal into exit 2 (process.test.ts spawns a CliFailure)
    const unknown = await runCli(["bogus"], {})
    expect(unknown.code).toBe(2)
    expect(plain(unknown.stderr)).toContain("Invalid subcommand for atom")
    expect((await runCliInProcess(["bogus"])).code).toBe(2)

    const memory = { ATOM_DATA_DIR: "memory://" }
    const neither = await runCliInProcess(["ca", "init", "--out", out])
    const both = await runCliInProcess(["ca", "init", "--dev", "--prod", "--out", out])
    const badSubject = await runCliInProcess(["check", "nope", "read", "platform"], memory)
    const badContext = await runCliInProcess(["check", "--context", "[1", ADMIN_ID, "read", "platform"], memory)
    const missingArg = await runCliInProcess(["admin", "reset-password"])
    const badConfig = await runCliInProcess(["migrate"], { ...memory, LISTEN_ADDR: "nowhere" })
    expect(neither.code).toBe(2)
    expect(neither.stderr).toContain("atom: ca init needs exactly one of --dev or --prod")
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("exactly one of --dev or --prod")
    expect(badSubject.code).toBe(2)
    expect(badSubject.stderr).toContain("atom: invalid subject_id: expected UUID")
    expect(badContext.code).toBe(2)
    expect(badContext.stderr).toContain("atom: --context must be a JSON object")
    expect(missingArg.code).toBe(2)
    expect(plain(missingArg.stderr)).toContain("entity")
    expect(badConfig.code).toBe(2)
    expect(badConfig.stderr.trim()).toBe(
      "atom: invalid configuration: LISTEN_ADDR must be an address like 0.0.0.0:8080",
    )
    expect(existsSync(join(out, "root-ca.crt"))).toBe(false)
  })
})

describe("atom ca init", () => {
  it("writes a development and a production CA that load as issuers; never overwrites", async () => {
    const dev = join(tempDir("atom-cli-ca-"), "dev")
    const prod = join(tempDir("atom-cli-ca-"), "prod")
    const devRun = await runCliInProcess(["ca", "init", "--dev", "--out", dev])
    const prodRun = await runCliInProcess([
      "ca",
      "init",
      "--prod",
      "--org",
      "Example Corp",
      "--days",
      "365",
      "--out",
      prod,
    ])
    expect(devRun.code).toBe(0)
    expect(prodRun.code).toBe(0)
    expect(prodRun.stdout).toContain(`ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH=${join(prod, "intermediate-ca.key")}`)
    expect(prodRun.stdout).toContain("ATOM_CERTS_CA_MODE=file_intermediate_issuer")

    const read = (path: string) => readFileSync(path, "utf8")
    for (const [dir, rootKey] of [
      [dev, join(dev, "root-ca.key")],
      [prod, join(prod, "offline", "root-ca.key")],
    ] as const) {
      expect(statSync(join(dir, "intermediate-ca.key")).mode & 0o777).toBe(0o600)
      expect(statSync(rootKey).mode & 0o777).toBe(0o600)
      const issuer = await Effect.runPromise(
        loadIssuer({
          mode: "file_intermediate_issuer",
          rootCertPem: read(join(dir, "root-ca.crt")),
          intermediateCertPem: read(join(dir, "intermediate-ca.crt")),
          intermediateKeyPem: read(join(dir, "intermediate-ca.key")),
        }),
      )
      expect(issuer.kind).toBe("intermediate")
      const root = await Effect.runPromise(
        loadIssuer({
          mode: "file_root_issuer",
          rootCertPem: read(join(dir, "root-ca.crt")),
          rootKeyPem: read(rootKey),
        }),
      )
      expect(root.kind).toBe("root")
    }
    expect(existsSync(join(prod, "root-ca.key"))).toBe(false)
    const prodIssuer = await Effect.runPromise(
      loadIssuer({
        mode: "file_intermediate_issuer",
        rootCertPem: read(join(prod, "root-ca.crt")),
        intermediateCertPem: read(join(prod, "intermediate-ca.crt")),
        intermediateKeyPem: read(join(prod, "intermediate-ca.key")),
      }),
    )
    expect(prodIssuer.subject).toContain("Example Corp Intermediate CA")
    const dayMs = 86_400_000
    expect(Math.abs(prodIssuer.notAfter.getTime() - Date.now() - 365 * dayMs)).toBeLessThan(dayMs)

    const before = read(join(dev, "intermediate-ca.key"))
    const again = await runCliInProcess(["ca", "init", "--dev", "--out", dev])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("refusing to overwrite an existing CA")
    expect(read(join(dev, "intermediate-ca.key"))).toBe(before)
  })
})

describe("commands on the configured database", () => {
  // three processes one after another (the rest in this process), then a server
  it("migrate, check, admin reset-password and audit verify; the new password logs in", {
    timeout: 900_000,
  }, async () => {
    const env = await databaseEnv()
    // one at a time: an embedded database belongs to one process (each in-process command closes it again)
    const migrated = await runCliInProcess(["migrate"], env)
    expect(migrated.code).toBe(0)

    const allowed = await runCliInProcess(["check", ADMIN_ID, "read", `entity:${ADMIN_ID}`], env)
    expect(allowed.stdout.trim()).toBe("allow (allowed): allowed")
    expect(allowed.code).toBe(0)
    // a real process: a denial exits 3
    const denied = await runCli(["check", "00000000-0000-0000-0000-0000000000ff", "read", "tenant:" + ADMIN_ID], env)
    expect(denied.stdout.trim()).toBe("deny (subject_not_found): subject not found")
    expect(denied.code).toBe(3)

    // real processes: the password comes on stdin
    const weak = await runCli(["admin", "reset-password", ADMIN_ID, "--password-stdin"], env, "short\n")
    expect(weak.code).toBe(2)
    expect(weak.stderr).not.toContain("short")
    const chosen = await runCli(
      ["admin", "reset-password", "--password-stdin", ADMIN_ID],
      env,
      "A-chosen-Passw0rd-here\n",
    )
    expect(chosen.code).toBe(0)
    expect(chosen.stdout).not.toContain("A-chosen-Passw0rd-here")
    const reset = await runCliInProcess(["admin", "reset-password", "admin"], env)
    expect(reset.code).toBe(0)
    const password = /new password \(shown once\): (\S+)/.exec(reset.stdout)?.[1]
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    const missing = await runCliInProcess(["admin", "reset-password", "nobody-by-that-name"], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("entity nobody-by-that-name not found")

    const verified = await runCliInProcess(["audit", "verify"], env)
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(/audit verify: [1-9]\d* rows in \d+ chains, ok/)

    const atom = await spawnAtom(["serve"], env)
    cleanups.push(() => void atom.child.kill("SIGKILL"))
    await waitReady(atom.httpPort, 180_000)
    const login = (secret: string) =>
      fetch(`http://127.0.0.1:${atom.httpPort}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier: "admin", secret }),
      }).then(
        (r) => r.status,
        (e: unknown) => {
          throw new Error(`login request failed: ${String(e)}; server output: ${atom.output()}`)
        },
      )
    expect(await login(password ?? "")).toBe(200)
    // the earlier password was revoked by the later reset
    expect(await login("A-chosen-Passw0rd-here")).toBe(401)
    atom.child.kill("SIGTERM")
    expect(await atom.exited).toBe(0)
  })
})
