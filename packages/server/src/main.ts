import { existsSync } from "node:fs"
import { NodeContext } from "@effect/platform-node"
import { Effect } from "effect"
import { atomCli, failureOfExit } from "./cli/runAtom.js"

// `atom <command>`: the command line is cli/runAtom.ts; this file is the process around it

const main = async () => {
  if (existsSync(".env")) process.loadEnvFile(".env")
  const exit = await Effect.runPromiseExit(atomCli(process.argv).pipe(Effect.provide(NodeContext.layer)))
  const failure = failureOfExit(exit)
  if (failure === undefined) return
  if (failure.message !== undefined) process.stderr.write(`atom: ${failure.message}\n`)
  process.exitCode = failure.exitCode
}

void main()
