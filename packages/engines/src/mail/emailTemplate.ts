import { Either } from "effect"

// Mail templates (identity-certs §6.1): a `Subject:` line, an optional `Content-Type:` line, a blank
// line, then the body. `{{ name }}` placeholders in the subject and body are replaced by variables;
// an unknown name renders empty, as Jinja's default does. HTML bodies get their values escaped.

export type EmailContentType = "text/plain" | "text/html"

export interface EmailTemplate {
  readonly subject: string
  readonly contentType: EmailContentType
  readonly body: string
}

export interface RenderedEmail {
  readonly subject: string
  readonly contentType: EmailContentType
  readonly body: string
}

/** Parses a template file; Left says what is wrong with it. */
export const parseEmailTemplate = (raw: string): Either.Either<EmailTemplate, string> => {
  const text = raw.replace(/\r\n/g, "\n")
  const split = text.indexOf("\n\n")
  if (split < 0) return Either.left("email template must have a 'Subject: ...' line, a blank line, then the body")
  let subject: string | undefined
  let contentType: EmailContentType = "text/plain"
  for (const line of text.slice(0, split).split("\n")) {
    if (line.startsWith("Subject:")) subject = line.slice("Subject:".length).trim()
    else if (line.startsWith("Content-Type:")) {
      contentType = line.slice("Content-Type:".length).trim().toLowerCase() === "text/html" ? "text/html" : "text/plain"
    }
  }
  if (subject === undefined) return Either.left("email template must have a 'Subject: ...' header line")
  return Either.right({ subject, contentType, body: text.slice(split + 2) })
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)

const fill = (text: string, vars: Readonly<Record<string, string>>, encode: (v: string) => string): string =>
  text.replace(PLACEHOLDER, (_, name: string) => encode(Object.hasOwn(vars, name) ? (vars[name] ?? "") : ""))

/** The subject (one line, trimmed) and body with the variables filled in. */
export const renderEmailTemplate = (
  template: EmailTemplate,
  vars: Readonly<Record<string, string>>,
): RenderedEmail => ({
  // a header value: no line breaks whatever the variables hold
  subject: fill(template.subject, vars, (v) => v)
    .replace(/[\r\n]+/g, " ")
    .trim(),
  contentType: template.contentType,
  body: fill(template.body, vars, template.contentType === "text/html" ? escapeHtml : (v) => v),
})
