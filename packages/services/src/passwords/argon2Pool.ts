import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import type { Argon2Variant } from "./phc.js"

// A fixed-size pool of worker threads computing raw argon2 hashes — with hash-wasm
// (argon2Worker.mjs) or with @node-rs/argon2's synchronous call (argon2NativeWorker.mjs) — so
// hashing (tens of milliseconds of CPU each) never runs on the event loop, and runs on threads
// of lowered priority that yield to it. Workers start on
// demand up to `size` and are unref'd while idle so an undisposed pool never keeps the process
// alive. Each worker holds up to `depth` jobs (its port queues them), so when one hash ends the
// next starts at once: a worker never idles waiting for a busy event loop to hand it work. A
// worker that crashes fails its jobs and is replaced.

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

/** Jobs handed to one worker at once: the one it computes and the one it starts next. */
export const DEFAULT_WORKER_DEPTH = 2

export class Argon2WorkerPool {
  /** every live worker and the jobs posted to it, by id (a worker answers them in order) */
  private readonly workersInFlight = new Map<Worker, Map<number, Running>>()
  private readonly queue: Array<Pending> = []
  private spawned = 0
  private nextId = 1
  private closed = false

  constructor(
    readonly size: number = defaultPoolSize(),
    private readonly workerUrl: URL = WORKER_URL,
    readonly depth: number = DEFAULT_WORKER_DEPTH,
    /** workers run under SCHED_IDLE (nice 10 first); false keeps the process's priority */
    private readonly idlePriority: boolean = true,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("pool size must be a positive integer")
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError("worker depth must be a positive integer")
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

  /** Jobs waiting for room at a worker (not yet posted to one). */
  get queued(): number {
    return this.queue.length
  }

  /** The least loaded worker with room for a job: an existing one, else a new one while under `size`. */
  private pick(): Worker | undefined {
    let best: Worker | undefined
    let load = this.depth
    for (const [worker, inFlight] of this.workersInFlight) {
      if (inFlight.size < load) {
        best = worker
        load = inFlight.size
      }
    }
    return load === 0 || this.spawned >= this.size ? best : this.spawn()
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.pick()
      if (worker === undefined) return
      const pending = this.queue.shift()
      if (pending === undefined) return
      const running: Running = { ...pending, id: this.nextId++ }
      const inFlight = this.workersInFlight.get(worker)
      if (inFlight === undefined) return
      inFlight.set(running.id, running)
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

  private spawn(): Worker {
    // The worker is plain JavaScript: it needs no loader, and must not inherit the parent's node
    // flags (a tsx loader only slows its start; `--input-type` makes it fail to load at all).
    const worker = new Worker(this.workerUrl, { execArgv: [], workerData: { idlePriority: this.idlePriority } })
    const inFlight = new Map<number, Running>()
    this.workersInFlight.set(worker, inFlight)
    this.spawned++
    worker.on("message", (reply: unknown) => {
      if (!isReply(reply)) return
      const running = inFlight.get(reply.id)
      if (running === undefined) return
      inFlight.delete(reply.id)
      if (reply.ok) running.resolve(reply.hash)
      else running.reject(new Error(`argon2 worker: ${reply.error}`))
      if (this.closed) return
      if (inFlight.size === 0) worker.unref()
      this.dispatch()
    })
    const lost = (error: Error) => {
      if (!this.workersInFlight.delete(worker)) return
      this.spawned--
      for (const running of inFlight.values()) running.reject(error)
      inFlight.clear()
      if (!this.closed) this.dispatch()
    }
    worker.once("error", lost)
    worker.once("exit", (code: number) => lost(new Error(`argon2 worker exited with code ${code}`)))
    return worker
  }

  /** Terminates every worker; queued and running jobs fail. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const error = new Error("argon2 worker pool is closed")
    for (const p of this.queue.splice(0)) p.reject(error)
    const workers = [...this.workersInFlight]
    this.workersInFlight.clear()
    for (const [, inFlight] of workers) for (const r of inFlight.values()) r.reject(error)
    await Promise.all(workers.map(([w]) => w.terminate()))
  }
}
