import type { OpenApi } from "@effect/platform"

const DECODE_REF = "#/components/schemas/HttpApiDecodeError"
const DECODE_SCHEMAS = ["HttpApiDecodeError", "Issue", "PropertyKey"]
const METHODS = ["get", "post", "put", "patch", "delete"] as const

/** `{"error": "<message>"}` (api.md §1.1). */
const ERROR_JSON: OpenApi.OpenApiSpecMediaType["schema"] = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "string" } },
  additionalProperties: false,
}

const plainText = (description: string): OpenApi.OpenApiSpecResponse => ({
  description,
  content: { "text/plain": { schema: { type: "string" } } },
})

const isDecodeRef = (schema: object): boolean => "$ref" in schema && schema.$ref === DECODE_REF

/** The 400 of an operation without HttpApi's decode-error body: our router rejects bad requests in plain text. */
const our400 = (response: OpenApi.OpenApiSpecResponse): OpenApi.OpenApiSpecResponse => {
  const schema = response.content?.["application/json"]?.schema
  if (schema === undefined || isDecodeRef(schema)) return plainText("malformed request (plain text)")
  if (!("anyOf" in schema)) return response
  const rest = schema.anyOf.filter((s) => !isDecodeRef(s))
  const [only] = rest
  if (only === undefined || rest.length > 1) return response
  const description = "description" in only ? String(only.description) : response.description
  return { description, content: { "application/json": { schema: ERROR_JSON } } }
}

/**
 * HttpApi documents the decode errors of its own server; Atom's router answers malformed requests as api.md
 * §1.1 says instead (plain-text 400, 415 and 422). This rewrites the document to say so.
 */
export const withAtomRejections = (spec: OpenApi.OpenAPISpec): OpenApi.OpenAPISpec => {
  const paths: OpenApi.OpenAPISpecPaths = {}
  for (const [path, item] of Object.entries(spec.paths)) {
    const next: OpenApi.OpenAPISpecPathItem = { ...item }
    for (const method of METHODS) {
      const op = item[method]
      if (op === undefined) continue
      const responses: OpenApi.OpenAPISpecResponses = { ...op.responses }
      const bad = responses["400"]
      if (bad !== undefined) responses["400"] = our400(bad)
      if (op.requestBody?.content["application/json"] !== undefined) {
        responses["415"] = plainText("the body is not application/json (plain text)")
        responses["422"] = plainText("the JSON does not fit the expected shape (plain text)")
      }
      next[method] = { ...op, responses }
    }
    paths[path] = next
  }
  const schemas = Object.fromEntries(
    Object.entries(spec.components.schemas).filter(([name]) => !DECODE_SCHEMAS.includes(name)),
  )
  return { ...spec, paths, components: { ...spec.components, schemas } }
}
