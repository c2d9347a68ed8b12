import type { IncomingHttpHeaders } from "node:http"
import type { Cidr, RateLimitCategory } from "@atom/domain/config"
import { cidrContains } from "@atom/domain/net"

const trusted = (cidrs: ReadonlyArray<Cidr>, ip: string) => cidrs.some((c) => cidrContains(c, ip))

const strip = (ip: string) => (ip.startsWith("::ffff:") ? ip.slice(7) : ip).trim()

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy — then the right-most
 * X-Forwarded-For entry that is not itself trusted, else X-Real-IP (identity-certs §6.2).
 */
export const clientAddress = (peer: string, headers: IncomingHttpHeaders, cidrs: ReadonlyArray<Cidr>): string => {
  const ip = strip(peer)
  if (cidrs.length === 0 || !trusted(cidrs, ip)) return ip
  const forwarded = headers["x-forwarded-for"]
  const hops = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").map(strip)
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]
    if (hop && !trusted(cidrs, hop)) return hop
  }
  const real = headers["x-real-ip"]
  return typeof real === "string" && real.trim() !== "" ? strip(real) : ip
}

/** Which limit a path falls under; undefined = unlimited (health, metrics, unknown paths). */
export const rateLimitCategory = (path: string): RateLimitCategory | undefined => {
  if (path === "/graphql" || path === "/rpc") return "graphql"
  if (path.startsWith("/api/custom/")) return "custom_endpoints"
  if (path.startsWith("/certs/") || path === "/.well-known/jwks.json") return "public_routes"
  if (path.startsWith("/auth/")) {
    return path === "/auth/public-config" ||
      path === "/auth/signup" ||
      path === "/auth/login" ||
      path.startsWith("/auth/email/") ||
      path.startsWith("/auth/password/") ||
      path.startsWith("/auth/oauth/")
      ? "auth_routes"
      : "admin_routes"
  }
  return undefined
}
