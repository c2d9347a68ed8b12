import { execFileSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { freePort } from "./spawnAtom.js"

const BIN = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"].find((d) =>
  existsSync(join(d, "pg_ctl")),
)

export const hasPostgresBinaries = BIN !== undefined

/** Postgres refuses to run as root, so as root we run its binaries as the postgres user. */
const run = (tool: string, args: ReadonlyArray<string>) => {
  if (!BIN) throw new Error("no Postgres binaries under /usr/lib/postgresql")
  const path = join(BIN, tool)
  const [cmd, argv] = userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args]
  return execFileSync(cmd, argv, { stdio: "pipe", timeout: 60_000 }).toString()
}

/** A throwaway Postgres instance the test starts and stops itself, on a temp folder and port. */
export const startPrivatePostgres = async () => {
  const dir = mkdtempSync(join(tmpdir(), "atom-pg-"))
  const data = join(dir, "data")
  if (userInfo().uid === 0)
    chownSync(
      dir,
      Number(execFileSync("id", ["-u", "postgres"]).toString()),
      Number(execFileSync("id", ["-g", "postgres"]).toString()),
    )
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
  const port = await freePort()
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-w",
      "-t",
      "30",
      "-l",
      join(dir, "log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ])
  const stop = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: () => {
      try {
        stop()
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
