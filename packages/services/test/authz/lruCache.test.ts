import { describe, expect, it } from "vitest"
import { LruCache } from "../../src/authz/LruCache.js"

describe("LruCache", () => {
  it("never holds more weight than its bound, evicting the least recently used first", () => {
    const cache = new LruCache<ReadonlyArray<number>>(10, (v) => v.length)
    cache.set("a", [1, 2, 3])
    cache.set("b", [1, 2, 3])
    cache.set("c", [1, 2, 3])
    expect(cache.weight).toBe(9)
    // a hit makes "a" the newest: "b" is now the oldest
    expect(cache.get("a")).toEqual([1, 2, 3])
    cache.set("d", [1, 2])
    expect(cache.weight).toBeLessThanOrEqual(10)
    expect(cache.get("b")).toBeUndefined()
    expect(cache.get("a")).toBeDefined()
    expect(cache.get("c")).toBeDefined()
    expect(cache.get("d")).toBeDefined()
    expect(cache.evictions).toBe(1)
  })

  it("keeps the order exact when the newest key is hit again and again", () => {
    const cache = new LruCache<number>(3)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    expect(cache.get("c")).toBe(3)
    expect(cache.get("c")).toBe(3)
    // "a" becomes the newest, then "b" is the oldest and goes first
    expect(cache.get("a")).toBe(1)
    expect(cache.get("a")).toBe(1)
    cache.set("d", 4)
    expect(cache.get("b")).toBeUndefined()
    // "c" was hit before "a" and "d" came: it is the oldest now
    cache.set("e", 5)
    expect([cache.get("c"), cache.get("a"), cache.get("d"), cache.get("e")]).toEqual([undefined, 1, 4, 5])
  })

  it("replacing a key re-weighs it; an entry heavier than the bound is not kept", () => {
    const cache = new LruCache<string>(5, (v) => v.length)
    cache.set("k", "xxxx")
    cache.set("k", "x")
    expect(cache.weight).toBe(1)
    expect(cache.size).toBe(1)
    cache.set("big", "xxxxxx")
    expect(cache.get("big")).toBeUndefined()
    expect(cache.get("k")).toBe("x")
    expect(cache.weight).toBe(1)
  })

  it("holds at most its bound under a long run of distinct keys, counting each entry at least 1", () => {
    const cache = new LruCache<number>(100, () => 0)
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i)
    expect(cache.size).toBe(100)
    expect(cache.weight).toBe(100)
    expect(cache.evictions).toBe(9_900)
    // the newest survive
    expect(cache.get("k9999")).toBe(9999)
    expect(cache.get("k9899")).toBeUndefined()
    cache.clear()
    expect(cache.size).toBe(0)
    expect(cache.weight).toBe(0)
  })
})
