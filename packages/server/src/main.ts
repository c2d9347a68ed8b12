import { existsSync } from "node:fs"
import { Effect, Either } from "effect"
import { loadConfig } from "./config/loadConfig.js"
import { describeError } from "./describeError.js"

// each command loads only what it runs: `migrate` and `audit verify` never load the server stack

const SHUTDOWN_BUDGET_MS = 10_000

const fail = (message: string, code = 1): never => {
  process.stderr.write(`atom: ${message}\n`)
  process.exit(code)
}

const main = async () => {
  if (existsSync(".env")) process.loadEnvFile(".env")
  const [command = "serve", ...rest] = process.argv.slice(2)
  if (command === "--help" || command === "help") {
    process.stdout.write(
      "usage: atom [serve | migrate | audit verify]\n  serve         start the HTTP and gRPC listeners (default)\n  migrate       apply pending database migrations and exit\n  audit verify  check every audit hash chain; exit 1 at a broken link\n",
    )
    return
  }
  const auditVerify = command === "audit" && rest.length === 1 && rest[0] === "verify"
  if (!auditVerify && (rest.length > 0 || (command !== "serve" && command !== "migrate")))
    fail(`unknown command: ${process.argv.slice(2).join(" ")} (try --help)`, 2)

  const config = Either.getOrElse(Effect.runSync(Effect.either(loadConfig(process.env))), (e) => fail(e.message, 2))
  if (auditVerify) {
    const { runAuditVerifyCommand } = await import("./auditVerify.js")
    process.exitCode = await runAuditVerifyCommand(config).catch((e: unknown) => fail(describeError(e)))
    return
  }
  if (command === "migrate") {
    const { runMigrateCommand } = await import("./migrateCommand.js")
    await runMigrateCommand(config).catch((e: unknown) => fail(describeError(e)))
    return
  }

  const { startAtom } = await import("./startAtom.js")
  const atom = await startAtom(config).catch((e: unknown) => fail(`startup failed: ${describeError(e)}`))
  const shutdown = (signal: string) => {
    const force = setTimeout(
      () => fail(`shutdown after ${signal} took longer than ${SHUTDOWN_BUDGET_MS} ms`),
      SHUTDOWN_BUDGET_MS,
    )
    force.unref()
    atom
      .stop(SHUTDOWN_BUDGET_MS - 2000)
      .then(() => process.exit(0))
      .catch((e: unknown) => fail(`shutdown failed: ${describeError(e)}`))
  }
  process.once("SIGTERM", () => shutdown("SIGTERM"))
  process.once("SIGINT", () => shutdown("SIGINT"))
}

void main()
