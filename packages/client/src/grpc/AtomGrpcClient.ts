import * as grpc from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { Either, ParseResult, Schema } from "effect"
import { AtomGrpcError } from "./AtomGrpcError.js"
import {
  type AuthenticateCredentialRequest,
  AuthenticateCredentialResponse,
  type AuthenticateRequest,
  AuthenticateResponse,
  type CheckRequest,
  CheckResponse,
  type ResolveAliasRequest,
  ResolveAliasResponse,
  type ResolveCertificateRequest,
  ResolveCertificateResponse,
  type RevokeEntityCertificatesRequest,
  RevokeEntityCertificatesResponse,
} from "./messages.js"
import { ATOM_PROTO, DEFAULT_PROTO_DIR } from "./protoFiles.js"

export interface AtomGrpcClientOptions {
  /** `host:port` of Atom's gRPC listener (GRPC_ADDR) */
  readonly address: string
  /** defaults to plaintext; pass `grpc.credentials.createSsl(…)` for TLS / mTLS */
  readonly credentials?: grpc.ChannelCredentials
  /** the caller's session JWT or `atom_…` access token, sent as `authorization: Bearer …` */
  readonly token?: string
  /** where `atom/v1/atom.proto` is found; defaults to the Atom repository's `proto/` */
  readonly protoDir?: string
  /** per-call deadline; 10 s unless given */
  readonly deadlineMs?: number
}

type Method = protoLoader.MethodDefinition<object, object>

const isService = (d: protoLoader.AnyDefinition | undefined): d is protoLoader.ServiceDefinition =>
  d !== undefined && !("format" in d)

/**
 * Atom's runtime gRPC contract (`atom.v1`) as promises: typed requests, responses checked against their
 * schemas, and every non-OK status rejected as an `AtomGrpcError` carrying the code and Atom's message.
 */
export class AtomGrpcClient {
  readonly #client: grpc.Client
  readonly #services: protoLoader.PackageDefinition
  readonly #deadlineMs: number
  #token: string | undefined

  constructor(options: AtomGrpcClientOptions) {
    this.#services = protoLoader.loadSync(ATOM_PROTO, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [options.protoDir ?? DEFAULT_PROTO_DIR],
    })
    this.#client = new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure())
    this.#token = options.token
    this.#deadlineMs = options.deadlineMs ?? 10_000
  }

  /** Sets (or clears) the caller token sent with later calls. */
  setToken(token: string | undefined): void {
    this.#token = token
  }

  #method(service: string, name: string): Method {
    const definition = this.#services[`atom.v1.${service}`]
    const method = isService(definition) ? definition[name] : undefined
    if (method === undefined) throw new Error(`atom.v1.${service}/${name} is not in the loaded ${ATOM_PROTO}`)
    return method
  }

  #call<A>(service: string, name: string, request: object, response: Schema.Schema<A>, withCaller = true): Promise<A> {
    const method = this.#method(service, name)
    const metadata = new grpc.Metadata()
    if (withCaller && this.#token !== undefined) metadata.set("authorization", `Bearer ${this.#token}`)
    return new Promise<A>((resolve, reject) => {
      this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + this.#deadlineMs },
        (error, value) => {
          if (error) return reject(new AtomGrpcError(error.code, error.details))
          const decoded = Schema.decodeUnknownEither(response)(value)
          if (Either.isLeft(decoded)) {
            const problem = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
            return reject(new AtomGrpcError(grpc.status.INTERNAL, `unexpected ${name} response: ${problem}`))
          }
          resolve(decoded.right)
        },
      )
    })
  }

  /** AuthzService.Check: a decision (allow or deny) resolves; only failures reject. */
  check = (request: CheckRequest): Promise<CheckResponse> => this.#call("AuthzService", "Check", request, CheckResponse)

  /** AuthService.Authenticate: who a JWT or access token is (sends no caller metadata). */
  authenticate = (request: AuthenticateRequest): Promise<AuthenticateResponse> =>
    this.#call("AuthService", "Authenticate", request, AuthenticateResponse, false)

  /** AuthService.AuthenticateCredential: verify a password or shared key for a protocol adapter. */
  authenticateCredential = (request: AuthenticateCredentialRequest): Promise<AuthenticateCredentialResponse> =>
    this.#call("AuthService", "AuthenticateCredential", request, AuthenticateCredentialResponse)

  /** AliasService.ResolveAlias: a tenant's or an object's id from its alias. */
  resolveAlias = (request: ResolveAliasRequest): Promise<ResolveAliasResponse> =>
    this.#call("AliasService", "ResolveAlias", request, ResolveAliasResponse)

  /** CertificateService.ResolveCertificate: whose certificate a serial or fingerprint is. */
  resolveCertificate = (request: ResolveCertificateRequest): Promise<ResolveCertificateResponse> =>
    this.#call("CertificateService", "ResolveCertificate", request, ResolveCertificateResponse)

  /** CertificateService.RevokeEntityCertificates: revoke every live certificate of an entity. */
  revokeEntityCertificates = (request: RevokeEntityCertificatesRequest): Promise<RevokeEntityCertificatesResponse> =>
    this.#call("CertificateService", "RevokeEntityCertificates", request, RevokeEntityCertificatesResponse)

  close(): void {
    this.#client.close()
  }
}
