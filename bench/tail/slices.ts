/**
 * The long busy stretches of a V8 CPU profile: `npx tsx bench/tail/slices.ts <file.cpuprofile> [--over 2]`.
 * Consecutive samples that are not idle make a stretch; each stretch longer than `--over` ms is listed with the
 * functions of ours (packages/) and the libraries (node_modules) it spent most samples in. On a loaded machine a
 * stretch also holds the time the process was not scheduled, so read the composition, not only the length.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"

const { values, positionals } = parseArgs({
  options: { over: { type: "string" }, from: { type: "string" } },
  allowPositionals: true,
})
const overMs = Number(values.over ?? 2)
/** seconds into the profile before which stretches are left out (start-up, warm-up) */
const fromSec = Number(values.from ?? 0)

interface Frame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: Frame
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const isProfile = (x: unknown): x is Profile =>
  typeof x === "object" && x !== null && "nodes" in x && "samples" in x && "timeDeltas" in x

const label = (f: Frame): string | undefined => {
  const pkg = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(f.url)?.[1]
  if (pkg !== undefined) return pkg
  const ours = /\/packages\/([^/]+\/src\/.+)$/.exec(f.url)?.[1]
  if (ours !== undefined) return `${ours}:${f.functionName || "(anonymous)"}`
  if (f.functionName === "(garbage collector)") return "(gc)"
  if (f.url.startsWith("node:")) return f.url
  return undefined
}

const main = () => {
  const file = positionals[0]
  if (file === undefined) throw new Error("usage: slices.ts <file.cpuprofile> [--over ms]")
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`)
  const byId = new Map(parsed.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of parsed.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const labelsOf = (id: number): Set<string> => {
    const out = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)
      const l = node ? label(node.callFrame) : undefined
      if (l !== undefined) out.add(l)
    }
    return out
  }
  const idle = (id: number) => {
    const name = byId.get(id)?.callFrame.functionName
    return name === "(idle)" || name === "(program)"
  }
  interface Stretch {
    start: number
    ms: number
    counts: Map<string, number>
    samples: number
  }
  const stretches: Array<Stretch> = []
  let current: Stretch | undefined
  let t = 0
  for (const [i, id] of parsed.samples.entries()) {
    const dt = (parsed.timeDeltas[i] ?? 0) / 1000
    t += dt
    if (idle(id)) {
      if (current && current.ms > overMs && current.start >= fromSec * 1000) stretches.push(current)
      current = undefined
      continue
    }
    current ??= { start: t, ms: 0, counts: new Map(), samples: 0 }
    current.ms += dt
    current.samples++
    for (const l of labelsOf(id)) current.counts.set(l, (current.counts.get(l) ?? 0) + 1)
  }
  const total = t
  const totals = new Map<string, { n: number; ms: number }>()
  for (const s of stretches) {
    const ranked = [...s.counts.entries()].sort((a, b) => b[1] - a[1])
    const key = (ranked.find(([l]) => l.includes("src/")) ?? ranked[0])?.[0] ?? ""
    const k = totals.get(key || "(library only)") ?? { n: 0, ms: 0 }
    k.n++
    k.ms += s.ms
    totals.set(key || "(library only)", k)
  }
  process.stdout.write(`${stretches.length} stretches over ${overMs} ms in ${(total / 1000).toFixed(1)} s of profile\n`)
  for (const [k, v] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    process.stdout.write(`  ${v.n}× ${v.ms.toFixed(0)} ms  ${k}\n`)
  }
  process.stdout.write("longest:\n")
  for (const s of [...stretches].sort((a, b) => b.ms - a.ms).slice(0, 25)) {
    const top = [...s.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([l, n]) => `${l} ${Math.round((100 * n) / s.samples)}%`)
    process.stdout.write(
      `  at ${(s.start / 1000).toFixed(2)} s ${s.ms.toFixed(1)} ms (${s.samples} samples): ${top.join(", ")}\n`,
    )
  }
}

main()
