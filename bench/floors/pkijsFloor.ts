/**
 * Floor: the bare certificate build-and-sign rate — pkijs + WebCrypto, no server work around it. Each operation
 * is what `issueCertificate` does for a server-generated key: a fresh P-256 key pair, a leaf with the same
 * extensions (basicConstraints, keyUsage, EKU, SKI, AKI, SAN), signed ECDSA-SHA256 by a P-256 CA key, then DER,
 * PEM of the certificate and the PKCS#8 key, and the SHA-256 fingerprint.
 *
 * Not a load target but a loop: `POST /run?seconds=<s>&inflight=<n>` runs `n` such loops concurrently for `s`
 * seconds in this process and answers the `LoadResult` as JSON (the control request itself is one round trip).
 */
import { createHash, randomBytes } from "node:crypto"
import { createServer } from "node:http"
import * as asn1js from "../../packages/engines/node_modules/asn1js/build/index.js"
import * as pkijs from "../../packages/engines/node_modules/pkijs/build/index.js"
import { LatencySamples, type LoadResult } from "../lib/stats.js"
import { announceReady, FLOOR_HOST } from "./announce.js"

const subtle = globalThis.crypto.subtle
pkijs.setEngine("bench", new pkijs.CryptoEngine({ name: "bench", crypto: globalThis.crypto }))

const EC = { name: "ECDSA", namedCurve: "P-256" } as const
const TTL_MS = 30 * 24 * 3600 * 1000

const cn = (value: string) =>
  new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: "2.5.4.3", value: new asn1js.Utf8String({ value }) })],
  })

const extension = (extnID: string, critical: boolean, value: asn1js.BaseBlock) =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) })

const pem = (label: string, der: ArrayBuffer) => {
  const b64 = Buffer.from(der).toString("base64")
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`
}

const keyId = (spki: ArrayBuffer) => createHash("sha1").update(Buffer.from(spki)).digest()

const ca = await subtle.generateKey(EC, false, ["sign", "verify"])
const caKeyId = keyId(await subtle.exportKey("raw", ca.publicKey))

const issueOne = async (n: number): Promise<void> => {
  const keys = await subtle.generateKey(EC, true, ["sign", "verify"])
  const cert = new pkijs.Certificate()
  cert.version = 2
  const serial = randomBytes(16)
  serial[0] = (serial[0] ?? 0) & 0x7f
  cert.serialNumber = new asn1js.Integer({ valueHex: serial })
  cert.issuer = cn("Atom Bench Intermediate CA")
  cert.subject = cn(`leaf-${n}`)
  const now = Math.floor(Date.now() / 1000) * 1000
  cert.notBefore.value = new Date(now - 300_000)
  cert.notAfter.value = new Date(now + TTL_MS)
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey)
  const subjectKeyId = keyId(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView.slice().buffer)
  cert.extensions = [
    extension("2.5.29.19", true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    // digitalSignature + keyEncipherment
    extension("2.5.29.15", true, new asn1js.BitString({ valueHex: Uint8Array.of(0xa0).buffer, unusedBits: 5 })),
    extension(
      "2.5.29.37",
      false,
      new pkijs.ExtKeyUsage({ keyPurposes: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"] }).toSchema(),
    ),
    extension("2.5.29.14", false, new asn1js.OctetString({ valueHex: subjectKeyId })),
    extension(
      "2.5.29.35",
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: caKeyId }) }).toSchema(),
    ),
    extension(
      "2.5.29.17",
      false,
      new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 2, value: `leaf-${n}.bench.test` })] }).toSchema(),
    ),
  ]
  await cert.sign(ca.privateKey, "SHA-256")
  const der = cert.toSchema(true).toBER(false)
  const pkcs8 = await subtle.exportKey("pkcs8", keys.privateKey)
  pem("CERTIFICATE", der)
  pem("PRIVATE KEY", pkcs8)
  createHash("sha256").update(Buffer.from(der)).digest("hex")
}

const run = async (seconds: number, inflight: number): Promise<LoadResult> => {
  const samples = new LatencySamples()
  let ok = 0
  let errors = 0
  let n = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      try {
        await issueOne(n++)
        ok++
        samples.add(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: inflight }, loop))
  const elapsedSec = (performance.now() - started) / 1000
  const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
  return { opsPerSec: ok / elapsedSec, p50Ms: p50, p99Ms: p99, ok, errors, elapsedSec }
}

const bounded = (raw: string | null, fallback: number, max: number) => {
  const n = Number(raw ?? fallback)
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${FLOOR_HOST}`)
  if (req.method !== "POST" || url.pathname !== "/run") {
    res.writeHead(404).end()
    return
  }
  void run(bounded(url.searchParams.get("seconds"), 5, 60), bounded(url.searchParams.get("inflight"), 8, 256)).then(
    (result) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result)),
    (e: unknown) => res.writeHead(500).end(e instanceof Error ? e.message : String(e)),
  )
})
server.listen(0, FLOOR_HOST, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("pkijs floor: no port")
  announceReady(address.port, (done) => {
    server.closeAllConnections()
    server.close(done)
  })
})
