import { requireCaller } from "@atom/services/auth"
import { SystemStatus } from "@atom/services/health"
import { Effect } from "effect"
import type { GraphqlModule } from "./GraphqlContext.js"

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** Keys snake_case → camelCase, recursively; `lastCleanup` is a JSON scalar and stays as stored. */
export const camelKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelKeys)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const key = camel(k)
    out[key] = key === "lastCleanup" ? v : camelKeys(v)
  }
  return out
}

/** `systemStatus` (api.md §3.5): the `/health/ready` body in camelCase, for platform `manage` only. */
export const systemStatusModule: GraphqlModule<SystemStatus> = {
  typeDefs: "",
  resolvers: {
    Query: {
      systemStatus: (_, _args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            return camelKeys(yield* Effect.flatMap(SystemStatus, (s) => s.report(caller)))
          }).pipe(Effect.withSpan("GraphQL.systemStatus")),
        ),
    },
  },
}
