import Pg from "pg"
import { describe, expect, it } from "vitest"
import { slowStartReport } from "./support/slowStartReport.js"
import { createTestDatabase, postgresUrl } from "./support/testDatabase.js"

const server = postgresUrl()

describe("the report of a test Atom that does not start", () => {
  // the signature of the hang seen once in CI: a session left idle in its transaction after a read
  it.runIf(server !== undefined)(
    "names a session idle in its transaction and its last statement (needs DATABASE_URL)",
    async () => {
      const database = await createTestDatabase(server ?? "")
      const stuck = new Pg.Client({ connectionString: database.url, application_name: "stuck-startup" })
      await stuck.connect()
      try {
        await stuck.query("BEGIN")
        await stuck.query("SELECT 42 AS   the_last_read")
        const report = await slowStartReport(database.url)
        expect(report).toMatch(/has not started after 60 s/)
        expect(report).toMatch(
          /\d+ stuck-startup: idle in transaction \(Client:ClientRead\), transaction open \d+ s; last: SELECT 42 AS the_last_read/,
        )
        // its own session is not listed
        expect(report).not.toContain("atom-test-report")
      } finally {
        await stuck.end()
        await database.drop()
      }
    },
  )

  it("still reports this process's resources when the database cannot be read, and throws nothing", async () => {
    const report = await slowStartReport("postgres://postgres@127.0.0.1:1/nowhere")
    expect(report).toMatch(/its database's sessions could not be read: .*ECONNREFUSED/)
    expect(report).toMatch(/active resources: .*\S/)
  })

  it("leaves the database out on PGlite", async () => {
    const report = await slowStartReport(undefined)
    expect(report).not.toContain("session")
    expect(report).toContain("active resources:")
  })
})
