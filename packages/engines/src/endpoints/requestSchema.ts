import { EndpointMessages } from "@atom/domain/endpoints"
import { Ajv, type AnySchema, type ErrorObject, type Options, type ValidateFunction } from "ajv"
import { Ajv2019 } from "ajv/dist/2019.js"
import { Ajv2020 } from "ajv/dist/2020.js"
import formats from "ajv-formats"
import { Either } from "effect"

/** Checks a request body: its failures, each naming the failing field; empty when the body passes. */
export type BodyValidator = (body: unknown) => ReadonlyArray<string>

const MAX_REPORTED = 10
const DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"
const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
// unknown keywords and formats are ignored, nothing is fetched or logged
const OPTIONS: Options = { allErrors: true, strict: false, logger: false, addUsedSchema: false }

const ajvFor = (draft: unknown): Ajv | Ajv2019 | Ajv2020 => {
  const uri = typeof draft === "string" ? draft.replace(/#$/, "") : undefined
  const ajv = uri === DRAFT_2019 ? new Ajv2019(OPTIONS) : uri === DRAFT_2020 ? new Ajv2020(OPTIONS) : new Ajv(OPTIONS)
  formats.default(ajv)
  return ajv
}

/** `body.a.b` (or `body.items[0]`) for the JSON pointer `/a/b`. */
const fieldOf = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : `${path}.${s}`), "body")

const param = (error: ErrorObject, name: string): string | null => {
  const value: unknown = Reflect.get(error.params, name)
  return typeof value === "string" ? value : null
}

const describe = (error: ErrorObject): string => {
  const at = fieldOf(error.instancePath)
  const missing = param(error, "missingProperty")
  if (error.keyword === "required" && missing !== null) return `${at}.${missing} is required`
  const extra = param(error, "additionalProperty")
  if (extra !== null) return `${at}.${extra} is not allowed`
  return `${at} ${error.message ?? `fails ${error.keyword}`}`
}

const report =
  (validate: ValidateFunction): BodyValidator =>
  (body) =>
    validate(body) ? [] : [...new Set((validate.errors ?? []).map(describe))].slice(0, MAX_REPORTED)

const accepts: BodyValidator = () => []

const compiled = new Map<string, Either.Either<BodyValidator, string>>()
const MAX_CACHED = 1000

/**
 * Compiles an endpoint's `request_schema` (a JSON Schema; draft from `$schema`, draft-07 when absent).
 * An empty schema accepts everything; one that does not compile is `invalid requestSchema: …`.
 * Compiled validators are kept by schema text: compiling is the expensive part.
 */
export const compileRequestSchema = (
  schema: Readonly<Record<string, unknown>>,
): Either.Either<BodyValidator, string> => {
  if (Object.keys(schema).length === 0) return Either.right(accepts)
  const key = JSON.stringify(schema)
  const hit = compiled.get(key)
  if (hit !== undefined) return hit
  const result = Either.try({
    try: () => report(ajvFor(schema.$schema).compile(schema satisfies AnySchema)),
    catch: (e) => EndpointMessages.invalidRequestSchema(e instanceof Error ? e.message : String(e)),
  })
  if (compiled.size >= MAX_CACHED) compiled.clear()
  compiled.set(key, result)
  return result
}
