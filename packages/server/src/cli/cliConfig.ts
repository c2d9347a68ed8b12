import type { AtomConfigShape } from "@atom/domain/config"
import { Effect } from "effect"
import { loadConfig } from "../config/loadConfig.js"
import { badInput, type CliFailure } from "./CliFailure.js"

/** The configuration from the environment (and `.env`); a bad setting is bad input (exit 2). */
export const cliConfig: Effect.Effect<AtomConfigShape, CliFailure> = Effect.suspend(() =>
  Effect.mapError(loadConfig(process.env), (e) => badInput(e.message)),
)
