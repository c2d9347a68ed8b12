import {
  DEFAULT_EMAIL_TEMPLATES,
  EMAIL_TEMPLATE_LINK,
  EMAIL_TEMPLATE_NAMES,
  linkWithToken,
  parseEmailTemplate,
  renderEmailTemplate,
} from "@atom/engines/mail"
import { Either } from "effect"
import { describe, expect, it } from "vitest"

const parsed = (raw: string) => {
  const result = parseEmailTemplate(raw)
  if (Either.isLeft(result)) throw new Error(result.left)
  return result.right
}

describe("parseEmailTemplate", () => {
  it("reads the Subject line, an optional Content-Type, then the body after the blank line", () => {
    expect(parsed("Subject: Hello\n\nBody {{ x }}\n")).toEqual({
      subject: "Hello",
      contentType: "text/plain",
      body: "Body {{ x }}\n",
    })
    expect(parsed("Subject: Hi\r\nContent-Type: text/html\r\n\r\n<p>x</p>")).toEqual({
      subject: "Hi",
      contentType: "text/html",
      body: "<p>x</p>",
    })
    // anything but text/html is plain text
    expect(parsed("Content-Type: text/markdown\nSubject: S\n\nb").contentType).toBe("text/plain")
  })

  it("refuses a template without a blank line or without a Subject", () => {
    expect(parseEmailTemplate("Subject: no body")).toEqual(
      Either.left("email template must have a 'Subject: ...' line, a blank line, then the body"),
    )
    expect(parseEmailTemplate("Content-Type: text/html\n\nbody")).toEqual(
      Either.left("email template must have a 'Subject: ...' header line"),
    )
  })
})

describe("renderEmailTemplate", () => {
  it("fills placeholders with or without spaces and leaves unknown names empty", () => {
    const t = parsed("Subject: Join {{tenant_name}}\n\n{{ invitation_url }} {{ missing }}|{{ toString }}")
    expect(renderEmailTemplate(t, { tenant_name: "acme", invitation_url: "https://x/?token=a&b=c" })).toEqual({
      subject: "Join acme",
      contentType: "text/plain",
      body: "https://x/?token=a&b=c |",
    })
  })

  it("escapes values in HTML bodies and keeps a subject on one line", () => {
    const t = parsed('Subject: {{ name }}\nContent-Type: text/html\n\n<a href="{{ url }}">{{ name }}</a>')
    const out = renderEmailTemplate(t, { url: 'https://x/?a=1&b="2"', name: "<b>\r\nBcc: x@y" })
    expect(out.body).toBe('<a href="https://x/?a=1&amp;b=&quot;2&quot;">&lt;b&gt;\r\nBcc: x@y</a>')
    expect(out.subject).toBe("<b> Bcc: x@y")
  })

  it("has a built-in template for every mail, each using its link", () => {
    for (const name of EMAIL_TEMPLATE_NAMES) {
      const out = renderEmailTemplate(DEFAULT_EMAIL_TEMPLATES[name], { [EMAIL_TEMPLATE_LINK[name]]: "LINK" })
      expect(out.body, name).toContain("LINK")
      expect(out.subject, name).not.toBe("")
    }
  })
})

describe("linkWithToken", () => {
  it("adds the token as a query parameter, keeping an existing query and fragment", () => {
    expect(linkWithToken("https://a.test/verify", "atomv_1")).toBe("https://a.test/verify?token=atomv_1")
    expect(linkWithToken("https://a.test/r?lang=en", "t")).toBe("https://a.test/r?lang=en&token=t")
    expect(linkWithToken("https://a.test/r?", "t")).toBe("https://a.test/r?token=t")
    expect(linkWithToken("https://a.test/app#/reset", "t")).toBe("https://a.test/app?token=t#/reset")
    expect(linkWithToken("https://a.test/r", "a b&c")).toBe("https://a.test/r?token=a%20b%26c")
  })
})
