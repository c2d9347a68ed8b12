import { randomUUID } from "node:crypto"
import Pg from "pg"

/** The Postgres server the run targets, or undefined for embedded PGlite. */
export const postgresUrl = (): string | undefined => process.env.DATABASE_URL || undefined

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** A fresh database on the run's Postgres for one test file; `drop` removes it. */
export const createTestDatabase = async (serverUrl: string) => {
  const name = `atom_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`
  const admin = new Pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const c = new Pg.Client({ connectionString: serverUrl })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/** Pool settings for a test's own pool of one connection (every statement on the same session). */
export const singleConnectionPool = (preparedStatements = false) => ({
  maxConnections: 1,
  minConnections: 0,
  connectTimeoutSecs: 10,
  idleTimeoutSecs: 60,
  maxLifetimeSecs: 600,
  applicationName: "atom-test",
  preparedStatements,
})
