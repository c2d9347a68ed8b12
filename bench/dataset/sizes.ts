/**
 * How big the generated dataset is at a scale factor. `--scale 1` is the Authorization issue's dataset (10,000
 * entities, 2,000 groups, 200 roles, 50,000 assignments and direct policies, 100,000 resources, 50 tenants);
 * `--scale 10` is ten times that in every dimension, so each tenant keeps the same shape and only the totals grow.
 */
export interface DatasetSizes {
  readonly scale: number
  readonly tenants: number
  /** global humans (entities 0 … humans-1) followed by tenant-owned machines */
  readonly entities: number
  readonly humans: number
  readonly objectGroups: number
  readonly principalGroups: number
  readonly resources: number
  /** four per tenant; one more platform role is added on top */
  readonly tenantRoles: number
  /** role assignments bounded to a tenant; a few unbounded platform ones are added on top */
  readonly roleAssignments: number
  readonly directPolicies: number
  /** unbounded assignments of the platform reader role to the first humans */
  readonly platformAssignments: number
}

/** Groups nest in chains of this many levels: a group at level 5 has five ancestors. */
export const MAX_GROUP_DEPTH = 6
export const ROLES_PER_TENANT = 4

export const MIN_SCALE = 0.001
export const MAX_SCALE = 100

export const datasetSizes = (scale: number): DatasetSizes => {
  if (!Number.isFinite(scale) || scale < MIN_SCALE || scale > MAX_SCALE)
    throw new Error(`scale must be a number from ${MIN_SCALE} to ${MAX_SCALE}`)
  const n = (base: number, min: number) => Math.max(min, Math.round(base * scale))
  const tenants = n(50, 2)
  const entities = n(10_000, 10 * tenants)
  const humans = Math.max(5, Math.round(entities * 0.2))
  // every tenant needs at least two groups of each kind (roles point at levels 0 and 1)
  const groups = n(2_000, 4 * tenants)
  const objectGroups = Math.ceil(groups / 2)
  return {
    scale,
    tenants,
    entities,
    humans,
    objectGroups,
    principalGroups: groups - objectGroups,
    resources: n(100_000, 2 * tenants),
    tenantRoles: ROLES_PER_TENANT * tenants,
    roleAssignments: n(20_000, 10),
    directPolicies: n(30_000, 10),
    platformAssignments: Math.min(5, humans),
  }
}
