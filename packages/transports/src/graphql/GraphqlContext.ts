import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { Effect, Runtime } from "effect"

/** What every resolver gets: the request's facts and a way to run an Effect on the shared runtime. */
export interface GraphqlContext<R> {
  readonly requestId: string
  readonly clientIp: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** The authenticated caller; undefined for anonymous requests (public fields only). */
  readonly caller: Caller | undefined
  /** The value at once when the work finishes without waiting, else a promise of it; failures throw GraphQL errors. */
  readonly run: <A>(effect: Effect.Effect<A, AtomError, R>) => A | Promise<A>
}

export type Resolver<R> = (parent: unknown, args: Record<string, unknown>, context: GraphqlContext<R>) => unknown

/**
 * A field's warm answer with no Effect to run, made once per schema with the runtime: the value, or
 * undefined when the field's resolver in `resolvers` must run (it then decides, refuses or fails as always).
 */
export type ImmediateResolver<R> = (runtime: Runtime.Runtime<R>) => Resolver<R>

/** One area's slice of the schema: its SDL and resolvers, merged into one executable schema. */
export interface GraphqlModule<R> {
  readonly typeDefs: string
  readonly resolvers: Readonly<Record<string, Readonly<Record<string, Resolver<R>>>>>
  /** Fields answered from memory first when they can be (not when spans are recorded: those need the Effect). */
  readonly immediate?: Readonly<Record<string, Readonly<Record<string, ImmediateResolver<R>>>>>
}
