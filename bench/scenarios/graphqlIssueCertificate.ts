import { CERT_IN_FLIGHT } from "../lib/floors.js"
import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

let headers: Record<string, string> = {}
let body = ""

/** What a successful `issueCertificate` answers: a certificate and its private key, no errors. */
const issued = (text: string): boolean =>
  text.startsWith('{"data":{"issueCertificate":{') &&
  text.includes("BEGIN CERTIFICATE") &&
  text.includes("BEGIN PRIVATE KEY") &&
  !text.includes('"errors"')

/**
 * Issuance with a server-generated key, stored and audited, through GraphQL `issueCertificate` with
 * `CERT_IN_FLIGHT` requests in flight — against the bare pkijs build-and-sign loop with as many in flight.
 */
export default defineScenario({
  name: "graphql-issue-certificate",
  description: `POST /graphql issueCertificate (P-256 key made by the server, stored, audited), ${CERT_IN_FLIGHT} in flight`,
  baseline: "pkijs-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    headers = { "content-type": "application/json", authorization: `Bearer ${session.token}` }
    body = JSON.stringify({
      query:
        "mutation Issue($input: IssueCertificateInput!) { issueCertificate(input: $input) { certificate { serialNumber certificatePem } privateKeyPem } }",
      variables: { input: { entityId: session.entityId, ttlSecs: 3600, dnsNames: ["bench.example.test"] } },
    })
    const res = await fetch(`${ctx.atom.httpUrl}/graphql`, { method: "POST", headers, body })
    const text = await res.text()
    if (res.status !== 200 || !issued(text)) throw new Error(`issueCertificate failed: ${res.status} ${text}`)
  },
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/graphql`,
      method: "POST",
      headers,
      body,
      connections: CERT_IN_FLIGHT,
      verifyBody: issued,
    }),
})
