/** Floor: a bare graphql-yoga on its own Node handler, answering the constant field `{ health }`. */
import { createServer } from "node:http"
import { pathToFileURL } from "node:url"
import type * as Yoga from "../../packages/transports/node_modules/graphql-yoga/typings/index.js"
import { REPO_ROOT } from "../lib/child.js"
import { announceReady, FLOOR_HOST } from "./announce.js"

type YogaModule = typeof Yoga

// graphql-yoga is a dependency of packages/transports only: load its ESM build from there.
const YOGA_ENTRY = pathToFileURL(`${REPO_ROOT}packages/transports/node_modules/graphql-yoga/esm/index.js`).href

const isYogaModule = (m: unknown): m is YogaModule =>
  typeof m === "object" &&
  m !== null &&
  "createYoga" in m &&
  typeof m.createYoga === "function" &&
  "createSchema" in m &&
  typeof m.createSchema === "function"

const loaded: unknown = await import(YOGA_ENTRY)
if (!isYogaModule(loaded)) throw new Error(`yoga floor: ${YOGA_ENTRY} does not export createYoga/createSchema`)
const { createSchema, createYoga } = loaded

// the same switches Atom's makeYoga sets, so the floor does no work Atom skips
const yoga = createYoga({
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: false,
  logging: false,
  batching: false,
  maskedErrors: false,
  schema: createSchema({
    typeDefs: "type Query { health: String! }",
    resolvers: { Query: { health: () => "ok" } },
  }),
})

const server = createServer(yoga)
server.listen(0, FLOOR_HOST, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("yoga floor: no port")
  announceReady(address.port, (done) => {
    server.closeAllConnections()
    server.close(done)
  })
})
