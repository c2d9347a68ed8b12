/**
 * `base` with query parameters appended (empty values left out), keeping any query it already has.
 * A base that is not an absolute URL gets the parameters appended as text.
 */
export const withQuery = (base: string, params: ReadonlyArray<readonly [string, string]>): string => {
  const present = params.filter(([, v]) => v !== "")
  if (URL.canParse(base)) {
    const url = new URL(base)
    for (const [k, v] of present) url.searchParams.append(k, v)
    return url.toString()
  }
  const query = new URLSearchParams(present.map(([k, v]) => [k, v])).toString()
  if (query === "") return base
  return `${base}${base.includes("?") ? "&" : "?"}${query}`
}
