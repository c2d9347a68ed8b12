import type { AtomError } from "@atom/domain/errors"
import { Effect, ParseResult, Schema } from "effect"
import { type HttpReject, plain } from "./HttpReject.js"
import type { RouteRequest } from "./Route.js"

const decoder = new TextDecoder("utf-8", { fatal: true })

/**
 * A JSON body as the reference's framework takes it (api.md §1.1): wrong or missing content type
 * 415, unparsable 400, the wrong shape (missing field, wrong type, unknown field) 422.
 */
export const jsonBody = <A, I>(
  request: RouteRequest,
  schema: Schema.Schema<A, I>,
): Effect.Effect<A, AtomError | HttpReject> =>
  Effect.gen(function* () {
    const type = request.headers["content-type"] ?? ""
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      return yield* plain(415, "Expected request with `Content-Type: application/json`")
    }
    const bytes = yield* request.body
    let value: unknown
    try {
      value = JSON.parse(decoder.decode(bytes))
    } catch (e) {
      return yield* plain(
        400,
        `Failed to parse the request body as JSON: ${e instanceof Error ? e.message : "invalid"}`,
      )
    }
    return yield* Schema.decodeUnknown(schema, { onExcessProperty: "error" })(value).pipe(
      Effect.mapError((e) =>
        plain(
          422,
          `Failed to deserialize the JSON body into the target type: ${ParseResult.TreeFormatter.formatErrorSync(e).split("\n")[0]}`,
        ),
      ),
    )
  })
