import { Effect } from "effect"
import type { Route } from "../Route.js"
import { docsPage } from "./docsPage.js"
import { openApiDocument, openApiJson } from "./openApiDocument.js"

const page = docsPage(openApiDocument)

/** `GET /openapi.json` and `GET /docs`: static, generated once at startup. */
export const openApiRoutes: ReadonlyArray<Route<never>> = [
  {
    method: "GET",
    path: "/openapi.json",
    handler: () => Effect.succeed({ status: 200, headers: { "content-type": "application/json" }, body: openApiJson }),
  },
  {
    method: "GET",
    path: "/docs",
    handler: () => Effect.succeed({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: page }),
  },
]
