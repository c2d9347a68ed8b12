import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { SmtpConfig, SmtpTls } from "@atom/domain/config"
import { smtpDelivery, smtpTrustedCas } from "@atom/services/mail"
import { Effect, Either, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadConfig } from "../src/config/loadConfig.js"
import { mailBody, type SinkTls, type SmtpSink, startSmtpSink } from "./support/smtpSink.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Mail over TLS (identity-certs §6.1, issue 4): STARTTLS and implicit TLS against a real TLS SMTP server
// whose certificate chains to a private CA named by ATOM_SMTP_CA_PATH; a server that cannot prove itself,
// or that does not offer the upgrade `starttls` requires, never receives the message.

const dir = mkdtempSync(join(tmpdir(), "atom-smtp-tls-"))
const file = (name: string) => join(dir, name)
const openssl = (...args: Array<string>) => execFileSync("openssl", args, { stdio: "pipe" })

const NEW_P256_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

/** A CA (EC P-256) with a server certificate for 127.0.0.1 signed by it. */
const makeCa = (name: string) => {
  const ca = ["-subj", `/CN=${name} SMTP test CA`, "-addext", "basicConstraints=critical,CA:TRUE"]
  const caKeyUsage = ["-addext", "keyUsage=critical,keyCertSign,cRLSign", "-days", "2"]
  openssl(
    "req",
    "-x509",
    ...NEW_P256_KEY,
    ...ca,
    ...caKeyUsage,
    "-keyout",
    file(`${name}-ca.key`),
    "-out",
    file(`${name}-ca.pem`),
  )
  const csr = ["-subj", "/CN=127.0.0.1", "-keyout", file(`${name}-server.key`), "-out", file(`${name}-server.csr`)]
  openssl("req", "-new", ...NEW_P256_KEY, ...csr)
  writeFileSync(file(`${name}-ext.cnf`), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
  openssl(
    "x509",
    "-req",
    "-in",
    file(`${name}-server.csr`),
    "-CA",
    file(`${name}-ca.pem`),
    "-CAkey",
    file(`${name}-ca.key`),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file(`${name}-ext.cnf`),
    "-out",
    file(`${name}-server.pem`),
  )
  return {
    caPath: file(`${name}-ca.pem`),
    serverCertPath: file(`${name}-server.pem`),
    key: readFileSync(file(`${name}-server.key`), "utf8"),
    cert: readFileSync(file(`${name}-server.pem`), "utf8"),
  }
}

let trusted: ReturnType<typeof makeCa>
let stranger: ReturnType<typeof makeCa>
const sinks: Array<SmtpSink> = []

beforeAll(() => {
  trusted = makeCa("trusted")
  stranger = makeCa("stranger")
})
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  rmSync(dir, { recursive: true, force: true })
})

const sink = async (tls?: SinkTls) => {
  const s = await startSmtpSink(tls)
  sinks.push(s)
  return s
}

const settings = (port: number, tls: SmtpTls, caPath?: string): SmtpConfig => ({
  host: "127.0.0.1",
  from: "atom@example.test",
  port,
  tls,
  caPath: Option.fromNullable(caPath),
  credentials: Option.none(),
})

const send = (config: SmtpConfig, to: string) => {
  const delivery = smtpDelivery(config)
  return Effect.runPromise(
    delivery
      .deliver(to, { subject: "Hello", contentType: "text/plain", body: "over TLS" })
      .pipe(Effect.either, Effect.ensuring(delivery.close)),
  )
}

