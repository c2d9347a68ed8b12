import { Arbitrary, type Either, FastCheck as fc, type ParseResult, Schema } from "effect"
import {
  AuditLogs,
  AuthzBulkCheck,
  AuthzCheck,
  CreateEntity,
  CreatePassword,
  CreateRole,
  CreateRoleAssignment,
  CreateTenant,
  Entities,
  GetEntity,
  GetTenant,
  Health,
  IssueCertificate,
  Roles,
  Tenants,
} from "../documents.js"
import type { Json } from "../Json.js"
import type { TypedDocument } from "../TypedDocument.js"
import { hugeString, malformedUuid } from "./hostile.js"
import { mutateVariables } from "./mutate.js"

/** One generated POST /graphql: what to send, and how to judge a successful answer's `data`. */
export interface GraphqlRequest {
  /** the document's name, or the kind of hostile request */
  readonly label: string
  /** the raw body (not always JSON) */
  readonly body: string
  readonly contentType: string
  /** for a known operation: checks `data` against the document's schema */
  readonly decodeData?: (data: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

const isJsonObject = (v: Json): v is { readonly [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** Well-formed variables for a document, derived from its variables schema. */
export const variablesOf = <D, V>(document: TypedDocument<D, V>): fc.Arbitrary<V> => Arbitrary.make(document.variables)

const request = <D, V>(document: TypedDocument<D, V>, variables: unknown, extra: object = {}): GraphqlRequest => ({
  label: document.name,
  body: JSON.stringify({ query: document.query, variables, ...extra }),
  contentType: "application/json",
  decodeData: Schema.decodeUnknownEither(document.data),
})

/** Requests for one document: mostly well-formed, the rest with hostile variables. */
export const documentRequests = <D, V>(document: TypedDocument<D, V>): fc.Arbitrary<GraphqlRequest> => {
  const encode = Schema.encodeSync(Schema.parseJson(document.variables))
  const valid = variablesOf(document).map((v): Json => JSON.parse(encode(v)))
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((v) => request(document, v)) },
    {
      weight: 3,
      arbitrary: valid
        .chain((v) => mutateVariables(isJsonObject(v) ? v : {}))
        .map((v) => ({ ...request(document, v), label: `${document.name} (hostile variables)` })),
    },
  )
}

/** Every document of the client, well-formed and hostile. */
export const knownOperations: fc.Arbitrary<GraphqlRequest> = fc.oneof(
  documentRequests(Health),
  documentRequests(CreateTenant),
  documentRequests(GetTenant),
  documentRequests(Tenants),
  documentRequests(CreateEntity),
  documentRequests(GetEntity),
  documentRequests(Entities),
  documentRequests(CreateRole),
  documentRequests(Roles),
  documentRequests(CreateRoleAssignment),
  documentRequests(AuthzCheck),
  documentRequests(AuthzBulkCheck),
  documentRequests(CreatePassword),
  documentRequests(IssueCertificate),
  documentRequests(AuditLogs),
)

const raw = (label: string, body: string, contentType = "application/json"): GraphqlRequest => ({
  label,
  body,
  contentType,
})
const json = (label: string, body: unknown): GraphqlRequest => raw(label, JSON.stringify(body))

/** Envelopes that are not a well-formed GraphQL request, and documents that are hostile in themselves. */
export const hostileEnvelopes: fc.Arbitrary<GraphqlRequest> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .constantFrom("", "{", "null", "[]", "42", '"query"', '{"query":', "\u0000", "{}")
      .map((b) => raw("body that is not a request", b)),
  },
  {
    weight: 10,
    arbitrary: fc
      .constantFrom<unknown>(42, null, true, [], {}, ["{ health }"])
      .map((q) => json("query of the wrong type", { query: q })),
  },
  {
    weight: 10,
    arbitrary: fc
      .constantFrom<unknown>("x", 1, [], [{}], true)
      .map((v) => json("variables of the wrong type", { query: AuthzCheck.query, variables: v })),
  },
  {
    weight: 10,
    arbitrary: fc
      .constantFrom("Nope", "", "AuthzCheck ")
      .map((n) => json("unknown operationName", { query: Health.query, operationName: n })),
  },
  {
    weight: 10,
    arbitrary: fc
      .tuple(fc.constantFrom(CreateTenant.query, Tenants.query, AuthzCheck.query), fc.nat())
      .map(([q, n]) => json("truncated document", { query: q.slice(0, n % q.length) })),
  },
  {
    weight: 10,
    arbitrary: fc
      .integer({ min: 10, max: 400 })
      .map((n) => json("deep selection", { query: `{ ${"tenants { items { ".repeat(n)}id${" } }".repeat(n)} }` })),
  },
  {
    weight: 5,
    arbitrary: fc
      .integer({ min: 10, max: 2_000 })
      .map((n) =>
        json("many aliases", { query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: health`).join(" ")} }` }),
      ),
  },
  {
    weight: 5,
    arbitrary: fc
      .integer({ min: 100, max: 5_000 })
      .map((n) => json("long comment", { query: `{ health } #${"#".repeat(n)}` })),
  },
  { weight: 2, arbitrary: hugeString.map((s) => json("huge document", { query: `{ health } # ${s}` })) },
  {
    weight: 10,
    arbitrary: malformedUuid.map((id) =>
      json("malformed id literal", { query: `{ tenant(id: ${JSON.stringify(id)}) { id } }` }),
    ),
  },
  { weight: 5, arbitrary: fc.constant(json("batched requests", [{ query: Health.query }, { query: Health.query }])) },
  {
    weight: 5,
    arbitrary: fc
      .constantFrom("text/plain", "application/x-www-form-urlencoded", "application/graphql")
      .map((ct) => raw("unusual content type", JSON.stringify({ query: Health.query }), ct)),
  },
)

/** A body just over Atom's default GraphQL body limit (1 MiB): answered 413 before it is parsed. */
export const overBodyLimit: GraphqlRequest = json("larger than the body limit", {
  query: `{ health } # ${"x".repeat(1_100_000)}`,
})

/** Generated POST /graphql requests: mostly the client's operations (well-formed and hostile), some hostile envelopes. */
export const graphqlRequests: fc.Arbitrary<GraphqlRequest> = fc.oneof(
  { weight: 4, arbitrary: knownOperations },
  { weight: 1, arbitrary: hostileEnvelopes },
)
