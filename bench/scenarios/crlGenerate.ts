import { defineScenario } from "../lib/scenario.js"
import { timedLoop } from "../lib/timedLoop.js"
import { CRL_REVOKED, crlAtom } from "./crlAtom.js"

const REVOKE = (serialNumber: string) =>
  JSON.stringify({
    query: "mutation R($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { status } }",
    variables: { input: { serialNumber, reason: "bench" } },
  })

/** A DER CRL of 100,000 entries is at least this long (each entry ≥ 18 bytes of serial and time). */
const MIN_CRL_BYTES = CRL_REVOKED * 18

/**
 * CRL regeneration with 100,000 revoked certificates: each operation revokes one more (which marks the CRL
 * stale) and times the `GET /certs/crl` that then rebuilds, signs and stores it. ops/s = 1 / generation time;
 * p50/p99 are the generation times in ms. Target: under 2 s.
 */
export default defineScenario({
  name: "crl-generate-100k",
  description: `GET /certs/crl right after a revocation: regenerate a CRL of ${CRL_REVOKED.toLocaleString("en-US")} entries`,
  baseline: "none",
  prepareTimeoutMs: 600_000,
  prepare: async () => {
    await crlAtom()
  },
  run: async (ctx) => {
    const { atom, headers, templateSerial } = await crlAtom()
    return timedLoop(ctx.durationSec, async () => {
      const revoked = await fetch(`${atom.httpUrl}/graphql`, { method: "POST", headers, body: REVOKE(templateSerial) })
      const text = await revoked.text()
      if (!text.includes('"status":"revoked"')) throw new Error(`revokeCertificate failed: ${text}`)
      const t0 = performance.now()
      const res = await fetch(`${atom.httpUrl}/certs/crl`)
      const der = await res.arrayBuffer()
      const ms = performance.now() - t0
      if (res.status !== 200 || der.byteLength < MIN_CRL_BYTES) {
        throw new Error(`GET /certs/crl: ${res.status}, ${der.byteLength} bytes`)
      }
      return ms
    })
  },
})
