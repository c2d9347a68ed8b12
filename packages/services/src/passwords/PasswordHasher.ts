import { randomBytes } from "node:crypto"
import { constantTimeEqual } from "@atom/engines/secrets"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import { type Argon2Job, Argon2WorkerPool, defaultPoolSize } from "./argon2Pool.js"
import { type Argon2Params, formatPhc, OWASP_ARGON2ID, parsePhc, phcNeedsRehash, TEST_ARGON2ID } from "./phc.js"

// Password (and one-time-token / argon2-fallback secret) hashing: argon2id PHC strings
// (identity-certs §2.1, STACK.md §11). Two interchangeable implementations:
//   NodeRs   — @node-rs/argon2's native binding; each hash runs on the libuv thread pool.
//   WasmPool — hash-wasm in a worker_threads pool sized to the CPUs, for platforms without the
//              prebuilt binding; the event loop only posts messages.
// `layer` takes NodeRs when its binding loads and WasmPool otherwise. Both write
// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` and verify each other's strings.
//
// Secrets are Redacted strings (passwords) or bytes (the raw 32 bytes of an access token minted
// without a KEK, which the reference hashes as bytes). A malformed stored hash verifies false.

export type PasswordSecret = Redacted.Redacted<string | Uint8Array>

export type PasswordHasherImplementation = "node-rs" | "wasm-pool"

export interface PasswordHasherShape {
  readonly implementation: PasswordHasherImplementation
  readonly params: Argon2Params
  /** A new argon2id PHC string under `params`, with a fresh random salt. */
  readonly hash: (secret: PasswordSecret) => Effect.Effect<string>
  /** Whether `secret` matches a stored PHC string (any argon2 variant and parameters it names). */
  readonly verify: (hash: string, secret: PasswordSecret) => Effect.Effect<boolean>
  /** True when a stored hash is not argon2id v=19 under the current `params`: rehash after login. */
  readonly needsRehash: (hash: string) => boolean
  /**
   * Spends one full verification at the current parameters and answers false. Call it when the
   * identifier matched no credential, so "unknown user" takes as long as "wrong password".
   */
  readonly dummyVerify: (secret: PasswordSecret) => Effect.Effect<false>
}

/** The part of @node-rs/argon2 this module uses (its const enums written as their values). */
export interface NativeArgon2 {
  readonly hash: (
    password: string | Uint8Array,
    options?: NativeOptions | null,
    abortSignal?: AbortSignal | null,
  ) => Promise<string>
  readonly hashRaw: (
    password: string | Uint8Array,
    options?: NativeOptions | null,
    abortSignal?: AbortSignal | null,
  ) => Promise<Uint8Array>
}

interface NativeOptions {
  readonly memoryCost?: number
  readonly timeCost?: number
  readonly parallelism?: number
  readonly outputLen?: number
  readonly salt?: Uint8Array
  /** Argon2d = 0, Argon2i = 1, Argon2id = 2 */
  readonly algorithm?: 0 | 1 | 2
  /** V0x10 = 0, V0x13 = 1 */
  readonly version?: 0 | 1
}

const NATIVE_ALGORITHM = { argon2d: 0, argon2i: 1, argon2id: 2 } as const

/** Loads the native binding and proves it works with one minimal hash. Fails where it cannot load. */
export const loadNativeArgon2: Effect.Effect<NativeArgon2, unknown> = Effect.tryPromise({
  try: async () => {
    const native: NativeArgon2 = await import("@node-rs/argon2")
    await native.hash("probe", { memoryCost: 8, timeCost: 1, parallelism: 1 })
    return native
  },
  catch: (cause) => cause,
})

const salt = (params: Argon2Params): Uint8Array => new Uint8Array(randomBytes(params.saltLength))

/** Adds `needsRehash` and a cached dummy hash (computed on first use) to hash/verify. */
const complete = (
  implementation: PasswordHasherImplementation,
  params: Argon2Params,
  hash: PasswordHasherShape["hash"],
  verify: PasswordHasherShape["verify"],
): Effect.Effect<PasswordHasherShape> =>
  Effect.map(Effect.cached(hash(Redacted.make(randomBytes(32).toString("hex")))), (dummy) => ({
    implementation,
    params,
    hash,
    verify,
    needsRehash: (stored: string) => phcNeedsRehash(stored, params),
    dummyVerify: (secret: PasswordSecret) =>
      dummy.pipe(
        Effect.flatMap((stored) => verify(stored, secret)),
        Effect.as(false as const),
      ),
  }))

