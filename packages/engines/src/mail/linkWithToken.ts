/**
 * A one-time token appended to a configured link as `token=…`, keeping whatever query the link
 * already has (and its fragment, after the query).
 */
export const linkWithToken = (base: string, token: string): string => {
  const hash = base.indexOf("#")
  const head = hash < 0 ? base : base.slice(0, hash)
  const fragment = hash < 0 ? "" : base.slice(hash)
  const separator = head.includes("?") ? (head.endsWith("?") || head.endsWith("&") ? "" : "&") : "?"
  return `${head}${separator}token=${encodeURIComponent(token)}${fragment}`
}
