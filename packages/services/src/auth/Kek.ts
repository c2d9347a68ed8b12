import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { AtomConfig } from "@atom/domain/config"
import { generateKeyEncryptionKey, type KeyEncryptionKey, parseKeyEncryptionKey } from "@atom/engines/secrets"
import { Context, Data, Effect, Either, Layer, Option, Redacted } from "effect"

/** No usable key-encryption key where one is needed: stops startup with its message. */
export class KekUnavailable extends Data.TaggedError("KekUnavailable")<{ readonly message: string }> {}

/**
 * The key-encryption key (AES-256-GCM) that seals signing keys and shared keys. From
 * ATOM_KEY_ENCRYPTION_KEY; in embedded mode without one, a key generated once into the data
 * folder (so the zero-setup start works and keys survive restarts); otherwise none.
 */
export class Kek extends Context.Tag("atom/Kek")<
  Kek,
  { readonly key: Option.Option<KeyEncryptionKey>; readonly source: "env" | "data-dir" | "memory" | "none" }
>() {
  static readonly Live = Layer.effect(
    Kek,
    Effect.gen(function* () {
      const config = yield* AtomConfig
      const keyId = config.auth.keyEncryptionKeyId
      const fromEnv = parseKeyEncryptionKey(
        Option.getOrUndefined(Option.map(config.auth.keyEncryptionKey, Redacted.value)),
        keyId,
      )
      if (Either.isLeft(fromEnv)) return yield* Effect.fail(new KekUnavailable({ message: fromEnv.left.message }))
      if (Option.isSome(fromEnv.right)) return { key: fromEnv.right, source: "env" as const }
      if (Option.isSome(config.databaseUrl)) return { key: Option.none(), source: "none" as const }
      if (config.dataDir === "memory://") {
        return { key: Option.some(generateKeyEncryptionKey(keyId).kek), source: "memory" as const }
      }
      const path = join(config.dataDir, "kek")
      const stored = yield* Effect.promise(() => readFile(path, "utf8").catch(() => undefined))
      if (stored !== undefined) {
        const parsed = parseKeyEncryptionKey(stored, keyId)
        if (Either.isLeft(parsed) || Option.isNone(parsed.right)) {
          return yield* Effect.fail(new KekUnavailable({ message: `${path} does not hold a valid key-encryption key` }))
        }
        return { key: parsed.right, source: "data-dir" as const }
      }
      const fresh = generateKeyEncryptionKey(keyId)
      yield* Effect.tryPromise({
        try: async () => {
          await mkdir(config.dataDir, { recursive: true })
          await writeFile(path, `${fresh.env}\n`, { mode: 0o600, flag: "wx" })
          await chmod(path, 0o600)
        },
        catch: (e) => new KekUnavailable({ message: `cannot write ${path}: ${String(e)}` }),
      })
      yield* Effect.logInfo("generated a development key-encryption key").pipe(Effect.annotateLogs({ path }))
      return { key: Option.some(fresh.kek), source: "data-dir" as const }
    }),
  )
}
