import {
  CertificateService,
  CrlService,
  OCSP_MALFORMED_REQUEST,
  OCSP_MAX_REQUEST_BYTES,
  OcspResponder,
} from "@atom/services/certificates"
import { Effect } from "effect"
import type { Route, RouteResponse } from "../Route.js"

export const OCSP_HEADERS = { "content-type": "application/ocsp-response", "cache-control": "no-store" }

const ocsp = (body: Uint8Array): RouteResponse => ({ status: 200, headers: OCSP_HEADERS, body })

/**
 * The public PKI routes (api.md §1.3): the issuing chain (PEM), the CRL (DER) and the OCSP
 * responder. Disabled certificates → 400 `{"error":"certificate support is disabled"}`, except OCSP,
 * which always answers 200 with an OCSP response (malformedRequest for garbage, oversize bodies or
 * disabled certificates). startAtom serves `POST /certs/ocsp` through `ocspHandler` (the raw request,
 * cached answers without a fiber); the route here is its documented, Effect-only equivalent.
 */
export const certificateRoutes: ReadonlyArray<Route<CertificateService | CrlService | OcspResponder>> = [
  {
    method: "GET",
    path: "/certs/ca-chain",
    handler: () =>
      Effect.flatMap(CertificateService, (s) => s.caChain).pipe(
        Effect.map(
          (pem): RouteResponse => ({ status: 200, headers: { "content-type": "application/x-pem-file" }, body: pem }),
        ),
      ),
  },
  {
    method: "GET",
    path: "/certs/crl",
    handler: () =>
      Effect.flatMap(CrlService, (s) => s.current).pipe(
        Effect.map(
          (der): RouteResponse => ({ status: 200, headers: { "content-type": "application/pkix-crl" }, body: der }),
        ),
      ),
  },
  {
    method: "POST",
    path: "/certs/ocsp",
    bodyLimit: OCSP_MAX_REQUEST_BYTES,
    handler: (request) =>
      Effect.gen(function* () {
        const responder = yield* OcspResponder
        // an oversize or unreadable body is a malformed request, still answered 200
        const body = yield* Effect.either(request.body)
        if (body._tag === "Left") return ocsp(OCSP_MALFORMED_REQUEST)
        return ocsp(yield* responder.respond(body.right))
      }),
  },
]
