import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

let request = Buffer.alloc(0)
let expected = ""

const OCSP_HEADERS = { "content-type": "application/ocsp-request" }

const post = async (url: string, body: Buffer): Promise<Buffer> => {
  const res = await fetch(url, { method: "POST", headers: OCSP_HEADERS, body: new Uint8Array(body) })
  const der = Buffer.from(await res.arrayBuffer())
  if (res.status !== 200) throw new Error(`POST /certs/ocsp: ${res.status}`)
  return der
}

/**
 * OCSP for a good certificate without a nonce — the cached path (parse, one status read, the signed response
 * from memory) — against the bare node:http floor. The request is made by `openssl ocsp -reqout` for a leaf
 * Atom issued; every answer must be byte-identical to the cached one.
 */
export default defineScenario({
  name: "ocsp-cached-good",
  description: "POST /certs/ocsp for a good certificate, no nonce (cached signed response)",
  baseline: "http-floor",
  prepare: async (ctx) => {
    const { token, entityId } = await adminSession(ctx.atom.httpUrl)
    const res = await fetch(`${ctx.atom.httpUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          "mutation I($input: IssueCertificateInput!) { issueCertificate(input: $input) { certificate { certificatePem } } }",
        variables: { input: { entityId, ttlSecs: 3600 } },
      }),
    })
    const leaf = JSON.stringify(await res.json()).match(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/,
    )?.[0]
    const chain = await (await fetch(`${ctx.atom.httpUrl}/certs/ca-chain`)).text()
    const issuer = chain.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/)?.[0]
    if (leaf === undefined || issuer === undefined) throw new Error("ocsp bench: no leaf or issuer certificate")
    const dir = mkdtempSync(join(tmpdir(), "atom-bench-ocsp-"))
    try {
      const unescaped = (pem: string) => `${pem.replaceAll("\\n", "\n")}\n`
      writeFileSync(join(dir, "leaf.pem"), unescaped(leaf))
      writeFileSync(join(dir, "issuer.pem"), `${issuer}\n`)
      execFileSync(
        "openssl",
        ["ocsp", "-issuer", "issuer.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der"],
        {
          cwd: dir,
          stdio: "ignore",
          timeout: 30_000,
        },
      )
      request = readFileSync(join(dir, "req.der"))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const url = `${ctx.atom.httpUrl}/certs/ocsp`
    const first = await post(url, request)
    const cached = await post(url, request)
    // a signed response is hundreds of bytes; malformedRequest and friends are 5
    if (cached.length < 100 || !cached.equals(first)) throw new Error("ocsp bench: no stable signed response")
    expected = cached.toString()
  },
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/certs/ocsp`,
      method: "POST",
      headers: OCSP_HEADERS,
      body: request,
      expectBody: expected,
    }),
})
