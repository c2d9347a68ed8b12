import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"

/**
 * V8's sampling heap profiler, kept to what outlives the young generation: objects freed by a scavenge are
 * left out, objects freed later by a mark-compact stay in (`includeObjectsCollectedByMajorGC`). So the
 * profile is what was promoted to the old space (or is still live) during the sampling, by allocation site.
 */
interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<ProfileNode>
}

const post = (session: Session, method: string, params: object = {}): Promise<unknown> =>
  new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
  })

const isNode = (u: unknown): u is ProfileNode =>
  typeof u === "object" && u !== null && "callFrame" in u && "selfSize" in u && "children" in u

/** Where the sources are: site names are shown relative to it. */
const sourceRoot = `file://${process.cwd()}/`

/** Self bytes by allocation site (`function url:line`), largest first. */
const bySite = (root: ProfileNode): Array<readonly [string, number]> => {
  const sites = new Map<string, number>()
  const walk = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame
    const site = `${functionName || "(anonymous)"} ${url.replace(sourceRoot, "")}:${lineNumber + 1}`
    if (node.selfSize > 0) sites.set(site, (sites.get(site) ?? 0) + node.selfSize)
    for (const child of node.children) walk(child)
  }
  walk(root)
  return [...sites].sort((a, b) => b[1] - a[1])
}

export interface PromotedSampling {
  readonly start: () => Promise<void>
  /** Stops, writes the profile into `dir` and answers the top sites as lines. */
  readonly stop: (label: string, top?: number) => Promise<ReadonlyArray<string>>
}

export const promotedSampling = (dir: string): PromotedSampling => {
  const session = new Session()
  session.connect()
  return {
    start: async () => {
      await post(session, "HeapProfiler.enable")
      await post(session, "HeapProfiler.startSampling", {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      })
    },
    stop: async (label, top = 15) => {
      const result = await post(session, "HeapProfiler.stopSampling")
      const profile: unknown =
        typeof result === "object" && result !== null && "profile" in result ? result.profile : null
      const head: unknown = typeof profile === "object" && profile !== null && "head" in profile ? profile.head : null
      if (!isNode(head)) return ["no profile"]
      writeFileSync(join(dir, `${label}.heapprofile`), JSON.stringify(profile))
      const sites = bySite(head)
      const total = sites.reduce((n, [, bytes]) => n + bytes, 0)
      return [
        `${label}: ${(total / 1e6).toFixed(1)} MB sampled as promoted or live`,
        ...sites.slice(0, top).map(([site, bytes]) => `  ${(bytes / 1e3).toFixed(0).padStart(7)} KB  ${site}`),
      ]
    },
  }
}
