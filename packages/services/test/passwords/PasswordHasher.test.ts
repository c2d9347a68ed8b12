import { randomBytes } from "node:crypto"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import {
  OWASP_ARGON2ID,
  PasswordHasher,
  type PasswordHasherShape,
  parsePhc,
  scopedAuto,
  TEST_ARGON2ID,
  withDummyVerify,
} from "../../src/passwords/index.js"

const PHC_OWASP = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/
const pw = (s: string) => Redacted.make(s)

const contract = (name: string, hasher: Layer.Layer<PasswordHasher>, implementation: string) =>
  layer(hasher, { timeout: "60 seconds" })(name, (it) => {
    it.effect("writes argon2id v=19 PHC strings under the OWASP parameters", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        expect(h.implementation).toBe(implementation)
        const stored = yield* h.hash(pw("correct horse battery staple"))
        expect(stored).toMatch(PHC_OWASP)
        const again = yield* h.hash(pw("correct horse battery staple"))
        expect(again).not.toBe(stored) // fresh salt
        expect(parsePhc(stored)?.salt).toHaveLength(16)
        expect(parsePhc(stored)?.hash).toHaveLength(32)
      }),
    )

    it.effect("verifies the right secret only", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        const stored = yield* h.hash(pw("correct horse battery staple"))
        expect(yield* h.verify(stored, pw("correct horse battery staple"))).toBe(true)
        expect(yield* h.verify(stored, pw("correct horse battery stapl"))).toBe(false)
        expect(yield* h.verify(stored, pw(""))).toBe(false)
      }),
    )

    it.effect("hashes raw bytes (access tokens without a KEK) and unicode", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        const secret = new Uint8Array(randomBytes(32))
        const stored = yield* h.hash(Redacted.make(secret))
        expect(yield* h.verify(stored, Redacted.make(secret))).toBe(true)
        expect(yield* h.verify(stored, Redacted.make(Buffer.from(secret).toString("hex")))).toBe(false)
        const u = yield* h.hash(pw("pässwörd 🔑"))
        expect(yield* h.verify(u, pw("pässwörd 🔑"))).toBe(true)
        expect(yield* h.verify(u, pw("passwörd 🔑"))).toBe(false)
      }),
    )

    it.effect("a malformed stored hash verifies false instead of failing", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        for (const bad of [
          "",
          "plaintext",
          "$argon2id$v=19$m=19456,t=2,p=1$",
          "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
          "$argon2id$v=19$m=19456,t=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
          "$argon2x$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
          "$2b$12$abcdefghijklmnopqrstuv",
        ]) {
          expect(yield* h.verify(bad, pw("x"))).toBe(false)
        }
      }),
    )

    it.effect("needsRehash flags anything but argon2id v=19 with the current parameters", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        const stored = yield* h.hash(pw("pw"))
        expect(h.needsRehash(stored)).toBe(false)
        expect(h.needsRehash(stored.replace("t=2", "t=3"))).toBe(true)
        expect(h.needsRehash(stored.replace("m=19456", "m=65536"))).toBe(true)
        expect(h.needsRehash(stored.replace("$argon2id$", "$argon2i$"))).toBe(true)
        expect(h.needsRehash(stored.replace("$v=19", ""))).toBe(true)
        expect(h.needsRehash("garbage")).toBe(true)
      }),
    )

    it.effect("dummyVerify costs a verification and answers false", () =>
      Effect.gen(function* () {
        const h = yield* PasswordHasher
        expect(yield* h.dummyVerify(pw("whatever"))).toBe(false)
        const stored = yield* h.hash(pw("pw"))
        const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
        const timed = (e: Effect.Effect<boolean>) =>
          Effect.gen(function* () {
            const t0 = performance.now()
            yield* e
            return performance.now() - t0
          })
        // alternated, so a burst of load on a shared box slows both kinds alike
        const dummies: Array<number> = []
        const reals: Array<number> = []
        for (let i = 0; i < 7; i++) {
          dummies.push(yield* timed(h.dummyVerify(pw("whatever"))))
          reals.push(yield* timed(h.verify(stored, pw("wrong"))))
        }
        const dummy = median(dummies)
        const real = median(reals)
        // A dummy that skipped the work would answer in microseconds, a verification takes
        // milliseconds. Only that floor is asserted: how close the two medians come on a loaded
        // CI box is a measurement, not a unit fact (the dummy hash is made by `hash` under the
        // current parameters, so the two do the same work by construction; see "dummyVerify" below).
        expect(dummy).toBeGreaterThan(real / 5)
      }),
    )
  })

contract("PasswordHasher.NodeRs", PasswordHasher.NodeRs, "node-rs")
contract("PasswordHasher.WasmPool", PasswordHasher.WasmPool, "wasm-pool")

