import Pg from "pg"

/** How long a test Atom may take to start before its test process describes what it is waiting on. */
export const SLOW_START_MS = 60_000

/**
 * What a test Atom that has not started is waiting on: the sessions of its Postgres database (state, wait
 * event, how long the transaction has been open, the last statement) and the kinds of resources keeping this
 * process's event loop busy. One text for stderr; a failure to read either is part of the text, never thrown.
 */
export const slowStartReport = async (databaseUrl: string | undefined): Promise<string> => {
  const lines = [`test Atom has not started after ${SLOW_START_MS / 1000} s (pid ${process.pid})`]
  if (databaseUrl !== undefined) {
    const client = new Pg.Client({ connectionString: databaseUrl, application_name: "atom-test-report" })
    try {
      await client.connect()
      const { rows } = await client.query<{
        pid: number
        application_name: string
        state: string | null
        wait: string | null
        xact_secs: number | null
        query: string
      }>(
        `SELECT pid, application_name, state,
                wait_event_type || ':' || wait_event AS wait,
                round(extract(epoch FROM now() - xact_start))::int AS xact_secs,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
           FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
          ORDER BY backend_start`,
      )
      lines.push(`  ${rows.length} session(s) on its database:`)
      for (const r of rows) {
        const xact = r.xact_secs === null ? "" : `, transaction open ${r.xact_secs} s`
        lines.push(
          `    ${r.pid} ${r.application_name}: ${r.state ?? "?"}${r.wait ? ` (${r.wait})` : ""}${xact}; last: ${r.query}`,
        )
      }
    } catch (e) {
      lines.push(`  its database's sessions could not be read: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  const resources = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) resources.set(kind, (resources.get(kind) ?? 0) + 1)
  lines.push(`  active resources: ${[...resources].map(([kind, n]) => `${kind} ×${n}`).join(", ") || "none"}`)
  return lines.join("\n")
}