describe("SMTP delivery over TLS", () => {
  it("upgrades with STARTTLS to a server whose certificate chains to ATOM_SMTP_CA_PATH", async () => {
    const s = await sink({ mode: "starttls", key: trusted.key, cert: trusted.cert })
    const sent = await send(settings(s.port, "starttls", trusted.caPath), "starttls@example.test")
    expect(Either.isRight(sent)).toBe(true)
    expect(s.messages.map((m) => [m.to, m.secure])).toEqual([[["starttls@example.test"], true]])
  })

  it("speaks TLS from the first byte in `tls` mode", async () => {
    const s = await sink({ mode: "implicit", key: trusted.key, cert: trusted.cert })
    const sent = await send(settings(s.port, "tls", trusted.caPath), "implicit@example.test")
    expect(Either.isRight(sent)).toBe(true)
    expect(s.messages.map((m) => [m.to, m.secure])).toEqual([[["implicit@example.test"], true]])
  })

  it("refuses to send in the clear when `starttls` is required and the server does not offer it", async () => {
    const s = await sink()
    const sent = await send(settings(s.port, "starttls", trusted.caPath), "plain@example.test")
    // the client asks for the upgrade anyway, the server refuses (5xx): nothing is sent in the clear
    expect(Either.isLeft(sent)).toBe(true)
    expect(s.messages).toEqual([])
  })

  it("refuses a server whose certificate chains to a CA it does not trust", async () => {
    for (const mode of ["starttls", "implicit"] as const) {
      const s = await sink({ mode, key: stranger.key, cert: stranger.cert })
      const sent = await send(
        settings(s.port, mode === "implicit" ? "tls" : "starttls", trusted.caPath),
        "x@example.test",
      )
      expect(Either.isLeft(sent)).toBe(true)
      if (Either.isLeft(sent)) expect(sent.left.message).toMatch(/certificate/i)
      // without ATOM_SMTP_CA_PATH only the system's CAs count, and they do not know this one either
      const bare = await send(settings(s.port, mode === "implicit" ? "tls" : "starttls"), "x@example.test")
      expect(Either.isLeft(bare)).toBe(true)
      expect(s.messages).toEqual([])
    }
  })

  it("adds the file's CAs to the system's, and names the variable when the file is unusable", () => {
    const cas = smtpTrustedCas(Option.some(trusted.caPath)) ?? []
    expect(cas.length).toBeGreaterThan(1)
    expect(cas.at(-1)).toContain("BEGIN CERTIFICATE")
    expect(smtpTrustedCas(Option.none())).toBeUndefined()
    expect(() => smtpTrustedCas(Option.some(file("missing.pem")))).toThrow(/ATOM_SMTP_CA_PATH .* is not readable/)
    // a leaf certificate is not a CA
    expect(() => smtpTrustedCas(Option.some(trusted.serverCertPath))).toThrow(/must hold PEM CA certificates only/)
    writeFileSync(file("junk.pem"), "not a certificate")
    expect(() => smtpTrustedCas(Option.some(file("junk.pem")))).toThrow(/must hold PEM CA certificates only/)
  })

  it("rejects ATOM_SMTP_CA_PATH without TLS at startup", async () => {
    const loaded = await Effect.runPromise(
      Effect.either(
        loadConfig({
          ATOM_SMTP_HOST: "127.0.0.1",
          ATOM_SMTP_FROM: "atom@example.test",
          ATOM_SMTP_TLS: "none",
          ATOM_SMTP_CA_PATH: trusted.caPath,
        }),
      ),
    )
    expect(Either.isLeft(loaded) && loaded.left.variable).toBe("ATOM_SMTP_CA_PATH")
  })
})

describe("a running Atom mailing over STARTTLS", () => {
  let s: SmtpSink
  let atom: TestAtom
  beforeAll(async () => {
    s = await sink({ mode: "starttls", key: trusted.key, cert: trusted.cert })
    atom = await startTestAtom({
      ATOM_PUBLIC_BASE_URL: "https://atom.example.test",
      ATOM_SMTP_HOST: "127.0.0.1",
      ATOM_SMTP_PORT: String(s.port),
      ATOM_SMTP_FROM: "atom@example.test",
      ATOM_SMTP_TLS: "starttls",
      ATOM_SMTP_CA_PATH: trusted.caPath,
    })
  })
  afterAll(async () => {
    await atom?.close()
  })

  it("delivers the signup verification mail encrypted", async () => {
    const email = `tls.${Date.now()}@example.test`
    const res = await fetch(`${atom.baseUrl}/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `tls-${Date.now()}`, email, password: "a-long-enough-password-1" }),
    })
    expect(res.status).toBe(202)
    let mail = s.messages.find((m) => m.to.includes(email))
    for (let i = 0; i < 100 && mail === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50))
      mail = s.messages.find((m) => m.to.includes(email))
    }
    expect(mail?.secure).toBe(true)
    expect(mail && mailBody(mail)).toMatch(/auth\/email\/verify\?token=atomv_/)
  })
})
