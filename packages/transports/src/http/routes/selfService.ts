import { AtomConfig } from "@atom/domain/config"
import { EmailVerification, PasswordReset, Signup } from "@atom/services/auth"
import { configuredOidcProviders } from "@atom/services/auth/oidc"
import { Effect, Redacted, Schema } from "effect"
import { plain } from "../HttpReject.js"
import { jsonBody } from "../jsonBody.js"
import { json, type Route } from "../Route.js"

const SignupBody = Schema.Struct({
  name: Schema.String,
  email: Schema.String,
  password: Schema.String,
  attributes: Schema.optionalWith(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), {
    default: () => null,
  }),
})

const ResendBody = Schema.Struct({ email: Schema.String })

const ResetRequestBody = Schema.Struct({
  email: Schema.String,
  redirect_url: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
})

const ResetBody = Schema.Struct({
  token: Schema.String,
  password: Schema.String,
  confirm_password: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
})

/** The public self-service routes (identity-certs §1.6, api.md §1.2 rows 10–16); OAuth lives beside them. */
export const selfServiceRoutes: ReadonlyArray<Route<AtomConfig | Signup | EmailVerification | PasswordReset>> = [
  {
    method: "GET",
    path: "/auth/public-config",
    handler: () =>
      Effect.map(AtomConfig, (config) => {
        const open = config.selfService.selfRegistrationEnabled
        return json(200, {
          signup_enabled: open,
          self_registration_enabled: open,
          oauth_providers: configuredOidcProviders(config),
          email_verification_required: true,
          dev_allow_unverified_email_login: config.selfService.allowUnverifiedEmailLogin,
        })
      }),
  },
  {
    method: "POST",
    path: "/auth/signup",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, SignupBody)
        const result = yield* Effect.flatMap(Signup, (s) =>
          s.create({ ...body, password: Redacted.make(body.password) }),
        )
        return json(202, {
          entity_id: result.entityId,
          email: result.email,
          verification_required: result.verificationRequired,
        })
      }),
  },
  {
    method: "GET",
    path: "/auth/email/verify",
    handler: (request) =>
      Effect.gen(function* () {
        const token = request.query.get("token")
        if (token === null) return yield* plain(400, "Failed to deserialize query string: missing field `token`")
        yield* Effect.flatMap(EmailVerification, (v) => v.verify(token))
        return json(200, { verified: true })
      }),
  },
  {
    method: "POST",
    path: "/auth/email/resend",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, ResendBody)
        yield* Effect.flatMap(EmailVerification, (v) => v.resend(body.email))
        return { status: 202 }
      }),
  },
  {
    method: "POST",
    path: "/auth/password/reset/request",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, ResetRequestBody)
        yield* Effect.flatMap(PasswordReset, (r) => r.request(body.email, body.redirect_url))
        return { status: 202 }
      }),
  },
  {
    method: "POST",
    path: "/auth/password/reset",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, ResetBody)
        yield* Effect.flatMap(PasswordReset, (r) =>
          r.reset({
            token: body.token,
            password: Redacted.make(body.password),
            confirmPassword: body.confirm_password === null ? null : Redacted.make(body.confirm_password),
          }),
        )
        return { status: 204 }
      }),
  },
]
