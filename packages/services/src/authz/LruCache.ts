/**
 * A map bounded by the total weight of its entries (e.g. grants held), evicting the least recently
 * used first. A Map iterates in insertion order, so a hit re-inserts its key to become the newest.
 * An entry heavier than the whole budget is not kept.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly weight: number }>()
  private total = 0
  /** the key last inserted (the newest in the map's order), if known: a hit on it needs no re-insertion */
  private newest: string | undefined
  /** entries dropped to make room, since creation */
  evictions = 0

  constructor(
    readonly maxWeight: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** the summed weight of the entries held; never above maxWeight */
  get weight(): number {
    return this.total
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    // a hot key asked again and again (one OCSP request, one subject) stays where it is
    if (key !== this.newest) {
      this.entries.delete(key)
      this.entries.set(key, entry)
      this.newest = key
    }
    return entry.value
  }

  set(key: string, value: V): void {
    this.delete(key)
    const weight = Math.max(1, this.weigh(value))
    if (weight > this.maxWeight) return
    while (this.total + weight > this.maxWeight) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.delete(oldest.value)
      this.evictions++
    }
    this.entries.set(key, { value, weight })
    this.newest = key
    this.total += weight
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    this.entries.delete(key)
    if (key === this.newest) this.newest = undefined
    this.total -= entry.weight
    return true
  }

  clear(): void {
    this.entries.clear()
    this.newest = undefined
    this.total = 0
  }
}
