import { InvalidInput } from "@atom/domain/errors"
import { requireCaller } from "@atom/services/auth"
import {
  type CertificateRef,
  CertificateService,
  type CertificateView,
  type IssuedCertificate,
} from "@atom/services/certificates"
import { Effect, Redacted, Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** An optional GraphQL argument: absent and null both mean "not given". */
const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))
const given = <A>(value: A | null | undefined): A | undefined => (value === null ? undefined : value)

const isUuid = Schema.is(Schema.UUID)

/** A GraphQL ID that must be a UUID: `<name> must be a UUID` otherwise (api.md §3.3). */
const uuid = (name: string, value: string): Effect.Effect<string, InvalidInput> =>
  isUuid(value)
    ? Effect.succeed(value.toLowerCase())
    : Effect.fail(new InvalidInput({ message: `${name} must be a UUID` }))

const uuidOpt = (name: string, value: string | null | undefined): Effect.Effect<string | undefined, InvalidInput> =>
  value === null || value === undefined ? Effect.succeed(undefined) : uuid(name, value)

const CertificatesArgs = Schema.Struct({
  entityId: opt(Schema.String),
  tenantId: opt(Schema.String),
  status: opt(Schema.String),
  limit: opt(Schema.Number),
  offset: opt(Schema.Number),
})
const CertificateArgs = Schema.Struct({ credentialId: opt(Schema.String), serialNumber: opt(Schema.String) })
const IssueArgs = Schema.Struct({
  input: Schema.Struct({
    entityId: Schema.String,
    ttlSecs: opt(Schema.Number),
    commonName: opt(Schema.String),
    dnsNames: opt(Schema.Array(Schema.String)),
    ipAddresses: opt(Schema.Array(Schema.String)),
  }),
})
const IssueFromCsrArgs = Schema.Struct({
  input: Schema.Struct({ entityId: Schema.String, ttlSecs: opt(Schema.Number), csrPem: Schema.String }),
})
const RenewArgs = Schema.Struct({
  input: Schema.Struct({ serialNumber: Schema.String, ttlSecs: opt(Schema.Number), revokeOld: opt(Schema.Boolean) }),
})
const RevokeArgs = Schema.Struct({ input: Schema.Struct({ serialNumber: Schema.String, reason: opt(Schema.String) }) })
const RevokeEntityArgs = Schema.Struct({ entityId: Schema.String, reason: opt(Schema.String) })

/** `Certificate` on the wire (api.md §3.6), GraphQL times. */
export const encodeCertificate = (c: CertificateView) => ({
  credentialId: c.credentialId,
  entityId: c.entityId,
  tenantId: c.tenantId,
  serialNumber: c.serialNumber,
  status: c.status,
  certificatePem: c.certificatePem,
  subject: c.subject,
  dnsNames: c.dnsNames,
  ipAddresses: c.ipAddresses,
  fingerprintSha256: c.fingerprintSha256,
  expiresAt: graphqlTimeOrNull(c.expiresAt),
  createdAt: graphqlTime(c.createdAt),
  revokedAt: graphqlTimeOrNull(c.revokedAt),
  revocationReason: c.revocationReason,
})

/** The private key of a generated certificate leaves the server here, once. */
const encodeIssued = (issued: IssuedCertificate) => ({
  certificate: encodeCertificate(issued.certificate),
  privateKeyPem: issued.privateKeyPem === null ? null : Redacted.value(issued.privateKeyPem),
})

const service = CertificateService

/** certificates, certificate, caChain; issue (key or CSR), renew, revoke (api.md §3.5). */
export const certificatesModule: GraphqlModule<CertificateService> = {
  typeDefs: "",
  resolvers: {
    Query: {
      caChain: (_, _args, ctx) => ctx.run(Effect.flatMap(service, (s) => s.caChain)),
      certificates: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const a = yield* decodeArgs(CertificatesArgs, args)
            const entityId = yield* uuidOpt("entityId", a.entityId)
            const tenantId = yield* uuidOpt("tenantId", a.tenantId)
            const page = yield* Effect.flatMap(service, (s) =>
              s.list(caller, {
                entityId,
                tenantId,
                status: given(a.status),
                limit: given(a.limit),
                offset: given(a.offset),
              }),
            )
            return { items: page.items.map(encodeCertificate), total: page.total }
          }),
        ),
      certificate: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const a = yield* decodeArgs(CertificateArgs, args)
            const credentialId = given(a.credentialId)
            const serialNumber = given(a.serialNumber)
            if ((credentialId === undefined) === (serialNumber === undefined)) {
              return yield* new InvalidInput({ message: "provide credentialId or serialNumber" })
            }
            const ref: CertificateRef =
              credentialId !== undefined
                ? { _tag: "CredentialId", credentialId: yield* uuid("credentialId", credentialId) }
                : { _tag: "SerialNumber", serialNumber: serialNumber ?? "" }
            return encodeCertificate(yield* Effect.flatMap(service, (s) => s.get(caller, ref)))
          }),
        ),
    },
    Mutation: {
      issueCertificate: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { input } = yield* decodeArgs(IssueArgs, args)
            const entityId = yield* uuid("entityId", input.entityId)
            const issued = yield* Effect.flatMap(service, (s) =>
              s.issue(caller, {
                entityId,
                ttlSecs: given(input.ttlSecs),
                commonName: given(input.commonName),
                dnsNames: given(input.dnsNames),
                ipAddresses: given(input.ipAddresses),
              }),
            )
            return encodeIssued(issued)
          }),
        ),
      issueCertificateFromCsr: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { input } = yield* decodeArgs(IssueFromCsrArgs, args)
            const entityId = yield* uuid("entityId", input.entityId)
            const issued = yield* Effect.flatMap(service, (s) =>
              s.issueFromCsr(caller, { entityId, ttlSecs: given(input.ttlSecs), csrPem: input.csrPem }),
            )
            return encodeIssued(issued)
          }),
        ),
      renewCertificate: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { input } = yield* decodeArgs(RenewArgs, args)
            const issued = yield* Effect.flatMap(service, (s) =>
              s.renew(caller, {
                serialNumber: input.serialNumber,
                ttlSecs: given(input.ttlSecs),
                revokeOld: input.revokeOld ?? false,
              }),
            )
            return encodeIssued(issued)
          }),
        ),
      revokeCertificate: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { input } = yield* decodeArgs(RevokeArgs, args)
            const revoked = yield* Effect.flatMap(service, (s) =>
              s.revoke(caller, { serialNumber: input.serialNumber, reason: given(input.reason) }),
            )
            return encodeCertificate(revoked)
          }),
        ),
      revokeEntityCertificates: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const a = yield* decodeArgs(RevokeEntityArgs, args)
            const entityId = yield* uuid("entityId", a.entityId)
            return yield* Effect.flatMap(service, (s) => s.revokeEntity(caller, entityId, given(a.reason)))
          }),
        ),
    },
  },
}
