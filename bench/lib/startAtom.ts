import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { Effect } from "effect"
import { devCaFiles, generateDevCa } from "../../packages/engines/src/pki/index.js"
import { type Child, spawnNode } from "./child.js"

/** Where the benchmark reaches a running Atom (always loopback). */
export interface AtomEndpoints {
  readonly host: string
  readonly httpPort: number
  readonly grpcPort: number
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly httpUrl: string
  /** `127.0.0.1:<port>`, as grpc-js takes it. */
  readonly grpcAddress: string
}

export interface RunningAtomProcess extends AtomEndpoints {
  readonly child: Child
  readonly startupMs: number
  readonly stop: () => Promise<void>
}

/**
 * The node flags of `pnpm start:prod` (package.json), so a bench of the built bundle runs Atom as production does
 * (today the explicit V8 heap limit; later flags on the command line win).
 */
const productionNodeFlags = (): ReadonlyArray<string> => {
  const manifest: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
  const scripts =
    typeof manifest === "object" && manifest !== null && "scripts" in manifest ? manifest.scripts : undefined
  const command =
    typeof scripts === "object" && scripts !== null && "start:prod" in scripts ? scripts["start:prod"] : undefined
  if (typeof command !== "string") throw new Error("package.json has no scripts.start:prod")
  return command.split(/\s+/).filter((word) => word.startsWith("--"))
}

export interface StartAtomOptions {
  /** `memory://` (default) for an in-memory PGlite, or a folder. Ignored by the server when DATABASE_URL is set. */
  readonly dataDir?: string
  readonly readyTimeoutMs?: number
  /** Extra environment for the server (e.g. settings a scenario needs). */
  readonly env?: Readonly<Record<string, string>>
  /** Another entry point that ends up running the server (e.g. one that installs instrumentation first). */
  readonly entry?: string
  /** Run the built bundle (`pnpm build` → dist/atom.mjs) with plain node instead of the sources under tsx. */
  readonly built?: boolean
  /** Extra node flags (e.g. `--heapsnapshot-signal=SIGUSR2`). */
  readonly nodeFlags?: ReadonlyArray<string>
}

const HOST = "127.0.0.1"
const SERVER_ENTRY = "packages/server/src/main.ts"
const PROFILED_ENTRY = "bench/profiledEntry.ts"
const BUILT_ENTRY = "dist/atom.mjs"

/** A port the OS calls free right now (bound and released; the server binds it a moment later). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, HOST, () => {
      const address = srv.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))))
    })
  })

const isReady = async (url: string): Promise<boolean> => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

/** A fixed key-encryption key for the benchmarked Atom (base64 of 32 bytes). */
const BENCH_KEK = Buffer.alloc(32, 11).toString("base64")

/** The bootstrap admin's password in the benchmarked Atom (scenarios log in with it). */
export const BENCH_ADMIN_SECRET = "bench-admin-password-1"

/**
 * On Postgres Atom has no development CA (certificates need ATOM_CERTS_* files): unless the environment names
 * some, a development CA is written to a temporary folder once per bench process and its paths are passed.
 */
let benchCa: Promise<Readonly<Record<string, string>>> | undefined
const caFilesForPostgres = (env: NodeJS.ProcessEnv): Promise<Readonly<Record<string, string>>> => {
  const postgres = env.DATABASE_URL !== undefined && env.DATABASE_URL !== ""
  const configured = Object.keys(env).some((k) => k.startsWith("ATOM_CERTS_") && k.endsWith("_PATH"))
  if (!postgres || configured || env.ATOM_CERTS_ENABLED === "false") return Promise.resolve({})
  benchCa ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "atom-bench-ca-"))
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
    for (const [name, content] of Object.entries(devCaFiles(await Effect.runPromise(generateDevCa())))) {
      writeFileSync(join(dir, name), content, { mode: 0o600 })
    }
    return {
      ATOM_CERTS_ROOT_CA_CERT_PATH: join(dir, "root-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(dir, "intermediate-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(dir, "intermediate-ca.key"),
    }
  })()
  return benchCa
}

const startOnce = async (options: StartAtomOptions): Promise<RunningAtomProcess> => {
  const httpPort = await freePort()
  let grpcPort = await freePort()
  while (grpcPort === httpPort) grpcPort = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LISTEN_ADDR: `${HOST}:${httpPort}`,
    GRPC_ADDR: `${HOST}:${grpcPort}`,
    ATOM_DATA_DIR: options.dataDir ?? "memory://",
    ATOM_LOG_LEVEL: "warn",
    ATOM_RATE_LIMIT_ENABLED: "false",
    ADMIN_SECRET: BENCH_ADMIN_SECRET,
    // as in production: signing keys sealed, access tokens found by their HMAC digest rather than argon2
    ATOM_KEY_ENCRYPTION_KEY: BENCH_KEK,
    ...options.env,
  }
  Object.assign(env, await caFilesForPostgres(env))
  const started = performance.now()
  // ATOM_BENCH_PROFILE_DIR set: every Atom the bench starts writes a V8 CPU profile there on exit
  const profiled = process.env.ATOM_BENCH_PROFILE_DIR ? PROFILED_ENTRY : undefined
  const flags = options.nodeFlags ?? []
  const child = options.built
    ? spawnNode("atom", [...productionNodeFlags(), ...flags, BUILT_ENTRY, "serve"], env)
    : spawnNode("atom", [...flags, "--import", "tsx", options.entry ?? profiled ?? SERVER_ENTRY, "serve"], env)
  const httpUrl = `http://${HOST}:${httpPort}`
  // ATOM_BENCH_READY_TIMEOUT_MS: a longer wait on a machine loaded by others
  const readyTimeoutMs = options.readyTimeoutMs ?? (Number(process.env.ATOM_BENCH_READY_TIMEOUT_MS) || 120_000)
  const deadline = started + readyTimeoutMs
  while (!(await isReady(`${httpUrl}/health/ready`))) {
    if (!child.alive()) throw new Error(`atom exited (${await child.exited}) during startup\n${child.tail()}`)
    if (performance.now() > deadline) {
      await child.stop(5_000)
      throw new Error(`atom was not ready within ${readyTimeoutMs} ms\n${child.tail()}`)
    }
    await sleep(250)
  }
  return {
    host: HOST,
    httpPort,
    grpcPort,
    httpUrl,
    grpcAddress: `${HOST}:${grpcPort}`,
    child,
    startupMs: performance.now() - started,
    stop: () => child.stop(),
  }
}

/**
 * Spawns `packages/server/src/main.ts serve` on two free loopback ports and waits for `GET /health/ready` → 200.
 * Retries once if a port was taken in the gap between picking it and binding it.
 */
export const startAtom = async (options: StartAtomOptions = {}): Promise<RunningAtomProcess> => {
  try {
    return await startOnce(options)
  } catch (first) {
    const message = first instanceof Error ? first.message : String(first)
    if (!/EADDRINUSE/.test(message)) throw first
    return startOnce(options)
  }
}
