import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { devCaFiles, generateDevCa } from "@atom/engines/pki"
import { Effect } from "effect"

/** A development CA written to a temporary folder and the ATOM_CERTS_* settings that load it (any database). */
export const devCaEnv = async (): Promise<{ readonly env: Record<string, string>; readonly remove: () => void }> => {
  const dir = mkdtempSync(join(tmpdir(), "atom-ca-"))
  for (const [name, pem] of Object.entries(devCaFiles(await Effect.runPromise(generateDevCa())))) {
    writeFileSync(join(dir, name), pem, { mode: 0o600 })
  }
  return {
    env: {
      ATOM_CERTS_ENABLED: "true",
      ATOM_CERTS_CA_MODE: "file_intermediate_issuer",
      ATOM_CERTS_ROOT_CA_CERT_PATH: join(dir, "root-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(dir, "intermediate-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(dir, "intermediate-ca.key"),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
