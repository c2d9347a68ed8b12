import { defineScenario } from "../lib/scenario.js"
import { CRL_REVOKED, crlAtom } from "./crlAtom.js"

const CONNECTIONS = 4

/** The cached CRL of 100,000 entries (several MB of DER per response), a few clients at a time. */
export default defineScenario({
  name: "crl-cached-100k",
  description: `GET /certs/crl served from cache (${CRL_REVOKED.toLocaleString("en-US")} entries), ${CONNECTIONS} connections`,
  baseline: "http-floor",
  prepareTimeoutMs: 600_000,
  prepare: async () => {
    const { atom } = await crlAtom()
    const res = await fetch(`${atom.httpUrl}/certs/crl`)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET /certs/crl: ${res.status}`)
  },
  run: async (ctx) => {
    const { atom } = await crlAtom()
    return ctx.http({ url: `${atom.httpUrl}/certs/crl`, connections: CONNECTIONS })
  },
})
