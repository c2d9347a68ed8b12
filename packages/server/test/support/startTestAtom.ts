import type { AtomConfigShape } from "@atom/domain/config"
import { Effect } from "effect"
import { type Env, loadConfig } from "../../src/config/loadConfig.js"
import { type RunningAtom, startAtom } from "../../src/startAtom.js"
import { loadImage } from "./pgliteImage.js"
import { SLOW_START_MS, slowStartReport } from "./slowStartReport.js"
import { createTestDatabase, postgresUrl } from "./testDatabase.js"

/** The bootstrap admin's password in every test Atom (identifier `admin`). */
export const ADMIN_PASSWORD = "test-admin-password-123"

/** A fixed key-encryption key for tests (base64 of 32 bytes). */
export const TEST_KEK = Buffer.alloc(32, 7).toString("base64")

export interface TestAtom {
  readonly atom: RunningAtom
  readonly config: AtomConfigShape
  readonly baseUrl: string
  readonly grpcAddress: string
  readonly close: () => Promise<void>
}

/** Atom on ephemeral ports, on a fresh in-memory PGlite or a fresh Postgres database. */
export const startTestAtom = async (
  env: Env = {},
  options: { readonly ownDatabase?: boolean } = {},
): Promise<TestAtom> => {
  // ownDatabase: the caller's env names the database itself (e.g. a private Postgres)
  const server = options.ownDatabase ? undefined : postgresUrl()
  const database = server ? await createTestDatabase(server) : undefined
  const config = await Effect.runPromise(
    loadConfig({
      LISTEN_ADDR: "127.0.0.1:0",
      GRPC_ADDR: "127.0.0.1:0",
      ATOM_DATA_DIR: "memory://",
      ATOM_LOG_LEVEL: "error",
      ATOM_DB_MAX_CONNECTIONS: "5",
      ADMIN_SECRET: ADMIN_PASSWORD,
      ATOM_KEY_ENCRYPTION_KEY: TEST_KEK,
      ATOM_RATE_LIMIT_ENABLED: "false",
      ...(database ? { DATABASE_URL: database.url } : {}),
      // on Postgres there is no data folder for a development CA: tests that need the CA pass CA files
      ...(database || env.DATABASE_URL ? { ATOM_CERTS_ENABLED: "false" } : {}),
      ...env,
    }),
  )
  // a start that hangs (seen once in CI: a transaction left open at startup) says what it waits on
  const slow = setTimeout(() => {
    void slowStartReport(database?.url).then((report) => process.stderr.write(`${report}\n`))
  }, SLOW_START_MS)
  const atom = await startAtom(config, { pgliteImage: database ? undefined : loadImage() }).finally(() =>
    clearTimeout(slow),
  )
  return {
    atom,
    config,
    baseUrl: `http://127.0.0.1:${atom.httpPort}`,
    grpcAddress: `127.0.0.1:${atom.grpcPort}`,
    close: async () => {
      await atom.stop(2000)
      await database?.drop()
    },
  }
}
