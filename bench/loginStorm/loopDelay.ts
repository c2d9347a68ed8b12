/** What the login-storm bench's Atom prints on SIGUSR2 (see loopDelayEntry.ts). */
export const LOOP_DELAY_PREFIX = "LOOP_DELAY "

/** Event-loop delay since the previous reading, in milliseconds (see loopDelayEntry.ts). */
export interface LoopDelay {
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** lag less the main thread's run-queue wait: what the event loop's own work caused */
  readonly blockedP99: number
  readonly blockedMax: number
}

export const parseLoopDelay = (line: string): LoopDelay | undefined => {
  if (!line.startsWith(LOOP_DELAY_PREFIX)) return undefined
  const parsed: unknown = JSON.parse(line.slice(LOOP_DELAY_PREFIX.length))
  if (typeof parsed !== "object" || parsed === null) return undefined
  if (!("p50" in parsed) || !("p99" in parsed) || !("max" in parsed)) return undefined
  if (!("blockedP99" in parsed) || !("blockedMax" in parsed)) return undefined
  const { p50, p99, max, blockedP99, blockedMax } = parsed
  return typeof p50 === "number" &&
    typeof p99 === "number" &&
    typeof max === "number" &&
    typeof blockedP99 === "number" &&
    typeof blockedMax === "number"
    ? { p50, p99, max, blockedP99, blockedMax }
    : undefined
}
