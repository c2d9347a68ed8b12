import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either } from "effect"
import { afterAll } from "vitest"
import type { LeafTtlSettings } from "../../src/pki/index.js"

export const OPENSSL = "/usr/bin/openssl"

export const SETTINGS: LeafTtlSettings = { defaultTtlSecs: 2_592_000, maxTtlSecs: 2_592_000 }

export interface OpensslResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  /** stdout and stderr together (openssl splits its verdicts between them). */
  readonly output: string
}

/** Runs the real openssl CLI in `cwd`. */
export const openssl = (cwd: string, args: ReadonlyArray<string>, input?: Uint8Array): OpensslResult => {
  const result = spawnSync(OPENSSL, args, {
    cwd,
    input,
    encoding: "buffer",
    timeout: 60_000,
    maxBuffer: 512 * 1024 * 1024,
  })
  const stdout = result.stdout?.toString("utf8") ?? ""
  const stderr = result.stderr?.toString("utf8") ?? ""
  return { status: result.status, stdout, stderr, output: `${stdout}\n${stderr}` }
}

/** openssl that must succeed. */
export const opensslOk = (cwd: string, args: ReadonlyArray<string>, input?: Uint8Array): OpensslResult => {
  const result = openssl(cwd, args, input)
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${result.status}):\n${result.output}`)
  return result
}

/** A temp directory removed after the file's tests. */
export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "atom-pki-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const write = (dir: string, name: string, content: string | Uint8Array): string => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

export const read = (dir: string, name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)))
export const readText = (dir: string, name: string): string => readFileSync(join(dir, name), "utf8")

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The failure of an effect that must fail. */
export const runFailure = async <A, E>(effect: Effect.Effect<A, E>): Promise<E> => {
  const result = await Effect.runPromise(Effect.either(effect))
  if (Either.isRight(result)) throw new Error("expected a failure")
  return result.left
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")