/** The native implementation over an already loaded binding. */
export const makeNodeRs = (params: Argon2Params, native: NativeArgon2): Effect.Effect<PasswordHasherShape> =>
  complete(
    "node-rs",
    params,
    (secret) =>
      Effect.promise((signal) =>
        native.hash(
          Redacted.value(secret),
          {
            memoryCost: params.memoryCost,
            timeCost: params.timeCost,
            parallelism: params.parallelism,
            outputLen: params.hashLength,
            salt: salt(params),
          },
          signal,
        ),
      ),
    // Recompute with the stored salt and parameters and compare in constant time, rather than
    // the binding's verify(), which rejects non-UTF-8 byte secrets ("invalid utf-8 sequence").
    (stored, secret) => {
      const phc = parsePhc(stored)
      if (phc === null) return Effect.succeed(false)
      return Effect.promise((signal) =>
        native
          .hashRaw(
            Redacted.value(secret),
            {
              memoryCost: phc.memoryCost,
              timeCost: phc.timeCost,
              parallelism: phc.parallelism,
              outputLen: phc.hash.length,
              salt: phc.salt,
              algorithm: NATIVE_ALGORITHM[phc.variant],
              version: phc.version === 19 ? 1 : 0,
            },
            signal,
          )
          .then(
            (computed) => constantTimeEqual(computed, phc.hash),
            () => false,
          ),
      )
    },
  )

/** The WASM implementation over a worker pool. */
export const makeWasmPool = (params: Argon2Params, pool: Argon2WorkerPool): Effect.Effect<PasswordHasherShape> => {
  const raw = (job: Argon2Job) => Effect.tryPromise((signal) => pool.run(job, signal))
  return complete(
    "wasm-pool",
    params,
    (secret) =>
      Effect.suspend(() => {
        const s = salt(params)
        const job: Argon2Job = {
          variant: "argon2id",
          secret: Redacted.value(secret),
          salt: s,
          memoryCost: params.memoryCost,
          timeCost: params.timeCost,
          parallelism: params.parallelism,
          hashLength: params.hashLength,
        }
        return raw(job).pipe(
          Effect.map((hash) =>
            formatPhc({
              variant: "argon2id",
              version: 19,
              memoryCost: params.memoryCost,
              timeCost: params.timeCost,
              parallelism: params.parallelism,
              salt: s,
              hash,
            }),
          ),
          Effect.orDie,
        )
      }),
    (stored, secret) => {
      const phc = parsePhc(stored)
      // hash-wasm implements argon2 v=0x13 only; a v=0x10 string cannot be checked here
      if (phc === null || phc.version !== 19) return Effect.succeed(false)
      return raw({
        variant: phc.variant,
        secret: Redacted.value(secret),
        salt: phc.salt,
        memoryCost: phc.memoryCost,
        timeCost: phc.timeCost,
        parallelism: phc.parallelism,
        hashLength: phc.hash.length,
      }).pipe(
        Effect.map((computed) => constantTimeEqual(computed, phc.hash)),
        Effect.orElseSucceed(() => false),
      )
    },
  )
}

/** A WasmPool hasher owning its pool for the life of the scope. */
export const scopedWasmPool = (
  params: Argon2Params,
  size: number = defaultPoolSize(),
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new Argon2WorkerPool(size)),
    (pool) => Effect.promise(() => pool.close()),
  ).pipe(Effect.flatMap((pool) => makeWasmPool(params, pool)))

/** NodeRs when the binding loads (per `load`), else WasmPool. */
export const scopedAuto = (
  params: Argon2Params,
  load: Effect.Effect<NativeArgon2, unknown> = loadNativeArgon2,
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  load.pipe(
    Effect.flatMap((native) => makeNodeRs(params, native)),
    Effect.catchAll((cause) =>
      Effect.logWarning("native argon2 binding unavailable; hashing passwords with the WASM worker pool").pipe(
        Effect.annotateLogs("cause", String(cause)),
        Effect.zipRight(scopedWasmPool(params)),
      ),
    ),
  )

export class PasswordHasher extends Context.Tag("atom/PasswordHasher")<PasswordHasher, PasswordHasherShape>() {
  /** @node-rs/argon2, OWASP parameters. Dies at build time if the binding cannot load. */
  static readonly NodeRs: Layer.Layer<PasswordHasher> = Layer.effect(
    PasswordHasher,
    loadNativeArgon2.pipe(
      Effect.orDie,
      Effect.flatMap((native) => makeNodeRs(OWASP_ARGON2ID, native)),
    ),
  )

  /** hash-wasm in a worker pool of one thread per CPU, OWASP parameters. */
  static readonly WasmPool: Layer.Layer<PasswordHasher> = Layer.scoped(PasswordHasher, scopedWasmPool(OWASP_ARGON2ID))

  /** The production choice: NodeRs, or WasmPool where the native binding does not load. */
  static readonly layer: Layer.Layer<PasswordHasher> = Layer.scoped(PasswordHasher, scopedAuto(OWASP_ARGON2ID))

  /** Minimal argon2id cost (m=8 KiB, t=1, p=1) for fast tests; same formats and behaviour. */
  static readonly Test: Layer.Layer<PasswordHasher> = Layer.scoped(PasswordHasher, scopedAuto(TEST_ARGON2ID))
}
