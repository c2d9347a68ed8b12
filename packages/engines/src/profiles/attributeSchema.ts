import type { JsonObject } from "@atom/domain/authz"
import { Ajv, type AnySchema, type ErrorObject, type Options, type ValidateFunction } from "ajv"
import { Ajv2019 } from "ajv/dist/2019.js"
import { Ajv2020 } from "ajv/dist/2020.js"
import formats from "ajv-formats"
import { Either } from "effect"

/** Checks a document against a profile version's schema: the failures as `<path> <reason>`, empty when valid. */
export type AttributeValidator = (attributes: JsonObject) => ReadonlyArray<string>

/** At most this many failures are reported for one document. */
export const MAX_REPORTED_FAILURES = 10

const DRAFT_07 = new Set(["http://json-schema.org/draft-07/schema", "https://json-schema.org/draft-07/schema"])
const DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"
const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"

// Unknown keywords and formats are ignored (as other validators do), nothing is fetched, nothing is logged.
const OPTIONS: Options = { allErrors: true, strict: false, logger: false, addUsedSchema: false }

/** A fresh validator for the draft a schema names in `$schema` (draft-07 when absent); null when unsupported. */
const validatorFor = (draft: unknown): Ajv | Ajv2019 | Ajv2020 | null => {
  const uri = typeof draft === "string" ? draft.replace(/#$/, "") : undefined
  const ajv =
    uri === undefined || DRAFT_07.has(uri)
      ? new Ajv(OPTIONS)
      : uri === DRAFT_2019
        ? new Ajv2019(OPTIONS)
        : uri === DRAFT_2020
          ? new Ajv2020(OPTIONS)
          : null
  if (ajv !== null) formats.default(ajv)
  return ajv
}

/** `attributes.a.b` for the JSON pointer `/a/b` (array indexes as `[n]`). */
const pathOf = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`), "attributes")

const stringParam = (error: ErrorObject, name: string): string | null => {
  const value: unknown = Reflect.get(error.params, name)
  return typeof value === "string" ? value : null
}

/** One failure as `<path> <reason>`, naming the missing or unexpected property itself when there is one. */
export const describeFailure = (error: ErrorObject): string => {
  const at = pathOf(error.instancePath)
  const missing = stringParam(error, "missingProperty")
  if (error.keyword === "required" && missing !== null) return `${at}.${missing} is required`
  const extra = stringParam(error, "additionalProperty") ?? stringParam(error, "unevaluatedProperty")
  if (extra !== null) return `${at}.${extra} is not allowed`
  return `${at} ${error.message ?? `fails ${error.keyword}`}`
}

const report =
  (validate: ValidateFunction): AttributeValidator =>
  (attributes) => {
    if (validate(attributes)) return []
    const failures = (validate.errors ?? []).map(describeFailure)
    return [...new Set(failures)].slice(0, MAX_REPORTED_FAILURES)
  }

const accepts: AttributeValidator = () => []

/**
 * Compiles a profile version's JSON Schema (identity-certs §1.3 step 5): the draft comes from `$schema`
 * (draft-07, 2019-09 or 2020-12; draft-07 when absent), an empty schema accepts everything, a schema that
 * does not compile is refused with the contract's `invalid profile JSON schema: …`. Compile once and keep
 * the result: compiling is the expensive part.
 */
export const compileAttributeSchema = (schema: JsonObject): Either.Either<AttributeValidator, string> => {
  if (Object.keys(schema).length === 0) return Either.right(accepts)
  const ajv = validatorFor(schema.$schema)
  if (ajv === null) return Either.left(`invalid profile JSON schema: unsupported $schema ${String(schema.$schema)}`)
  return Either.try({
    try: () => report(ajv.compile(schema satisfies AnySchema)),
    catch: (e) => `invalid profile JSON schema: ${e instanceof Error ? e.message : String(e)}`,
  })
}

/** The contract's message for a document that fails its profile's schema. */
export const attributesFailed = (failures: ReadonlyArray<string>): string =>
  `attributes failed profile schema validation: ${failures.join("; ")}`
