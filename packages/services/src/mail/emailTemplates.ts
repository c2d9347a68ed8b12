import { readFile } from "node:fs/promises"
import { join } from "node:path"
import {
  DEFAULT_EMAIL_TEMPLATES,
  EMAIL_TEMPLATE_NAMES,
  type EmailTemplate,
  type EmailTemplateName,
  parseEmailTemplate,
} from "@atom/engines/mail"
import { Effect, Either, Option } from "effect"

export type EmailTemplates = Readonly<Record<EmailTemplateName, EmailTemplate>>

/** A template file that exists but cannot be used: startup stops with it. */
export class EmailTemplateError extends Error {}

const isMissing = (e: unknown): boolean =>
  typeof e === "object" && e !== null && "code" in e && (e.code === "ENOENT" || e.code === "ENOTDIR")

/** One override file: none when absent, the parsed template when usable. */
const override = (dir: string, name: EmailTemplateName) =>
  Effect.gen(function* () {
    const path = join(dir, `${name}.tmpl`)
    const raw = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => e,
    }).pipe(
      Effect.map(Option.some),
      Effect.catchAll((e) =>
        isMissing(e)
          ? Effect.succeed(Option.none<string>())
          : Effect.fail(new EmailTemplateError(`cannot read email template ${path}`, { cause: e })),
      ),
    )
    if (Option.isNone(raw)) return Option.none<EmailTemplate>()
    return yield* Either.match(parseEmailTemplate(raw.value), {
      onLeft: (message) => Effect.fail(new EmailTemplateError(`${path}: ${message}`)),
      onRight: (t) => Effect.succeed(Option.some(t)),
    })
  })

/**
 * The templates in force: each file of `ATOM_EMAIL_TEMPLATES_DIR` that exists replaces the built-in one
 * (identity-certs §6.1). Read once at startup, so a broken override stops startup instead of a signup.
 */
export const loadEmailTemplates = (dir: Option.Option<string>): Effect.Effect<EmailTemplates, EmailTemplateError> =>
  Option.match(dir, {
    onNone: () => Effect.succeed(DEFAULT_EMAIL_TEMPLATES),
    onSome: (d) =>
      Effect.reduce(EMAIL_TEMPLATE_NAMES, DEFAULT_EMAIL_TEMPLATES, (acc, name) =>
        Effect.map(override(d, name), (t) => (Option.isSome(t) ? { ...acc, [name]: t.value } : acc)),
      ),
  })
