import { AtomClientError } from "./AtomClientError.js"
import {
  type AuditLogFilter,
  AuditLogs,
  AuthzCheck,
  type AuthzCheckInput,
  CreateEntity,
  CreateRole,
  CreateRoleAssignment,
  CreateTenant,
  IssueCertificate,
} from "./documents.js"
import type { TypedDocument } from "./TypedDocument.js"

type VariablesOf<D> = D extends TypedDocument<unknown, infer V> ? V : never

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
    const res = await this.#fetch(`${this.#baseUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body) })
    const text = await res.text()
    const parsed: unknown = text === "" ? null : JSON.parse(text)
    return { status: res.status, body: parsed }
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

  /** Runs any typed document; resolves to its `data`, rejects with the first GraphQL error. */
  async request<Data, Variables>(document: TypedDocument<Data, Variables>, variables: Variables): Promise<Data> {
    const res = await this.#post("/graphql", { query: document.query, variables })
    const b = res.body
    if (!isRecord(b) || (Array.isArray(b.errors) && b.errors.length > 0) || !isRecord(b.data)) {
      throw new AtomClientError(errorMessage(b, `GraphQL request failed with status ${res.status}`), res.status)
    }
    // the shape is the document's selection, as the served contract guarantees
    return b.data as Data
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
  issueCertificate = async (input: VariablesOf<typeof IssueCertificate>["input"]) =>
    (await this.request(IssueCertificate, { input })).issueCertificate
  auditLogs = async (filter: AuditLogFilter = {}) => (await this.request(AuditLogs, filter)).auditLogs
}
