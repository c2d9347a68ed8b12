/**
 * Main-thread CPU of one password login, everything but the hash: `npx tsx bench/loginPath.ts [--logins 3000]
 * [--profile file.cpuprofile]` (DATABASE_URL selects Postgres).
 *
 * Starts Atom in this process with argon2id at minimal parameters (m=8 KiB, t=1: microseconds, still on the
 * worker pool), then posts `/auth/login` back to back over one keep-alive connection and reports this process's
 * CPU per login (user + system), beside the same for `GET /health/live` (the HTTP client's and server's own
 * share, to subtract). Without the 12 ms hash and the other core's argon2 traffic in the caches, what is left
 * is the login's own cost on the event loop: parsing, lookup, session statement, JWT, response.
 */
import { writeFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { Session } from "node:inspector"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { loadConfig } from "../packages/server/src/config/loadConfig.js"
import { startAtom } from "../packages/server/src/startAtom.js"
import { PasswordHasher } from "../packages/services/src/passwords/index.js"

const { values } = parseArgs({ options: { logins: { type: "string" }, profile: { type: "string" } } })
const logins = Number(values.logins ?? 3000)
const SECRET = "bench-admin-password-1"

const config = await Effect.runPromise(
  loadConfig({
    LISTEN_ADDR: "127.0.0.1:0",
    GRPC_ADDR: "127.0.0.1:0",
    ATOM_DATA_DIR: "memory://",
    ATOM_LOG_LEVEL: "error",
    ADMIN_SECRET: SECRET,
    ATOM_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    ATOM_RATE_LIMIT_ENABLED: "false",
    ATOM_LOGIN_FAILURE_LIMIT: "1000000",
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, ATOM_CERTS_ENABLED: "false" } : {}),
  }),
)
const atom = await startAtom(config, { passwordHasher: PasswordHasher.Test })
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
const body = JSON.stringify({ identifier: "admin", secret: SECRET })

const call = (method: "GET" | "POST", path: string, payload?: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: atom.httpPort, method, path, agent, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      },
    )
    req.on("error", reject)
    req.end(payload)
  })

const perCall = async (n: number, one: () => Promise<number>, expected: number) => {
  const before = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const status = await one()
    if (status !== expected) throw new Error(`status ${status}`)
  }
  const used = process.cpuUsage(before)
  return { cpuMs: (used.user + used.system) / 1000 / n, wallMs: (performance.now() - t0) / n }
}

const login = () => call("POST", "/auth/login", body)
const health = () => call("GET", "/health/live")
try {
  await perCall(Math.min(500, logins), login, 200)
  await perCall(2000, health, 200)
  const session = values.profile ? new Session() : undefined
  session?.connect()
  session?.post("Profiler.enable")
  session?.post("Profiler.start")
  const l = await perCall(logins, login, 200)
  if (session && values.profile) {
    const file = values.profile
    await new Promise<void>((done) =>
      session.post("Profiler.stop", (err, result) => {
        if (err === null) writeFileSync(file, JSON.stringify(result.profile))
        done()
      }),
    )
  }
  const h = await perCall(logins, health, 200)
  process.stdout.write(
    `login: ${l.cpuMs.toFixed(3)} CPU ms (${l.wallMs.toFixed(3)} wall) per call; health/live: ${h.cpuMs.toFixed(3)} ` +
      `(${h.wallMs.toFixed(3)}); login less health: ${(l.cpuMs - h.cpuMs).toFixed(3)} CPU ms\n`,
  )
} finally {
  agent.destroy()
  await atom.stop(2000)
}
