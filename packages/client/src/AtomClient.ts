import { Either, ParseResult, Schema } from "effect"
import { AtomClientError } from "./AtomClientError.js"
import type { AuditLogFilter, AuthzCheckInput } from "./contractInputs.js"
import {
  AuditLogs,
  AuthzCheck,
  CreateEntity,
  CreatePassword,
  CreateRole,
  CreateRoleAssignment,
  CreateTenant,
  IssueCertificate,
} from "./documents.js"
import { GraphqlResponse } from "./GraphqlResponse.js"
import type { TypedDocument, VariablesOf } from "./TypedDocument.js"

export interface LoginResult {
  readonly token: string
  readonly entityId: string
  readonly sessionId: string
  readonly expiresAt: string
}

export interface AtomClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string
  /** a session JWT or an access token; `login` sets it */
  readonly token?: string
  readonly fetch?: typeof globalThis.fetch
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const errorMessage = (body: unknown, fallback: string): string => {
  if (isRecord(body) && typeof body.error === "string") return body.error
  if (isRecord(body) && Array.isArray(body.errors)) {
    const [first] = body.errors
    if (isRecord(first) && typeof first.message === "string") return first.message
  }
  return fallback
}

/** The body as JSON, or the text itself when it is not JSON (a proxy's error page, say). */
const parseJson = (text: string): unknown => {
  if (text === "") return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Atom over HTTP for code that does not use Effect: REST login, then GraphQL operations with typed
 * documents. Every failure rejects with an `AtomClientError` carrying Atom's message.
 */
export class AtomClient {
  #token: string | undefined
  readonly #baseUrl: string
  readonly #fetch: typeof globalThis.fetch

  constructor(options: AtomClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "")
    this.#token = options.token
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  async #post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" }
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`
    const url = `${this.#baseUrl}${path}`
    const res = await this.#fetch(url, { method: "POST", headers, body: JSON.stringify(body) }).catch(
      (cause: unknown) => {
        throw new AtomClientError(`cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, 0)
      },
    )
    const text = await res.text()
    return { status: res.status, body: parseJson(text) }
  }

  /** Password (or shared-key) login; later calls carry the session token. */
  async login(identifier: string, secret: string, tenant?: { readonly tenantId: string }): Promise<LoginResult> {
    const res = await this.#post("/auth/login", { identifier, secret, tenant_id: tenant?.tenantId ?? null })
    const b = res.body
    if (res.status !== 200 || !isRecord(b) || typeof b.token !== "string") {
      throw new AtomClientError(errorMessage(b, `login failed with status ${res.status}`), res.status)
    }
    this.#token = b.token
    return {
      token: b.token,
      entityId: String(b.entity_id),
      sessionId: String(b.session_id),
      expiresAt: String(b.expires_at),
    }
  }

  /**
   * Runs any typed document; resolves to its `data` checked against the document's schema, rejects with
   * the first GraphQL error, or with an `AtomClientError` naming the mismatch when the answer has another shape.
   */
  async request<Data, Variables>(document: TypedDocument<Data, Variables>, variables: Variables): Promise<Data> {
    const res = await this.#post("/graphql", { query: document.query, variables })
    const envelope = Schema.decodeUnknownEither(GraphqlResponse)(res.body)
    if (Either.isLeft(envelope)) {
      throw new AtomClientError(errorMessage(res.body, `GraphQL request failed with status ${res.status}`), res.status)
    }
    const { data, errors } = envelope.right
    if (errors !== undefined) throw new AtomClientError(errors[0].message, res.status)
    const decoded = Schema.decodeUnknownEither(document.data)(data)
    if (Either.isLeft(decoded)) {
      const problem = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
      throw new AtomClientError(`unexpected ${document.name} response: ${problem}`, res.status)
    }
    return decoded.right
  }

  createTenant = async (input: VariablesOf<typeof CreateTenant>["input"]) =>
    (await this.request(CreateTenant, { input })).createTenant
  createEntity = async (input: VariablesOf<typeof CreateEntity>["input"]) =>
    (await this.request(CreateEntity, { input })).createEntity
  createRole = async (input: VariablesOf<typeof CreateRole>["input"]) =>
    (await this.request(CreateRole, { input })).createRole
  assignRole = async (input: VariablesOf<typeof CreateRoleAssignment>["input"]) =>
    (await this.request(CreateRoleAssignment, { input })).createRoleAssignment
  check = async (input: AuthzCheckInput) => (await this.request(AuthzCheck, { input })).authzCheck
  /** Sets an entity's password (the secret is sent once and never returned). */
  setPassword = async (entityId: string, password: string) =>
    (await this.request(CreatePassword, { entityId, password })).createPassword
  issueCertificate = async (input: VariablesOf<typeof IssueCertificate>["input"]) =>
    (await this.request(IssueCertificate, { input })).issueCertificate
  auditLogs = async (filter: AuditLogFilter = {}) => (await this.request(AuditLogs, filter)).auditLogs
}
