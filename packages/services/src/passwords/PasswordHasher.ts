import { randomBytes } from "node:crypto"
import { constantTimeEqual } from "@atom/engines/secrets"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import { type Argon2Job, Argon2WorkerPool, defaultPoolSize, NATIVE_WORKER_URL, WORKER_URL } from "./argon2Pool.js"
import { type Argon2Params, formatPhc, OWASP_ARGON2ID, parsePhc, phcNeedsRehash, TEST_ARGON2ID } from "./phc.js"

// Password (and one-time-token / argon2-fallback secret) hashing: argon2id PHC strings
// (identity-certs §2.1, STACK.md §11). Two interchangeable implementations:
//   NodeRs   — @node-rs/argon2's native binding, called synchronously in worker threads of
//              lowered priority (one per CPU), so hashing never competes with the event loop.
//   WasmPool — hash-wasm in the same kind of pool, for platforms without the prebuilt binding.
// The event loop only posts messages.
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

/** The part of @node-rs/argon2 the main thread touches: one probe hash proving the binding loads. */
export interface NativeArgon2 {
  readonly hash: (
    password: string,
    options?: { readonly memoryCost?: number; readonly timeCost?: number; readonly parallelism?: number } | null,
  ) => Promise<string>
}

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

/**
 * Adds `needsRehash` and `dummyVerify` to hash/verify. The dummy's stored hash is made once, on
 * first use, by `hash` itself, so verifying against it costs what verifying a current-parameters
 * password costs.
 */
export const withDummyVerify = (
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

/** Hash and verify through a worker pool; `versions` are the argon2 versions its workers compute. */
const makePooled = (
  implementation: PasswordHasherImplementation,
  params: Argon2Params,
  pool: Argon2WorkerPool,
  versions: ReadonlyArray<number>,
): Effect.Effect<PasswordHasherShape> => {
  const raw = (job: Argon2Job) => Effect.tryPromise((signal) => pool.run(job, signal))
  return withDummyVerify(
    implementation,
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
    // Recompute with the stored salt and parameters and compare in constant time (a byte secret
    // that is not UTF-8 is hashed as bytes, as the reference does).
    (stored, secret) => {
      const phc = parsePhc(stored)
      if (phc === null || !versions.includes(phc.version)) return Effect.succeed(false)
      return raw({
        variant: phc.variant,
        secret: Redacted.value(secret),
        salt: phc.salt,
        memoryCost: phc.memoryCost,
        timeCost: phc.timeCost,
        parallelism: phc.parallelism,
        hashLength: phc.hash.length,
        version: phc.version === 16 ? 16 : 19,
      }).pipe(
        Effect.map((computed) => constantTimeEqual(computed, phc.hash)),
        Effect.orElseSucceed(() => false),
      )
    },
  )
}

/** A hasher owning a pool of `workerUrl` threads for the life of the scope. */
const scopedPool = (
  implementation: PasswordHasherImplementation,
  workerUrl: URL,
  versions: ReadonlyArray<number>,
  params: Argon2Params,
  size: number,
  idlePriority: boolean,
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new Argon2WorkerPool(size, workerUrl, undefined, idlePriority)),
    (pool) => Effect.promise(() => pool.close()),
  ).pipe(Effect.flatMap((pool) => makePooled(implementation, params, pool, versions)))

/** hash-wasm in worker threads (argon2 v=0x13 only). */
export const scopedWasmPool = (
  params: Argon2Params,
  size: number = defaultPoolSize(),
  idlePriority = true,
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  scopedPool("wasm-pool", WORKER_URL, [19], params, size, idlePriority)

/**
 * @node-rs/argon2 in worker threads of lowered priority (one per CPU): as fast as libuv's pool,
 * but a login storm cannot take the CPU from the event loop (issue 4: Check p99 under logins).
 */
export const scopedNodeRs = (
  params: Argon2Params,
  size: number = defaultPoolSize(),
  idlePriority = true,
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  scopedPool("node-rs", NATIVE_WORKER_URL, [16, 19], params, size, idlePriority)

/** NodeRs when the binding loads (per `load`), else WasmPool. */
export const scopedAuto = (
  params: Argon2Params,
  load: Effect.Effect<NativeArgon2, unknown> = loadNativeArgon2,
  idlePriority = true,
): Effect.Effect<PasswordHasherShape, never, Scope.Scope> =>
  load.pipe(
    Effect.flatMap(() => scopedNodeRs(params, defaultPoolSize(), idlePriority)),
    Effect.catchAll((cause) =>
      Effect.logWarning("native argon2 binding unavailable; hashing passwords with the WASM worker pool").pipe(
        Effect.annotateLogs("cause", String(cause)),
        Effect.zipRight(scopedWasmPool(params, defaultPoolSize(), idlePriority)),
      ),
    ),
  )

export class PasswordHasher extends Context.Tag("atom/PasswordHasher")<PasswordHasher, PasswordHasherShape>() {
  /** @node-rs/argon2, OWASP parameters. Dies at build time if the binding cannot load. */
  static readonly NodeRs: Layer.Layer<PasswordHasher> = Layer.scoped(
    PasswordHasher,
    loadNativeArgon2.pipe(
      Effect.orDie,
      Effect.flatMap(() => scopedNodeRs(OWASP_ARGON2ID)),
    ),
  )

  /** hash-wasm in a worker pool of one thread per CPU, OWASP parameters. */
  static readonly WasmPool: Layer.Layer<PasswordHasher> = Layer.scoped(PasswordHasher, scopedWasmPool(OWASP_ARGON2ID))

  /**
   * The production choice: NodeRs, or WasmPool where the native binding does not load; `idlePriority`
   * false (ATOM_PASSWORD_HASHING_IDLE_PRIORITY) keeps the hashing threads at the process's priority.
   */
  static readonly layerWith = (idlePriority: boolean): Layer.Layer<PasswordHasher> =>
    Layer.scoped(PasswordHasher, scopedAuto(OWASP_ARGON2ID, loadNativeArgon2, idlePriority))

  static readonly layer: Layer.Layer<PasswordHasher> = PasswordHasher.layerWith(true)

  /** Minimal argon2id cost (m=8 KiB, t=1, p=1) for fast tests; same formats and behaviour. */
  static readonly Test: Layer.Layer<PasswordHasher> = Layer.scoped(PasswordHasher, scopedAuto(TEST_ARGON2ID))
}
