import type { GroupId, PrincipalGroupRow } from "@atom/domain/authz"

/** How the subject reaches a principal group: the walked chain, outermost ancestor first. */
export interface GroupPath {
  readonly path: ReadonlyArray<GroupId>
  /** `group:<ancestor> -> … -> <direct group>` */
  readonly via: string
}

const isUsable = (row: PrincipalGroupRow): boolean => row.status === "active" && !row.deleted

/**
 * Every principal group the subject inherits from, with each chain that reaches it (one per direct
 * membership below it). A walk stops at a missing, inactive or tombstoned group, and at a cycle.
 */
export const principalGroupPaths = (rows: ReadonlyArray<PrincipalGroupRow>): ReadonlyMap<string, Array<GroupPath>> => {
  const byId = new Map<string, PrincipalGroupRow>()
  for (const row of rows) byId.set(row.groupId, row)
  const direct = rows
    .filter((row) => row.directMember)
    .map((row) => row.groupId)
    .sort()
  const reached = new Map<string, Array<GroupPath>>()
  for (const start of new Set(direct)) {
    const chain: Array<GroupId> = []
    const seen = new Set<string>()
    let row = byId.get(start)
    while (row !== undefined && isUsable(row) && !seen.has(row.groupId)) {
      seen.add(row.groupId)
      chain.push(row.groupId)
      const path = chain.slice().reverse()
      const entry: GroupPath = { path, via: `group:${path.join(" -> ")}` }
      const existing = reached.get(row.groupId)
      if (existing === undefined) reached.set(row.groupId, [entry])
      else existing.push(entry)
      row = row.parentId === null ? undefined : byId.get(row.parentId)
    }
  }
  return reached
}
