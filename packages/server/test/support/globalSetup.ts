import { existsSync, renameSync, writeFileSync } from "node:fs"
import { PgliteClient, runMigrations } from "@atom/repositories/db"
import { Effect, Layer } from "effect"
import { imagePath } from "./pgliteImage.js"

/** Migrates PGlite once per set of migrations and dumps it; each test file starts from the dump. */
export default async function setup() {
  if (process.env.DATABASE_URL) return
  const path = imagePath()
  if (existsSync(path)) return
  const dump = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const ctx = yield* Layer.build(PgliteClient.layer({}))
        yield* Effect.provide(runMigrations(), ctx)
        const db = Effect.provide(PgliteClient.Pglite, ctx)
        const blob = yield* Effect.flatMap(db, (d) => Effect.promise(() => d.dumpDataDir("gzip")))
        return yield* Effect.promise(() => blob.arrayBuffer())
      }),
    ),
  )
  const tmp = `${path}.${process.pid}`
  writeFileSync(tmp, Buffer.from(dump))
  renameSync(tmp, path)
}
