import { OpenApi } from "@effect/platform"
import { RestApi } from "./restApi.js"
import { withAtomRejections } from "./wireRejections.js"

/** The OpenAPI 3.1 document of the REST routes, generated once. */
export const openApiDocument: OpenApi.OpenAPISpec = withAtomRejections(OpenApi.fromApi(RestApi))

/** The document as served at /openapi.json. */
export const openApiJson: string = JSON.stringify(openApiDocument)
