/** What the login-storm bench's Atom prints on SIGUSR2 (see loopDelayEntry.ts). */
export const LOOP_DELAY_PREFIX = "LOOP_DELAY "

/** Event-loop delay since the previous reading, in milliseconds. */
export interface LoopDelay {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

export const parseLoopDelay = (line: string): LoopDelay | undefined => {
  if (!line.startsWith(LOOP_DELAY_PREFIX)) return undefined
  const parsed: unknown = JSON.parse(line.slice(LOOP_DELAY_PREFIX.length))
  if (typeof parsed !== "object" || parsed === null) return undefined
  if (!("p50" in parsed) || !("p99" in parsed) || !("max" in parsed)) return undefined
  const { p50, p99, max } = parsed
  return typeof p50 === "number" && typeof p99 === "number" && typeof max === "number" ? { p50, p99, max } : undefined
}
