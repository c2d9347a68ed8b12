import { OpenApi } from "@effect/platform"
import { RestApi } from "./restApi.js"
import { withAtomRejections } from "./wireRejections.js"

/** The OpenAPI 3.1 document of the REST routes, generated once. */
export const openApiDocument: OpenApi.OpenAPISpec = withAtomRejections(OpenApi.fromApi(RestApi))

/**
 * Effect's JSON Schema marks every `Schema.Unknown` (and `Any`, `Object`) with the same `"$id": "/schemas/unknown"`
 * and so on; JSON Schema 2020-12 wants each `$id` once in a document, so a 3.1 validator refuses the repeats.
 * They identify nothing a client needs: the served document leaves them out.
 */
const withoutPlaceholderIds = (key: string, value: unknown): unknown =>
  key === "$id" && typeof value === "string" && value.startsWith("/schemas/") ? undefined : value

/** The document as served at /openapi.json. */
export const openApiJson: string = JSON.stringify(openApiDocument, withoutPlaceholderIds)
