import type { AtomConfigShape } from "@atom/domain/config"
import { DbLive } from "@atom/repositories/db"
import { type CheckRequestFields, Pdp, parseCheckRequest } from "@atom/services/authz"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { describeError } from "../describeError.js"
import { badInput, CliFailure, failedWith } from "./CliFailure.js"

/** Exit code of a denied check, so scripts can branch on the decision (0 = allowed). */
export const DENIED_EXIT_CODE = 3

/** `platform`, `<kind>:<id>` (tenant, entity, group, credential, resource) or a bare resource id. */
export const objectFields = (object: string): Pick<CheckRequestFields, "objectKind" | "objectId" | "resourceId"> => {
  const trimmed = object.trim()
  if (trimmed === "platform") return { objectKind: "platform" }
  const colon = trimmed.indexOf(":")
  return colon < 0
    ? { resourceId: trimmed }
    : { objectKind: trimmed.slice(0, colon), objectId: trimmed.slice(colon + 1) }
}

const parseContext = (text: string | undefined): Effect.Effect<unknown, CliFailure> =>
  text === undefined
    ? Effect.succeed({})
    : Effect.try({ try: (): unknown => JSON.parse(text), catch: () => badInput("--context must be a JSON object") })

export interface CheckLine {
  readonly allowed: boolean
  readonly line: string
}

/** `atom check`: one decision by the PDP in this process, on the configured database; nothing is written. */
export const runCheck = (
  config: AtomConfigShape,
  input: {
    readonly subject: string
    readonly action: string
    readonly object: string
    readonly context: string | undefined
  },
): Effect.Effect<CheckLine, CliFailure> =>
  Effect.gen(function* () {
    const context = yield* parseContext(input.context)
    const question = yield* Effect.mapError(
      parseCheckRequest(
        { subjectId: input.subject, action: input.action, ...objectFields(input.object), context },
        "grpc",
      ),
      (e) => badInput(e.message),
    )
    const pdp = yield* Pdp
    const { decision } = yield* pdp.check(question)
    return {
      allowed: decision.allowed,
      line: `${decision.allowed ? "allow" : "deny"} (${decision.code}): ${decision.reason}`,
    }
  }).pipe(
    Effect.provide(
      Pdp.Live.pipe(
        Layer.provideMerge(DbLive({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.db })),
      ),
    ),
    Effect.mapError((e) => (e instanceof CliFailure ? e : failedWith(describeError(e)))),
    Logger.withMinimumLogLevel(LogLevel.Warning),
  )
