import type { Grant, ResolvedObject } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import {
  authorizedObjectIds,
  compileGrants,
  grantCoversObject,
  type ListingInput,
  listingGrants,
} from "../src/authz/index.js"
import {
  applicability,
  groupId,
  makeGrant,
  makeObject,
  makeSubject,
  makeTenant,
  NOW,
} from "./fixtures/authzFixtures.js"

const T = makeTenant(0x71)
const T2 = makeTenant(0x72)
const U = makeSubject(0x51)

const listing = (grants: ReadonlyArray<Grant>, action = "read", ceiling?: ReadonlyArray<Grant>): ListingInput => ({
  subject: U,
  action,
  applicability,
  grants: compileGrants(grants),
  ceiling: ceiling === undefined ? null : compileGrants(ceiling),
  now: NOW,
})

const ids = (objects: ReadonlyArray<ResolvedObject>) => objects.map((o) => o.id)

describe("authorized listings (authz.md §4) through the one evaluator", () => {
  const K1 = makeObject("resource", 0x91, { tenant: T })
  const K2 = makeObject("resource", 0x92, { tenant: T })
  const rule = makeObject("resource", 0x93, { subKind: "rule", tenant: T })
  const channelRead = makeGrant({ scopeMode: "object_type", objectType: "resource:channel", tenantId: T.id })

  it("a deny of any kind hides what it covers (scenarios 14, 62)", () => {
    const deny = makeGrant({ effect: "deny", scopeMode: "object", objectId: K2.id, tenantId: T.id })
    expect(authorizedObjectIds(listing([channelRead, deny]), [K1, K2, rule])).toEqual([K1.id])
    const conditionalDeny = { ...deny, conditions: { "context.never": true } }
    expect(authorizedObjectIds(listing([channelRead, conditionalDeny]), [K1, K2])).toEqual([K1.id])
  })

  it("only unconditional allows list", () => {
    const conditional = { ...channelRead, conditions: { "context.mfa": true } }
    expect(authorizedObjectIds(listing([conditional]), [K1, K2])).toEqual([])
  })

  it("group scopes list the right objects (scenarios 63, 64)", () => {
    const OP = groupId(0x61)
    const OC = groupId(0x62)
    const Dp = makeObject("entity", 0x81, { tenant: T, parent: OP })
    const Dc = makeObject("entity", 0x82, { tenant: T, parent: OC, ancestors: [OP] })
    const direct = makeGrant({ scopeMode: "group_direct_objects", groupId: OP, objectType: "entity:device" })
    const tree = makeGrant({ scopeMode: "group_descendant_objects", groupId: OP, objectType: "entity:device" })
    expect(authorizedObjectIds(listing([direct]), [Dp, Dc])).toEqual([Dp.id])
    expect(authorizedObjectIds(listing([tree]), [Dp, Dc])).toEqual([Dc.id])

    const P = groupId(0x41)
    const groups = [
      makeObject("group", 0x41, { tenant: T }),
      makeObject("group", 0x42, { tenant: T, parent: P }),
      makeObject("group", 0x43, { tenant: T, parent: P }),
      makeObject("group", 0x44, { tenant: T, parent: groupId(0x42), ancestors: [P] }),
    ]
    const children = makeGrant({ scopeMode: "group_child_groups", groupId: P })
    const descendants = makeGrant({ scopeMode: "group_descendant_groups", groupId: P })
    const itself = makeGrant({ scopeMode: "group", groupId: P })
    expect(authorizedObjectIds(listing([children]), groups)).toEqual(ids(groups.slice(1, 3)))
    expect(authorizedObjectIds(listing([descendants]), groups)).toEqual(ids(groups.slice(1)))
    expect(authorizedObjectIds(listing([itself]), groups)).toEqual(ids(groups.slice(0, 1)))
  })

  it("objects in an unusable tenant drop out (scenario 66); global ones stay", () => {
    const platformRead = makeGrant()
    const X = makeObject("entity", 0x81, { tenant: T })
    const gone = makeObject("entity", 0x82, { tenant: makeTenant(0x72, "deleted", true) })
    const global = makeObject("entity", 0x83)
    expect(authorizedObjectIds(listing([platformRead]), [X, gone, global])).toEqual([X.id, global.id])
  })

  it("the action must apply to the object's type", () => {
    const publish = makeGrant({ action: "publish" })
    expect(authorizedObjectIds(listing([publish], "publish"), [K1, rule])).toEqual([K1.id])
  })

  it("a scoped self-listing also needs an unconditional ceiling entry", () => {
    const platformRead = makeGrant()
    const ceiling = [makeGrant({ source: "access_token_ceiling", scopeMode: "object", objectId: K1.id })]
    expect(authorizedObjectIds(listing([platformRead], "read", ceiling), [K1, K2])).toEqual([K1.id])
  })

  it("listingGrants exposes what a SQL pre-filter may use", () => {
    const set = compileGrants([
      channelRead,
      { ...channelRead, conditions: { "context.mfa": true } },
      makeGrant({ effect: "deny", conditions: { "context.x": 1 } }),
      makeGrant({ action: "write" }),
    ])
    const usable = listingGrants(set, "read", NOW)
    expect(usable.allows.map((g) => g.grant)).toEqual([channelRead])
    expect(usable.denies).toHaveLength(1)
    const [allow] = usable.allows
    expect(allow !== undefined && grantCoversObject(allow, K1)).toBe(true)
    expect(allow !== undefined && grantCoversObject(allow, makeObject("resource", 0x99, { tenant: T2 }))).toBe(false)
  })
})
