import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url))
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url))
/** `pnpm build`'s output, run as `pnpm start:prod` does. */
const BUNDLE = fileURLToPath(new URL("../../../../dist/atom.mjs", import.meta.url))

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const address = s.address()
      const port = typeof address === "object" && address ? address.port : 0
      s.close(() => resolve(port))
    })
  })

export interface SpawnedAtom {
  readonly child: ChildProcess
  readonly httpPort: number
  readonly grpcPort: number
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/**
 * Runs `atom <args>` as a real process, as an operator would: from the sources under tsx, or with `built`
 * the bundle `pnpm build` wrote, with plain node.
 */
export const spawnAtom = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly built?: boolean } = {},
): Promise<SpawnedAtom> => {
  const httpPort = await freePort()
  const grpcPort = await freePort()
  const entry =
    options.built === true ? ["--max-old-space-size=1024", "--v8-pool-size=1", BUNDLE] : ["--import", "tsx", MAIN]
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      LISTEN_ADDR: `127.0.0.1:${httpPort}`,
      GRPC_ADDR: `127.0.0.1:${grpcPort}`,
      ATOM_LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let out = ""
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, httpPort, grpcPort, output: () => out, exited }
}

/** Polls readiness until it answers 200 or the budget runs out; returns the milliseconds it took. */
export const waitReady = async (port: number, budgetMs: number): Promise<number> => {
  const started = Date.now()
  while (Date.now() - started < budgetMs) {
    const status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200) return Date.now() - started
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`not ready within ${budgetMs} ms`)
}
