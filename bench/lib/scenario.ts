import type { MethodDefinition, ServiceDefinition } from "./grpc.js"
import type { GrpcLoadOptions } from "./grpcLoad.js"
import type { HttpLoadOptions } from "./httpLoad.js"
import type { AtomEndpoints } from "./startAtom.js"
import type { LoadResult } from "./stats.js"

/** The floors a scenario is compared with (each a separate bare-server process, measured in the same run). */
export const BASELINES = ["http-floor", "grpc-floor", "yoga-floor", "pkijs-floor", "argon2-floor"] as const
export type BaselineName = (typeof BASELINES)[number]

/** The load drivers, with the run's defaults (duration, connections, concurrency, channels) already applied. */
export interface Loaders {
  readonly durationSec: number
  readonly http: (
    options: Omit<HttpLoadOptions, "durationSec"> & { readonly durationSec?: number },
  ) => Promise<LoadResult>
  readonly grpc: <Req extends object, Res>(
    options: Omit<GrpcLoadOptions<Req, Res>, "durationSec"> & { readonly durationSec?: number },
  ) => Promise<LoadResult>
  /** The contract's service definitions (atom.v1.* and grpc.health.v1.Health). */
  readonly services: ReadonlyMap<string, ServiceDefinition>
  /** A unary method of a loaded service; throws when it does not exist. */
  readonly unary: (service: string, method: string) => MethodDefinition<object, unknown>
  /** A progress line on stderr. */
  readonly log: (message: string) => void
}

export interface BenchContext extends Loaders {
  /** The Atom under test (one child process on loopback). */
  readonly atom: AtomEndpoints
}

export interface Scenario {
  /** Unique, kebab-case; what `--only` matches. */
  readonly name: string
  readonly description: string
  /** The floor it is compared with, or "none" for a figure that stands alone (e.g. a generation time). */
  readonly baseline: BaselineName | "none"
  /** Once, before the warm-up: seed data, log in, mint tokens… (keep state in the scenario module's closure). */
  readonly prepare?: (ctx: BenchContext) => Promise<void>
  /** How long `prepare` may take (default 120 s). */
  readonly prepareTimeoutMs?: number
  /** One timed measurement; called once for the warm-up (with a shorter duration) and once per run. */
  readonly run: (ctx: BenchContext) => Promise<LoadResult>
}

/** Identity, for inference and a single place to document the shape. */
export const defineScenario = (scenario: Scenario): Scenario => scenario
