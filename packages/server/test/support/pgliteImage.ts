import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MIGRATIONS_DIR } from "@atom/repositories/db"

/** Where the migrated PGlite image for the current migrations lives (keyed by their content). */
export const imagePath = (): string => {
  const hash = createHash("sha256")
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) hash.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)))
  return join(tmpdir(), `atom-pglite-${hash.digest("hex").slice(0, 16)}.tar.gz`)
}

export const loadImage = (): Blob | undefined => {
  const path = imagePath()
  return existsSync(path) ? new Blob([readFileSync(path)]) : undefined
}
