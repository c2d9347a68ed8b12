import { existsSync } from "node:fs"
import { Command } from "@effect/cli"
import { isValidationError } from "@effect/cli/ValidationError"
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit, Option } from "effect"
import { atomCommand } from "./cli/commands.js"
import { describeError } from "./describeError.js"

// `atom <command>`: parsing and help by @effect/cli; each command loads only what it runs (cli/commands.ts)

const cli = Command.run(atomCommand, { name: "atom", version: "0.1.0" })

const main = async () => {
  if (existsSync(".env")) process.loadEnvFile(".env")
  const exit = await Effect.runPromiseExit(cli(process.argv).pipe(Effect.provide(NodeContext.layer)))
  if (Exit.isSuccess(exit)) return
  const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
  // @effect/cli has already printed what was wrong with the command line (and the help for it)
  if (failure !== undefined && isValidationError(failure)) {
    process.exitCode = 2
    return
  }
  const message =
    failure !== undefined && failure._tag === "CliFailure" ? failure.message : describeError(Cause.squash(exit.cause))
  process.stderr.write(`atom: ${message}\n`)
  process.exitCode = failure !== undefined && failure._tag === "CliFailure" ? failure.exitCode : 1
}

void main()
