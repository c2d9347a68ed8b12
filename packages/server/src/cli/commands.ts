import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option, Redacted } from "effect"
import { badInput } from "./CliFailure.js"
import { cliConfig } from "./cliConfig.js"
import { failingCommand, fromPromise } from "./fromPromise.js"

// Each handler imports what it runs only when it runs: `atom --help` and `atom migrate` never load the
// server stack.

const serveHandler = Effect.gen(function* () {
  const config = yield* cliConfig
  const { runServeCommand } = yield* Effect.promise(() => import("./serve.js"))
  yield* fromPromise(() => runServeCommand(config), "startup failed: ")
})

const serve = Command.make("serve", {}, () => serveHandler).pipe(
  Command.withDescription("start the HTTP and gRPC listeners (the default command)"),
)

const migrate = Command.make("migrate", {}, () =>
  Effect.gen(function* () {
    const config = yield* cliConfig
    const { runMigrateCommand } = yield* Effect.promise(() => import("../migrateCommand.js"))
    yield* fromPromise(() => runMigrateCommand(config))
  }),
).pipe(Command.withDescription("apply pending database migrations and exit"))

const verify = Command.make("verify", {}, () =>
  Effect.gen(function* () {
    const config = yield* cliConfig
    const { auditVerify } = yield* Effect.promise(() => import("../auditVerify.js"))
    process.exitCode = yield* failingCommand(auditVerify(config))
  }),
).pipe(Command.withDescription("check every audit hash chain; exit 1 at a broken link"))

const audit = Command.make("audit").pipe(
  Command.withDescription("audit log maintenance"),
  Command.withSubcommands([verify]),
)

const caInit = Command.make(
  "init",
  {
    dev: Options.boolean("dev").pipe(
      Options.withDescription("a development CA (P-256, keys next to the certificates)"),
    ),
    prod: Options.boolean("prod").pipe(
      Options.withDescription("a production CA (P-384; the root key in offline/, to move off the machine)"),
    ),
    out: Options.directory("out").pipe(Options.withDescription("the folder to write the CA into (must not hold one)")),
    organization: Options.text("org").pipe(
      Options.withDefault("Atom"),
      Options.withDescription("organization name of a production CA"),
    ),
    days: Options.integer("days").pipe(Options.withDefault(3650), Options.withDescription("validity in days")),
  },
  ({ dev, prod, out, organization, days }) =>
    Effect.gen(function* () {
      if (dev === prod) return yield* badInput("ca init needs exactly one of --dev or --prod")
      if (days < 1 || days > 36_500) return yield* badInput("--days must be between 1 and 36500")
      const { runCaInit } = yield* Effect.promise(() => import("./caInit.js"))
      const summary = yield* fromPromise(() =>
        runCaInit({ kind: dev ? "dev" : "prod", out, organization, validityDays: days }),
      )
      yield* Console.log(summary)
    }),
).pipe(Command.withDescription("write a new CA (root and intermediate) and print the ATOM_CERTS_* settings for it"))

const ca = Command.make("ca").pipe(
  Command.withDescription("certificate authority material"),
  Command.withSubcommands([caInit]),
)

const readStdin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = ""
    process.stdin.setEncoding("utf8")
    process.stdin.on("data", (chunk: string) => {
      text += chunk
    })
    process.stdin.once("end", () => resolve(text.replace(/\r?\n$/, "")))
    process.stdin.once("error", reject)
  })

const resetPassword = Command.make(
  "reset-password",
  {
    entity: Args.text({ name: "entity" }).pipe(Args.withDescription("the entity's id, or a global entity's name")),
    passwordStdin: Options.boolean("password-stdin").pipe(
      Options.withDescription("read the new password from standard input instead of generating one"),
    ),
  },
  ({ entity, passwordStdin }) =>
    Effect.gen(function* () {
      const config = yield* cliConfig
      const password = passwordStdin ? Redacted.make(yield* fromPromise(readStdin)) : undefined
      const { resetPassword } = yield* Effect.promise(() => import("./resetPassword.js"))
      const done = yield* resetPassword(config, { entity, password })
      yield* Console.log(`password of entity ${done.entityId} reset; its other passwords and sessions are revoked`)
      if (done.generated !== undefined) {
        // printed once to the operator's terminal, never logged
        yield* Console.log(`new password (shown once): ${Redacted.value(done.generated)}`)
      }
    }),
).pipe(Command.withDescription("replace an entity's passwords with a new one (generated, or from stdin)"))

const admin = Command.make("admin").pipe(
  Command.withDescription("operator tasks on the configured database"),
  Command.withSubcommands([resetPassword]),
)

const check = Command.make(
  "check",
  {
    subject: Args.text({ name: "subject" }).pipe(Args.withDescription("the subject entity id")),
    action: Args.text({ name: "action" }).pipe(Args.withDescription("the action, e.g. entity.read")),
    object: Args.text({ name: "object" }).pipe(
      Args.withDescription("platform, <kind>:<id> (tenant, entity, group, credential, resource) or a resource id"),
    ),
    context: Options.text("context").pipe(Options.optional, Options.withDescription("the ABAC context, a JSON object")),
    url: Options.text("url").pipe(
      Options.optional,
      Options.withDescription("ask the running Atom at this HTTP base URL (GraphQL authzCheck) instead"),
    ),
    token: Options.text("token").pipe(
      Options.optional,
      Options.withDescription("with --url: the caller's session JWT or atom_ access token (default ATOM_TOKEN)"),
    ),
  },
  ({ subject, action, object, context, url, token }) =>
    Effect.gen(function* () {
      const { DENIED_EXIT_CODE } = yield* Effect.promise(() => import("./check.js"))
      const answer = Option.isSome(url)
        ? yield* Effect.flatMap(
            Effect.promise(() => import("./remoteCheck.js")),
            ({ runRemoteCheck }) =>
              runRemoteCheck({
                url: url.value,
                token: Option.getOrUndefined(token) ?? process.env.ATOM_TOKEN,
                subject,
                action,
                object,
                context: Option.getOrUndefined(context),
              }),
          )
        : yield* Effect.flatMap(cliConfig, (config) =>
            Effect.flatMap(
              Effect.promise(() => import("./check.js")),
              ({ runCheck }) => runCheck(config, { subject, action, object, context: Option.getOrUndefined(context) }),
            ),
          )
      yield* Console.log(answer.line)
      if (!answer.allowed) process.exitCode = DENIED_EXIT_CODE
    }),
).pipe(
  Command.withDescription(
    "decide one check in this process on the configured database, or with --url ask a running Atom; exit 0 allowed, 3 denied",
  ),
)

/** `atom`: with no command it serves. */
export const atomCommand = Command.make("atom", {}, () => serveHandler).pipe(
  Command.withDescription("Atom: identity, authorization, certificates and audit"),
  Command.withSubcommands([serve, migrate, audit, ca, admin, check]),
)
