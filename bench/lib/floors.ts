import { FLOOR_HOST, READY_PREFIX } from "../floors/announce.js"
import { type Child, spawnTsx } from "./child.js"
import type { BaselineName, Loaders } from "./scenario.js"
import type { LoadResult } from "./stats.js"

/** The requests shared by the foundation scenarios and their floors, so both sides get the same bytes. */
export const HEALTH_LIVE_BODY = JSON.stringify({ status: "ok" })
export const GRAPHQL_HEALTH_QUERY = JSON.stringify({ query: "{ health }" })
export const GRAPHQL_HEALTH_BODY = JSON.stringify({ data: { health: "ok" } })
export const GRAPHQL_HEADERS = { "content-type": "application/json", accept: "application/json" }
export const HEALTH_SERVICE = "grpc.health.v1.Health"

/** Password logins in flight: the login scenario's connections and the argon2 floor's loops alike. */
export const LOGIN_IN_FLIGHT = 16

/** Certificates being issued at once: the pkijs floor's loops and the issuance scenario's connections alike. */
export const CERT_IN_FLIGHT = 8

export const isServing = (response: unknown): boolean =>
  typeof response === "object" && response !== null && "status" in response && response.status === "SERVING"

const isLoadResult = (x: unknown): x is LoadResult =>
  typeof x === "object" &&
  x !== null &&
  ["opsPerSec", "p50Ms", "p99Ms", "ok", "errors", "elapsedSec"].every(
    (k) => typeof Object.getOwnPropertyDescriptor(x, k)?.value === "number",
  )

/** Asks a loop floor (pkijs, argon2) to run for the load's duration in its own process; its LoadResult. */
const runLoopFloor = async (what: string, load: Loaders, port: number, inflight: number): Promise<LoadResult> => {
  const res = await fetch(`http://${FLOOR_HOST}:${port}/run?seconds=${load.durationSec}&inflight=${inflight}`, {
    method: "POST",
    signal: AbortSignal.timeout((load.durationSec + 30) * 1000),
  })
  const body: unknown = await res.json()
  if (res.status !== 200 || !isLoadResult(body)) throw new Error(`${what}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

interface FloorSpec {
  readonly script: string
  readonly description: string
  readonly run: (load: Loaders, port: number) => Promise<LoadResult>
}

export const FLOORS: Readonly<Record<BaselineName, FloorSpec>> = {
  "http-floor": {
    script: "bench/floors/httpFloor.ts",
    description: "bare node:http answering a constant JSON body",
    run: (load, port) => load.http({ url: `http://${FLOOR_HOST}:${port}/health/live`, expectBody: HEALTH_LIVE_BODY }),
  },
  "grpc-floor": {
    script: "bench/floors/grpcFloor.ts",
    description: "bare grpc-js server, Health/Check answering a constant",
    run: (load, port) =>
      load.grpc({
        address: `${FLOOR_HOST}:${port}`,
        method: load.unary(HEALTH_SERVICE, "Check"),
        request: { service: "" },
        check: isServing,
      }),
  },
  "yoga-floor": {
    script: "bench/floors/yogaFloor.ts",
    description: "bare graphql-yoga on node:http answering the constant field { health }",
    run: (load, port) =>
      load.http({
        url: `http://${FLOOR_HOST}:${port}/graphql`,
        method: "POST",
        headers: GRAPHQL_HEADERS,
        body: GRAPHQL_HEALTH_QUERY,
        expectBody: GRAPHQL_HEALTH_BODY,
      }),
  },
  "pkijs-floor": {
    script: "bench/floors/pkijsFloor.ts",
    description: `pkijs + WebCrypto P-256 leaf build-and-sign loop, ${CERT_IN_FLIGHT} in flight, in its own process`,
    run: async (load, port) => {
      const res = await fetch(
        `http://${FLOOR_HOST}:${port}/run?seconds=${load.durationSec}&inflight=${CERT_IN_FLIGHT}`,
        { method: "POST", signal: AbortSignal.timeout((load.durationSec + 30) * 1000) },
      )
      const body: unknown = await res.json()
      if (res.status !== 200 || !isLoadResult(body))
        throw new Error(`pkijs floor: ${res.status} ${JSON.stringify(body)}`)
      return body
    },
  },
  "argon2-floor": {
    script: "bench/floors/argon2Floor.ts",
    description: `argon2id verification (m=19456 KiB, t=2, p=1, node-rs), ${LOGIN_IN_FLIGHT} in flight, in its own process`,
    run: (load, port) => runLoopFloor("argon2 floor", load, port, LOGIN_IN_FLIGHT),
  },
}

export interface RunningFloor {
  readonly name: BaselineName
  readonly port: number
  readonly child: Child
  readonly startupMs: number
  readonly run: (load: Loaders) => Promise<LoadResult>
  readonly stop: () => Promise<void>
}

/** Spawns a floor as its own process (like Atom: one server process vs the one load-generating process). */
export const startFloor = async (name: BaselineName, timeoutMs = 60_000): Promise<RunningFloor> => {
  const spec = FLOORS[name]
  const started = performance.now()
  const child = spawnTsx(name, spec.script, [])
  try {
    const port = await child.waitForLine((line) => {
      if (!line.startsWith(READY_PREFIX)) return undefined
      const n = Number(line.slice(READY_PREFIX.length))
      return Number.isInteger(n) && n > 0 ? n : undefined
    }, timeoutMs)
    return {
      name,
      port,
      child,
      startupMs: performance.now() - started,
      run: (load) => spec.run(load, port),
      stop: () => child.stop(5_000),
    }
  } catch (e) {
    await child.stop(2_000)
    throw e
  }
}
