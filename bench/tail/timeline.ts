/**
 * A bounded timeline of what stalls a Node process: GC pauses (perf_hooks) and late timer wake-ups
 * (a 2 ms timer chain; a wake-up more than `lagMs` late means the event loop ran one long slice or the
 * process was not scheduled). Times are wall-clock epoch ms, so two processes' timelines line up.
 */
import { constants, PerformanceObserver } from "node:perf_hooks"

export interface Stall {
  /** epoch ms when it began */
  readonly at: number
  readonly ms: number
  readonly kind: string
}

const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "gc-scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "gc-mark-compact",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "gc-incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "gc-weakcb",
}

const CAPACITY = 200_000

export const recordStalls = (lagMs = 3): { readonly stalls: () => ReadonlyArray<Stall>; readonly stop: () => void } => {
  const stalls: Array<Stall> = []
  const push = (s: Stall) => {
    if (stalls.length < CAPACITY) stalls.push(s)
  }
  const origin = performance.timeOrigin
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail: unknown = Reflect.get(e, "detail")
      const kind =
        typeof detail === "object" && detail !== null && "kind" in detail && typeof detail.kind === "number"
          ? (GC_KINDS[detail.kind] ?? `gc-${detail.kind}`)
          : "gc"
      push({ at: origin + e.startTime, ms: e.duration, kind })
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const PERIOD = 2
  let expected = performance.now() + PERIOD
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    const now = performance.now()
    const late = now - expected
    if (late > lagMs) push({ at: origin + expected, ms: late, kind: "loop-lag" })
    expected = now + PERIOD
    timer = setTimeout(tick, PERIOD)
    timer.unref()
  }
  timer = setTimeout(tick, PERIOD)
  timer.unref()
  return {
    stalls: () => stalls,
    stop: () => {
      observer.disconnect()
      if (timer) clearTimeout(timer)
    },
  }
}
