import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import type { Argon2Variant } from "./phc.js"

// A fixed-size pool of worker threads computing raw argon2 hashes — with hash-wasm
// (argon2Worker.mjs) or with @node-rs/argon2's synchronous call (argon2NativeWorker.mjs) — so
// hashing (tens of milliseconds of CPU each) never runs on the event loop, and runs on threads
// of lowered priority that yield to it. Workers start on
// demand up to `size`, take one job at a time, and are unref'd while idle so an undisposed pool
// never keeps the process alive. A worker that crashes fails its job and is replaced.

export interface Argon2Job {
  readonly variant: Argon2Variant
  readonly secret: string | Uint8Array
  readonly salt: Uint8Array
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
  readonly hashLength: number
  /** argon2 version: 19 (0x13, the default) or 16 (0x10; the native worker only) */
  readonly version?: 16 | 19
}

interface Pending {
  readonly job: Argon2Job
  readonly resolve: (hash: Uint8Array) => void
  readonly reject: (error: Error) => void
}

interface Running extends Pending {
  readonly id: number
}

type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly hash: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly error: string }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const isReply = (u: unknown): u is WorkerReply =>
  isRecord(u) &&
  typeof u.id === "number" &&
  ((u.ok === true && u.hash instanceof Uint8Array) || (u.ok === false && typeof u.error === "string"))

export const WORKER_URL = new URL("./argon2Worker.mjs", import.meta.url)
export const NATIVE_WORKER_URL = new URL("./argon2NativeWorker.mjs", import.meta.url)

export const defaultPoolSize = (): number => Math.max(1, availableParallelism())

export class Argon2WorkerPool {
  private readonly idle: Array<Worker> = []
  private readonly running = new Map<Worker, Running>()
  private readonly queue: Array<Pending> = []
  private spawned = 0
  private nextId = 1
  private closed = false

  constructor(
    readonly size: number = defaultPoolSize(),
    private readonly workerUrl: URL = WORKER_URL,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("pool size must be a positive integer")
  }

  /** Computes one raw hash. An aborted job that has not started is dropped from the queue. */
  run(job: Argon2Job, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error("argon2 worker pool is closed"))
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: Pending = { job, resolve, reject }
      this.queue.push(pending)
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.queue.indexOf(pending)
          if (i >= 0) {
            this.queue.splice(i, 1)
            reject(new Error("aborted"))
          }
        },
        { once: true },
      )
      this.dispatch()
    })
  }

  /** Workers started so far (at most `size`). */
  get workers(): number {
    return this.spawned
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.spawned < this.size ? this.spawn() : undefined)
      if (worker === undefined) return
      const pending = this.queue.shift()
      if (pending === undefined) {
        this.park(worker)
        return
      }
      const running: Running = { ...pending, id: this.nextId++ }
      this.running.set(worker, running)
      worker.ref()
      const { secret } = pending.job
      // a Buffer may be a view of a shared pool slab: post a copy of just its bytes
      worker.postMessage({
        id: running.id,
        ...pending.job,
        secret: typeof secret === "string" ? secret : Uint8Array.from(secret),
      })
    }
  }

  private park(worker: Worker): void {
    worker.unref()
    this.idle.push(worker)
  }

  private spawn(): Worker {
    // The worker is plain JavaScript: it needs no loader, and must not inherit the parent's node
    // flags (a tsx loader only slows its start; `--input-type` makes it fail to load at all).
    const worker = new Worker(this.workerUrl, { execArgv: [] })
    this.spawned++
    worker.on("message", (reply: unknown) => {
      const running = this.running.get(worker)
      if (running === undefined || !isReply(reply) || reply.id !== running.id) return
      this.running.delete(worker)
      if (reply.ok) running.resolve(reply.hash)
      else running.reject(new Error(`argon2 worker: ${reply.error}`))
      if (this.closed) return
      this.park(worker)
      this.dispatch()
    })
    const lost = (error: Error) => {
      const running = this.running.get(worker)
      this.running.delete(worker)
      const i = this.idle.indexOf(worker)
      if (i >= 0) this.idle.splice(i, 1)
      this.spawned--
      running?.reject(error)
      if (!this.closed) this.dispatch()
    }
    let gone = false
    worker.once("error", (e: Error) => {
      gone = true
      lost(e)
    })
    worker.once("exit", (code: number) => {
      if (!gone) lost(new Error(`argon2 worker exited with code ${code}`))
    })
    return worker
  }

  /** Terminates every worker; queued and running jobs fail. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const error = new Error("argon2 worker pool is closed")
    for (const p of this.queue.splice(0)) p.reject(error)
    const workers = [...this.idle, ...this.running.keys()]
    for (const r of this.running.values()) r.reject(error)
    this.running.clear()
    this.idle.length = 0
    await Promise.all(workers.map((w) => w.terminate()))
  }
}
