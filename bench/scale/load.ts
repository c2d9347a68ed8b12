import { Agent, request as httpRequest } from "node:http"
import { grpc, type MethodDefinition } from "../lib/grpc.js"
import { LatencySamples } from "../lib/stats.js"

/** One request of a mix and how to tell its reply is the expected one. */
export interface MixedRequest<Req> {
  readonly request: Req
  readonly expect: (reply: unknown) => boolean
}

export interface MixedResult {
  readonly opsPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly ok: number
  /** transport errors, timeouts and replies that are not the expected one */
  readonly errors: number
  readonly elapsedSec: number
}

export interface Pace {
  readonly durationSec: number
  /** calls in flight for a closed loop (each completion issues the next) */
  readonly concurrency: number
  /** when set: open loop at this many calls per second (in flight capped at 4 × concurrency) */
  readonly ratePerSec?: number
  /** hard cap on calls, so a run is bounded in count as well as time */
  readonly maxCalls?: number
}

type Send = (index: number, done: (reply: unknown, failed: boolean) => void) => void

/** Told of every successful call: when it was sent (performance.now()) and its latency in ms. */
export type Observe = (sentAt: number, ms: number) => void

/**
 * Drives `send` over the requests in turn (index i % n), closed-loop or at a fixed rate, for a bounded time and
 * count; latency is each call's own, from send to reply.
 */
const drive = (
  count: number,
  pace: Pace,
  send: Send,
  check: (index: number, reply: unknown) => boolean,
  observe?: Observe,
) =>
  new Promise<MixedResult>((resolve) => {
    const samples = new LatencySamples()
    const maxCalls = pace.maxCalls ?? 10_000_000
    const cap = pace.ratePerSec === undefined ? pace.concurrency : pace.concurrency * 4
    let ok = 0
    let errors = 0
    let issued = 0
    let inFlight = 0
    const started = performance.now()
    const stopAt = started + pace.durationSec * 1000
    let lastDone = started
    let finished = false
    let ticker: NodeJS.Timeout | undefined
    const finish = () => {
      if (finished) return
      finished = true
      clearTimeout(guard)
      if (ticker) clearInterval(ticker)
      const elapsedSec = Math.max(1e-9, (lastDone - started) / 1000)
      const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
      resolve({ opsPerSec: ok / elapsedSec, p50Ms: p50, p99Ms: p99, ok, errors, elapsedSec })
    }
    const guard = setTimeout(finish, pace.durationSec * 1000 + 15_000)
    const over = () => issued >= maxCalls || performance.now() >= stopAt
    const fire = (closedLoop: boolean) => {
      const index = issued % count
      issued++
      inFlight++
      const t0 = performance.now()
      let answered = false
      send(index, (reply, failed) => {
        if (answered) return
        answered = true
        const t1 = performance.now()
        inFlight--
        lastDone = t1
        if (failed || !check(index, reply)) errors++
        else {
          ok++
          samples.add(t1 - t0)
          observe?.(t0, t1 - t0)
        }
        if (closedLoop && !over()) fire(true)
        else if (over() && inFlight === 0) finish()
      })
    }
    if (pace.ratePerSec === undefined) {
      for (let i = 0; i < pace.concurrency; i++) fire(true)
      return
    }
    const rate = pace.ratePerSec
    ticker = setInterval(() => {
      if (over()) {
        if (ticker) clearInterval(ticker)
        if (inFlight === 0) finish()
        return
      }
      const due = Math.floor(((performance.now() - started) / 1000) * rate)
      while (issued < due && inFlight < cap && !over()) fire(false)
    }, 2)
  })

const assertLoopback = (host: string) => {
  if (!/^(127\.0\.0\.1|localhost|\[::1\])$/.test(host)) throw new Error(`bench only targets loopback, not ${host}`)
}

/** Unary gRPC calls over one connection, cycling through `requests`. */
export const grpcMixed = async <Req extends object>(options: {
  readonly address: string
  readonly method: MethodDefinition<object, unknown>
  readonly requests: ReadonlyArray<MixedRequest<Req>>
  readonly metadata: Readonly<Record<string, string>>
  readonly pace: Pace
  readonly observe?: Observe
}): Promise<MixedResult> => {
  assertLoopback(options.address.replace(/:\d+$/, ""))
  const metadata = new grpc.Metadata()
  for (const [k, v] of Object.entries(options.metadata)) metadata.set(k, v)
  const client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  })
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())),
    )
    const { method, requests } = options
    return await drive(
      requests.length,
      options.pace,
      (i, done) => {
        const r = requests[i]
        if (r === undefined) return done(undefined, true)
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          r.request,
          metadata,
          { deadline: Date.now() + 10_000 },
          (err, reply) => done(reply, err !== null && err !== undefined),
        )
      },
      (i, reply) => requests[i]?.expect(reply) === true,
      options.observe,
    )
  } finally {
    client.close()
  }
}

/** POSTs over keep-alive connections (at most `pace.concurrency` sockets), cycling through `bodies`. */
export const httpMixed = async (options: {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly bodies: ReadonlyArray<MixedRequest<string>>
  readonly pace: Pace
}): Promise<MixedResult> => {
  const url = new URL(options.url)
  assertLoopback(url.hostname)
  const agent = new Agent({ keepAlive: true, maxSockets: options.pace.concurrency })
  const encoded = options.bodies.map((b) => Buffer.from(b.request))
  try {
    return await drive(
      encoded.length,
      options.pace,
      (i, done) => {
        const body = encoded[i]
        if (body === undefined) return done(undefined, true)
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            agent,
            headers: { ...options.headers, "content-length": body.length },
            timeout: 10_000,
          },
          (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () => done(Buffer.concat(chunks).toString("utf8"), (res.statusCode ?? 0) !== 200))
            res.on("error", () => done(undefined, true))
          },
        )
        req.on("error", () => done(undefined, true))
        req.on("timeout", () => req.destroy(new Error("timeout")))
        req.end(body)
      },
      (i, reply) => options.bodies[i]?.expect(reply) === true,
    )
  } finally {
    agent.destroy()
  }
}
