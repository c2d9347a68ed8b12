import { grpc, type MethodDefinition } from "./grpc.js"
import { LatencySamples, type LoadResult } from "./stats.js"

export interface GrpcLoadOptions<Req extends object, Res> {
  /** Loopback `host:port`. */
  readonly address: string
  readonly method: MethodDefinition<Req, Res>
  readonly request: Req
  /** Metadata sent with every call (e.g. authorization); built once. */
  readonly metadata?: Readonly<Record<string, string>>
  /** When set, an OK reply for which this returns false counts as an error. */
  readonly check?: (response: Res) => boolean
  readonly durationSec: number
  /** Calls kept in flight (default 32). */
  readonly concurrency?: number
  /** Separate HTTP/2 connections the in-flight calls are spread over (default 1). */
  readonly channels?: number
  /** Hard cap on calls, so a run is bounded in count as well as time (default 20 M). */
  readonly maxCalls?: number
  /** Per-call deadline (default 10 s). */
  readonly deadlineMs?: number
}

const assertLoopback = (address: string) => {
  if (!/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(address))
    throw new Error(`bench only targets loopback, not ${address}`)
}

const connect = (client: grpc.Client, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + timeoutMs, (err) =>
      err ? reject(new Error(`grpc connect: ${err.message}`)) : resolve(),
    ),
  )

/**
 * Closed-loop unary load: `concurrency` calls stay in flight (each completion issues the next) for `durationSec`,
 * over `channels` connections. Calls per second count successful calls over the time to the last completion.
 */
export const grpcLoad = async <Req extends object, Res>(options: GrpcLoadOptions<Req, Res>): Promise<LoadResult> => {
  assertLoopback(options.address)
  const concurrency = Math.max(1, options.concurrency ?? 32)
  const channelCount = Math.max(1, Math.min(concurrency, options.channels ?? 1))
  const maxCalls = options.maxCalls ?? 20_000_000
  const deadlineMs = options.deadlineMs ?? 10_000
  const { method, request, check } = options
  const metadata = new grpc.Metadata()
  for (const [k, v] of Object.entries(options.metadata ?? {})) metadata.set(k, v)

  // a local subchannel pool per client, so `channels` really are separate connections
  const clients = Array.from(
    { length: channelCount },
    () => new grpc.Client(options.address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }),
  )
  try {
    await Promise.all(clients.map((c) => connect(c, 10_000)))
    const samples = new LatencySamples()
    let ok = 0
    let errors = 0
    let issued = 0
    let inFlight = 0
    const started = performance.now()
    const stopAt = started + options.durationSec * 1000
    let lastDone = started

    await new Promise<void>((resolve) => {
      // a call that never completes cannot hold the run open past its deadline plus a margin
      const guard = setTimeout(resolve, options.durationSec * 1000 + deadlineMs + 2_000)
      const finish = () => {
        clearTimeout(guard)
        resolve()
      }
      const fire = (client: grpc.Client) => {
        if (issued >= maxCalls || performance.now() >= stopAt) {
          if (inFlight === 0) finish()
          return
        }
        issued++
        inFlight++
        const t0 = performance.now()
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          { deadline: Date.now() + deadlineMs },
          (err, response) => {
            const t1 = performance.now()
            inFlight--
            lastDone = t1
            if (err || response === undefined || (check !== undefined && !check(response))) errors++
            else {
              ok++
              samples.add(t1 - t0)
            }
            fire(client)
          },
        )
      }
      for (let i = 0; i < concurrency; i++) {
        const client = clients[i % channelCount]
        if (client !== undefined) fire(client)
      }
    })

    const elapsedSec = Math.max(1e-9, (lastDone - started) / 1000)
    const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
    return { opsPerSec: ok / elapsedSec, p50Ms: p50, p99Ms: p99, ok, errors, elapsedSec }
  } finally {
    for (const c of clients) c.close()
  }
}
