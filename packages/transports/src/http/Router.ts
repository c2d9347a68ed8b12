import type { Route } from "./Route.js"

export type Match<R> =
  | { readonly kind: "found"; readonly route: Route<R>; readonly params: Record<string, string> }
  | { readonly kind: "method"; readonly allow: ReadonlyArray<string> }
  | { readonly kind: "none" }

interface Pattern<R> {
  readonly segments: ReadonlyArray<string>
  readonly rest: boolean
  readonly byMethod: Map<string, Route<R>>
}

/** Exact paths in a map (the hot ones: health, JWKS); patterns scanned in order. */
export const makeRouter = <R>(routes: ReadonlyArray<Route<R>>) => {
  const exact = new Map<string, Map<string, Route<R>>>()
  const patterns: Array<Pattern<R>> = []
  for (const route of routes) {
    if (!route.path.includes(":") && !route.path.endsWith("*")) {
      const byMethod = exact.get(route.path) ?? new Map<string, Route<R>>()
      byMethod.set(route.method, route)
      exact.set(route.path, byMethod)
      continue
    }
    const rest = route.path.endsWith("*")
    const segments = (rest ? route.path.slice(0, -1) : route.path).split("/").filter((s) => s !== "")
    let pattern = patterns.find((p) => p.rest === rest && p.segments.join("/") === segments.join("/"))
    if (!pattern) {
      pattern = { segments, rest, byMethod: new Map() }
      patterns.push(pattern)
    }
    pattern.byMethod.set(route.method, route)
  }

  const pick = (byMethod: Map<string, Route<R>>, method: string, params: Record<string, string>): Match<R> => {
    const route = byMethod.get(method) ?? byMethod.get("*") ?? (method === "HEAD" ? byMethod.get("GET") : undefined)
    return route ? { kind: "found", route, params } : { kind: "method", allow: [...byMethod.keys()] }
  }

  return (method: string, path: string): Match<R> => {
    const hit = exact.get(path)
    if (hit) return pick(hit, method, {})
    const parts = path.split("/").filter((s) => s !== "")
    for (const p of patterns) {
      if (p.rest ? parts.length < p.segments.length : parts.length !== p.segments.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < p.segments.length && ok; i++) {
        const seg = p.segments[i]!
        const part = parts[i]!
        if (seg.startsWith(":")) params[seg.slice(1)] = decodeURIComponent(part)
        else ok = seg === part
      }
      if (!ok) continue
      if (p.rest) params["*"] = parts.slice(p.segments.length).join("/")
      return pick(p.byMethod, method, params)
    }
    return { kind: "none" }
  }
}