describe("dummyVerify", () => {
  const DUMMY_STORED = `$argon2id$v=19$m=19456,t=2,p=1$${"c2FsdA".repeat(3)}AAAA$${"A".repeat(43)}`
  it("verifies once per call against one hash made by `hash` under the current parameters", async () => {
    const hashed: Array<string> = []
    const verified: Array<{ readonly stored: string; readonly secret: string }> = []
    const shape = await Effect.runPromise(
      withDummyVerify(
        "node-rs",
        OWASP_ARGON2ID,
        (secret) =>
          Effect.sync(() => {
            hashed.push(String(Redacted.value(secret)))
            return DUMMY_STORED
          }),
        (stored, secret) =>
          Effect.sync(() => {
            verified.push({ stored, secret: String(Redacted.value(secret)) })
            return true
          }),
      ),
    )
    expect(hashed).toEqual([])
    // even a verify that matched answers false
    expect(await Effect.runPromise(shape.dummyVerify(pw("a")))).toBe(false)
    expect(await Effect.runPromise(shape.dummyVerify(pw("b")))).toBe(false)
    expect(hashed).toHaveLength(1)
    expect(hashed[0]).toMatch(/^[0-9a-f]{64}$/)
    expect(verified.map((v) => v.secret)).toEqual(["a", "b"])
    for (const v of verified) {
      expect(v.stored).toBe(DUMMY_STORED)
      expect(shape.needsRehash(v.stored)).toBe(false)
    }
  })
})

describe("the two implementations are interchangeable", () => {
  it("a hash from either verifies with the other, for strings, bytes and other parameters", async () => {
    const native = ManagedRuntime.make(PasswordHasher.NodeRs)
    const wasm = ManagedRuntime.make(PasswordHasher.WasmPool)
    try {
      const onNative = <A>(f: (h: PasswordHasherShape) => Effect.Effect<A>) =>
        native.runPromise(Effect.flatMap(PasswordHasher, f))
      const onWasm = <A>(f: (h: PasswordHasherShape) => Effect.Effect<A>) =>
        wasm.runPromise(Effect.flatMap(PasswordHasher, f))

      const fromNative = await onNative((h) => h.hash(pw("correct horse battery staple")))
      const fromWasm = await onWasm((h) => h.hash(pw("correct horse battery staple")))
      expect(await onWasm((h) => h.verify(fromNative, pw("correct horse battery staple")))).toBe(true)
      expect(await onNative((h) => h.verify(fromWasm, pw("correct horse battery staple")))).toBe(true)
      expect(await onWasm((h) => h.verify(fromNative, pw("wrong")))).toBe(false)
      expect(await onNative((h) => h.verify(fromWasm, pw("wrong")))).toBe(false)

      const bytes = Redacted.make(new Uint8Array(randomBytes(32)))
      const bytesHash = await onNative((h) => h.hash(bytes))
      expect(await onWasm((h) => h.verify(bytesHash, bytes))).toBe(true)

      // a string written under other parameters and variant still verifies on both
      const { hash: nativeHash } = await import("@node-rs/argon2")
      const other = await nativeHash("legacy", { memoryCost: 4096, timeCost: 3, parallelism: 2 })
      expect(other).toMatch(/^\$argon2id\$v=19\$m=4096,t=3,p=2\$/)
      expect(await onWasm((h) => h.verify(other, pw("legacy")))).toBe(true)
      expect(await onNative((h) => h.verify(other, pw("legacy")))).toBe(true)
      expect(await onWasm((h) => Effect.succeed(h.needsRehash(other)))).toBe(true)
      // argon2i too (algorithm 1)
      const argon2i = await nativeHash("legacy", { memoryCost: 1024, timeCost: 2, parallelism: 1, algorithm: 1 })
      expect(argon2i).toMatch(/^\$argon2i\$/)
      expect(await onWasm((h) => h.verify(argon2i, pw("legacy")))).toBe(true)
      // argon2 v=0x10: the native binding checks it; hash-wasm implements v=0x13 only
      const v16 = await nativeHash("legacy", { memoryCost: 1024, timeCost: 2, parallelism: 1, version: 0 })
      expect(v16).toMatch(/^\$argon2id\$v=16\$m=1024/)
      expect(await onNative((h) => h.verify(v16, pw("legacy")))).toBe(true)
      expect(await onWasm((h) => h.verify(v16, pw("legacy")))).toBe(false)
    } finally {
      await native.dispose()
      await wasm.dispose()
    }
  })
})

describe("layer selection", () => {
  it("PasswordHasher.layer takes the native binding when it loads", async () => {
    const rt = ManagedRuntime.make(PasswordHasher.layer)
    try {
      expect((await rt.runPromise(PasswordHasher)).implementation).toBe("node-rs")
    } finally {
      await rt.dispose()
    }
  })

  it("falls back to the WASM pool when the binding does not load", async () => {
    const broken = Effect.fail(new Error("Cannot find module '@node-rs/argon2-linux-x64-gnu'"))
    const rt = ManagedRuntime.make(Layer.scoped(PasswordHasher, scopedAuto(OWASP_ARGON2ID, broken)))
    try {
      const h = await rt.runPromise(PasswordHasher)
      expect(h.implementation).toBe("wasm-pool")
      const stored = await rt.runPromise(h.hash(pw("pw")))
      expect(stored).toMatch(PHC_OWASP)
      expect(await rt.runPromise(h.verify(stored, pw("pw")))).toBe(true)
    } finally {
      await rt.dispose()
    }
  })

  it("PasswordHasher.Test uses minimal parameters with the same formats", async () => {
    const rt = ManagedRuntime.make(PasswordHasher.Test)
    try {
      const h = await rt.runPromise(PasswordHasher)
      expect(h.params).toEqual(TEST_ARGON2ID)
      const stored = await rt.runPromise(h.hash(pw("pw")))
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/)
      expect(await rt.runPromise(h.verify(stored, pw("pw")))).toBe(true)
      expect(h.needsRehash(stored)).toBe(false)
    } finally {
      await rt.dispose()
    }
  })
})
