import type { EmailTemplate } from "./emailTemplate.js"

/** The mails Atom sends, each named as its template file (`<name>.tmpl`). */
export type EmailTemplateName = "verification" | "password_reset" | "invitation"

export const EMAIL_TEMPLATE_NAMES: ReadonlyArray<EmailTemplateName> = ["verification", "password_reset", "invitation"]

/** The variable holding each template's one link. */
export const EMAIL_TEMPLATE_LINK: Readonly<Record<EmailTemplateName, string>> = {
  verification: "verification_url",
  password_reset: "reset_url",
  invitation: "invitation_url",
}

/** Built-in templates, used for every file `ATOM_EMAIL_TEMPLATES_DIR` does not override. */
export const DEFAULT_EMAIL_TEMPLATES: Readonly<Record<EmailTemplateName, EmailTemplate>> = {
  verification: {
    subject: "Verify your Atom account",
    contentType: "text/plain",
    body: "Verify your Atom account by opening this link:\n\n{{ verification_url }}\n",
  },
  password_reset: {
    subject: "Reset your Atom password",
    contentType: "text/plain",
    body: "Reset your Atom password by opening this link:\n\n{{ reset_url }}\n\nIf you did not ask for this, ignore this message.\n",
  },
  invitation: {
    subject: "You have been invited to join {{ tenant_name }}",
    contentType: "text/plain",
    body: "You have been invited to join {{ tenant_name }}. Accept your invitation by opening this link:\n\n{{ invitation_url }}\n",
  },
}
