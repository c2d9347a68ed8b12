import { datasetHash, datasetId } from "../dataset/ids.js"
import type { DatasetSizes } from "../dataset/sizes.js"

/** One authorization question about the generated dataset. */
export interface CheckSpec {
  readonly subject: number
  readonly subjectId: string
  readonly action: string
  readonly objectKind: "resource" | "group" | "entity"
  readonly objectId: string
}

const RESOURCE_KINDS = ["channel", "rule", "report", "alarm"] as const
const RESOURCE_ACTIONS: Readonly<Record<(typeof RESOURCE_KINDS)[number], ReadonlyArray<string>>> = {
  channel: ["read", "subscribe", "publish"],
  rule: ["read", "execute"],
  report: ["read"],
  alarm: ["read"],
}

/** Where things are in the generated dataset (mirrors bench/dataset/statements.ts). */
export const layout = (seed: number, z: DatasetSizes) => {
  const T = z.tenants
  const perTenant = (count: number, t: number) => Math.floor((count - 1 - t) / T) + 1
  const entityTenant = (i: number) => (i < z.humans ? i % T : (i - z.humans) % T)
  const resourceKind = (r: number) => RESOURCE_KINDS[datasetHash(seed, "res-kind", r) % 4] ?? "report"
  const resourceIn = (t: number, pick: number) => (pick % perTenant(z.resources, t)) * T + t
  const groupIn = (t: number, pick: number) => (pick % perTenant(z.objectGroups, t)) * T + t
  const machineIn = (t: number, pick: number) =>
    z.humans + (pick % Math.max(1, perTenant(z.entities - z.humans, t))) * T + t
  return { T, perTenant, entityTenant, resourceKind, resourceIn, groupIn, machineIn }
}

/**
 * A deterministic question for `subject`: mostly resources of its own tenant (allowed or denied by its roles,
 * nested groups and direct policies), some resources of another tenant (denied by the tenant boundary), object
 * groups and machines of its tenant. `n` varies the pick.
 */
export const checkFor = (seed: number, z: DatasetSizes, subject: number, n: number): CheckSpec => {
  const L = layout(seed, z)
  const h = (what: string) => datasetHash(seed, `bench-${what}`, `${subject}:${n}`)
  const t = L.entityTenant(subject)
  const u = h("object") % 100
  const subjectId = datasetId(seed, "e", subject)
  if (u < 60 || u >= 96) {
    const other = u >= 96 ? (t + 1 + (h("tenant") % Math.max(1, L.T - 1))) % L.T : t
    const r = L.resourceIn(other, h("pick"))
    const actions = RESOURCE_ACTIONS[L.resourceKind(r)]
    const action = actions[h("action") % actions.length] ?? "read"
    return { subject, subjectId, action, objectKind: "resource", objectId: datasetId(seed, "res", r) }
  }
  if (u < 80) {
    const j = L.groupIn(t, h("pick"))
    return { subject, subjectId, action: "read", objectKind: "group", objectId: datasetId(seed, "og", j) }
  }
  const m = L.machineIn(t, h("pick"))
  return {
    subject,
    subjectId,
    action: h("action") % 2 === 0 ? "read" : "write",
    objectKind: "entity",
    objectId: datasetId(seed, "e", m),
  }
}

/** Subjects in a spread-out deterministic order: every entity once (a stride coprime to the count). */
export const subjectOrder = (count: number): ReadonlyArray<number> => {
  let stride = Math.floor(count * 0.618) | 1
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))
  while (gcd(stride, count) !== 1) stride += 2
  return Array.from({ length: count }, (_, k) => (k * stride) % count)
}
