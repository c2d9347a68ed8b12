import { Effect, Either, Schema } from "effect"
import { badInput, type CliFailure, failedWith } from "./CliFailure.js"
import { objectFields } from "./check.js"

const AUTHZ_CHECK = "mutation AtomCheck($input: AuthzCheckInput!) { authzCheck(input: $input) { allowed reason } }"

const Answer = Schema.Struct({
  data: Schema.optional(
    Schema.NullOr(Schema.Struct({ authzCheck: Schema.Struct({ allowed: Schema.Boolean, reason: Schema.String }) })),
  ),
  errors: Schema.optional(Schema.Array(Schema.Struct({ message: Schema.String }))),
})
const decodeAnswer = Schema.decodeUnknownEither(Schema.parseJson(Answer))

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The base URL, checked: http or https, nothing else. */
const baseUrl = (url: string): Effect.Effect<string, CliFailure> => {
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  return parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:")
    ? Effect.succeed(parsed.href.replace(/\/+$/, ""))
    : Effect.fail(badInput(`--url must be an http(s) URL, got ${JSON.stringify(url)}`))
}

/**
 * `atom check --url`: the same question asked of a running Atom (GraphQL `authzCheck`) with the caller's
 * token; the answer is that server's decision. Unreachable server or a refusal → exit 1 with its message.
 */
export const runRemoteCheck = (input: {
  readonly url: string
  readonly token: string | undefined
  readonly subject: string
  readonly action: string
  readonly object: string
  readonly context: string | undefined
}): Effect.Effect<{ readonly allowed: boolean; readonly line: string }, CliFailure> =>
  Effect.gen(function* () {
    const base = yield* baseUrl(input.url)
    const token = input.token?.trim()
    if (token === undefined || token === "") return yield* badInput("--url needs --token or ATOM_TOKEN")
    const context =
      input.context === undefined
        ? undefined
        : yield* Effect.try({ try: (): unknown => JSON.parse(input.context ?? ""), catch: () => undefined }).pipe(
            Effect.filterOrFail(isObject, () => badInput("--context must be a JSON object")),
            Effect.orElseFail(() => badInput("--context must be a JSON object")),
          )
    const variables = {
      input: { subjectId: input.subject, action: input.action, ...objectFields(input.object), context },
    }
    const res = yield* Effect.tryPromise({
      try: (signal) =>
        fetch(`${base}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: AUTHZ_CHECK, variables }),
          signal,
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
      catch: (e) => failedWith(`cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}`),
    }).pipe(
      Effect.timeoutFail({ duration: "15 seconds", onTimeout: () => failedWith(`no answer from ${base} in 15 s`) }),
    )
    const answer = decodeAnswer(res.text)
    if (Either.isLeft(answer)) return yield* failedWith(`${base} did not answer as Atom (status ${res.status})`)
    const [first] = answer.right.errors ?? []
    if (first !== undefined) return yield* failedWith(`atom refused: ${first.message}`)
    const decision = answer.right.data?.authzCheck
    if (decision === undefined) return yield* failedWith(`${base} answered no decision`)
    return { allowed: decision.allowed, line: `${decision.allowed ? "allow" : "deny"}: ${decision.reason}` }
  })
