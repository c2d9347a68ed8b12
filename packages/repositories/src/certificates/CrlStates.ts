import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { CrlStampRow, CrlStateRow } from "./rows.js"

/** Serialises CRL generation across replicas for the rest of the transaction. */
const CRL_LOCK_KEY = 7306853925041214

export interface StoredCrl {
  readonly issuerFingerprintSha256: string
  readonly crlNumber: bigint
  readonly crlDer: Uint8Array
  readonly thisUpdate: Date
  readonly nextUpdate: Date
}

/**
 * The CRL cache of each issuer (`crl_state`): a new row starts at number 0 and dirty; revocations
 * mark rows dirty; regeneration, under an advisory lock, bumps the number and stores the DER (or an
 * empty one when the CRL is kept in memory only: `hasDer` and `read` treat it as none).
 */
export class CrlStates extends Effect.Service<CrlStates>()("atom/CrlStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const first = <A>(rows: ReadonlyArray<A>): A | undefined => rows[0]
    return {
      lock: execute(sql`SELECT pg_advisory_xact_lock(${CRL_LOCK_KEY})`),

      /** Creates the issuer's row (number 0, dirty) unless it exists. */
      ensure: (issuerFingerprintSha256: string) =>
        execute(
          sql`INSERT INTO crl_state (issuer_fingerprint_sha256) VALUES (${issuerFingerprintSha256})
              ON CONFLICT (issuer_fingerprint_sha256) DO NOTHING`,
        ),

      /** Enough to tell whether a cached CRL is still current, without reading the DER; `forUpdate` holds the row. */
      stamp: (issuerFingerprintSha256: string, options: { readonly forUpdate: boolean } = { forUpdate: false }) =>
        decodeRows(CrlStampRow)(
          sql`SELECT crl_number::text AS crl_number, dirty, coalesce(octet_length(crl_der), 0) > 0 AS has_der, next_update
              FROM crl_state WHERE issuer_fingerprint_sha256 = ${issuerFingerprintSha256}
              ${options.forUpdate ? sql`FOR UPDATE` : sql``}`,
        ).pipe(Effect.map(first)),

      /** The row with its DER (null when none was kept); `forUpdate` holds it for the rest of the transaction. */
      read: (issuerFingerprintSha256: string, options: { readonly forUpdate: boolean }) =>
        decodeRows(CrlStateRow)(
          sql`SELECT crl_number::text AS crl_number, dirty, encode(nullif(crl_der, ''::bytea), 'hex') AS crl_der, this_update,
                     next_update
              FROM crl_state WHERE issuer_fingerprint_sha256 = ${issuerFingerprintSha256}
              ${options.forUpdate ? sql`FOR UPDATE` : sql``}`,
        ).pipe(Effect.map(first)),

      /**
       * The DER travels as hex text (decoded by the database), for the same reason it is read as hex. An
       * empty DER records the number and window of a CRL kept only in this process's memory.
       */
      store: (crl: StoredCrl) =>
        execute(
          sql`UPDATE crl_state SET crl_number = ${crl.crlNumber.toString()}::bigint, crl_der = decode(${Buffer.from(crl.crlDer).toString("hex")}, 'hex'),
                this_update = ${crl.thisUpdate}, next_update = ${crl.nextUpdate}, dirty = false, updated_at = now()
              WHERE issuer_fingerprint_sha256 = ${crl.issuerFingerprintSha256}`,
        ),

      /** A revocation happened: every issuer's next CRL is regenerated. */
      markAllDirty: execute(sql`UPDATE crl_state SET dirty = true, updated_at = now() WHERE NOT dirty`),
    }
  }),
}) {}
