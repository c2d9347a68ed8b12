/**
 * Two replicas on one Postgres database (issue 9): `tsx bench/replicas/run.ts [--trials 50] [--limit-ms 10000]`.
 *
 * Makes a fresh database `atom_bench_replicas` on DATABASE_URL's server (default
 * postgres://postgres@127.0.0.1:5432/test), starts two Atom processes on it (A, then B), and repeats: on A,
 * assign a role that lets a service read a channel; poll gRPC Check on B until it allows; on A, delete the
 * assignment; poll Check on B (a call every 5 ms, up to 4 in flight) until it denies. Reported per trial, from the moment
 * A answered the write:
 *   - stale: when the last call on B that still saw the old state was sent (0 = none did), the figure the
 *     < 50 ms target is about (request time on a loaded machine does not count against it);
 *   - fresh: when the first call on B that saw the change answered (stale plus one round trip).
 * The same revocation is also checked on A itself (the replica that wrote it must deny at once).
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { recreateDatabase } from "../dataset/database.js"
import { runningChildren } from "../lib/child.js"
import { grpc, loadServiceDefinitions, unaryMethod } from "../lib/grpc.js"
import { type RunningAtomProcess, startAtom } from "../lib/startAtom.js"
import { adminSession } from "../scenarios/benchSession.js"
import { adminGraphql, type GraphqlCaller } from "./adminGraphql.js"
import { distribution } from "./distribution.js"

const log = (message: string) => process.stderr.write(`${message}\n`)

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "50" },
    "limit-ms": { type: "string", default: "10000" },
  },
})
const trials = Number(values.trials)
const limitMs = Number(values["limit-ms"])
if (!Number.isInteger(trials) || trials < 1) throw new Error("--trials must be a whole number ≥ 1")
if (!Number.isInteger(limitMs) || limitMs < 1) throw new Error("--limit-ms must be a whole number ≥ 1")

const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test"
const checkMethod = unaryMethod(loadServiceDefinitions(), "atom.v1.AuthzService", "Check")

type Verdict = "allowed" | "denied" | "error"

/** gRPC Check on one replica: may `subject` read `resource`, asked by the admin. */
const checker = (atom: RunningAtomProcess, token: string, subject: string, resource: string) => {
  const client = new grpc.Client(atom.grpcAddress, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  })
  const metadata = new grpc.Metadata()
  metadata.set("authorization", `Bearer ${token}`)
  const request = { subject_id: subject, action: "read", resource_id: resource }
  const check = () =>
    new Promise<Verdict>((resolve) =>
      client.makeUnaryRequest(
        checkMethod.path,
        checkMethod.requestSerialize,
        checkMethod.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + 5_000 },
        (err, reply) => {
          if (err !== null && err !== undefined) return resolve("error")
          const allowed = typeof reply === "object" && reply !== null && "allowed" in reply && reply.allowed === true
          resolve(allowed ? "allowed" : "denied")
        },
      ),
    )
  return { check, close: () => client.close() }
}

/**
 * Sends `check` every `PROBE_EVERY_MS` (open loop, so a slow answer does not hide a later flip) until one answers
 * `want`, then waits for those in flight. `stale`: the latest send time, after `since`, of a call that still saw
 * the old state (0 when none did); `fresh`: when the first call that saw the change answered.
 */
const PROBE_EVERY_MS = 5
/** at most this many probes outstanding, so a slow replica is polled, not flooded */
const PROBES_IN_FLIGHT = 4
const pollUntil = (check: () => Promise<Verdict>, want: Verdict, since: number) =>
  new Promise<{ stale: number; fresh: number }>((resolve, reject) => {
    let stale = 0
    let fresh: number | null = null
    let inFlight = 0
    let failed: Error | null = null
    const settle = () => {
      if (inFlight > 0 || (fresh === null && failed === null)) return
      clearInterval(timer)
      if (failed !== null) reject(failed)
      else resolve({ stale, fresh: fresh ?? Number.NaN })
    }
    const probe = () => {
      const sent = performance.now() - since
      if (sent > limitMs) failed ??= new Error(`the other replica did not see the change within ${limitMs} ms`)
      if (fresh !== null || failed !== null) return settle()
      if (inFlight >= PROBES_IN_FLIGHT) return
      inFlight++
      void check().then((verdict) => {
        inFlight--
        if (verdict === want) fresh ??= performance.now() - since
        else if (verdict === "error") failed ??= new Error("Check failed on the other replica")
        else stale = Math.max(stale, sent)
        settle()
      })
    }
    const timer = setInterval(probe, PROBE_EVERY_MS)
    probe()
  })

/** The catalogue one trial needs: a tenant, a service, a channel and a role granting read in the tenant. */
const seed = async (gql: GraphqlCaller) => {
  const suffix = Date.now().toString(36)
  const tenant = await gql.id(`mutation { createTenant(input: { name: "replicas-${suffix}" }) { id } }`, "createTenant")
  const service = await gql.id(
    `mutation { createEntity(input: { name: "replicas-svc-${suffix}", kind: service, tenantId: "${tenant}" }) { id } }`,
    "createEntity",
  )
  const channel = await gql.id(
    `mutation { createResource(input: { kind: "channel", name: "c-${suffix}", tenantId: "${tenant}" }) { id } }`,
    "createResource",
  )
  const read = await gql.actionId("read")
  const block = await gql.id(
    `mutation { createPermissionBlock(input: { tenantId: "${tenant}", scopeMode: "tenant", actionIds: ["${read}"] }) { id } }`,
    "createPermissionBlock",
  )
  const role = await gql.id(
    `mutation { createRole(input: { name: "replicas-reader-${suffix}", tenantId: "${tenant}" }) { id } }`,
    "createRole",
  )
  await gql.run(`mutation { replaceRolePermissionBlocks(roleId: "${role}", permissionBlockIds: ["${block}"]) }`)
  const assign = `mutation { createRoleAssignment(input: { tenantId: "${tenant}", subjectKind: entity, subjectId: "${service}", roleId: "${role}" }) { id } }`
  return { service, channel, assign }
}

const main = async () => {
  const url = await Effect.runPromise(recreateDatabase(serverUrl, "atom_bench_replicas"))
  const env = { DATABASE_URL: url }
  log(`database ${new URL(url).pathname.slice(1)}; starting replica A, then B`)
  const a = await startAtom({ env })
  const b = await startAtom({ env })
  const session = await adminSession(a.httpUrl)
  const gql = adminGraphql(a.httpUrl, session.token)
  const { service, channel, assign } = await seed(gql)
  const onA = checker(a, session.token, service, channel)
  const onB = checker(b, session.token, service, channel)
  const granted: Array<number> = []
  const roundTrips: Array<number> = []
  const revokedStale: Array<number> = []
  const revokedFresh: Array<number> = []
  let localStale = 0
  try {
    for (let i = 0; i < trials; i++) {
      const assignment = await gql.id(assign, "createRoleAssignment")
      granted.push((await pollUntil(onB.check, "allowed", performance.now())).fresh)
      // warm both replicas' caches with the allow, as a live check path would be
      for (let k = 0; k < 3; k++) {
        const sent = performance.now()
        if ((await onB.check()) !== "allowed") throw new Error("allow flapped on B")
        roundTrips.push(performance.now() - sent)
        if ((await onA.check()) !== "allowed") throw new Error("allow flapped on A")
      }
      await gql.run(`mutation { deleteRoleAssignment(id: "${assignment}") }`)
      const since = performance.now()
      // the first call on each replica leaves at once: A's must deny, B's poll starts
      const [local, lag] = await Promise.all([onA.check(), pollUntil(onB.check, "denied", since)])
      if (local !== "denied") localStale++
      revokedStale.push(lag.stale)
      revokedFresh.push(lag.fresh)
    }
  } finally {
    onA.close()
    onB.close()
  }
  const load = loadavg().map((x) => x.toFixed(2))
  const stale = distribution(revokedStale)
  const fresh = distribution(revokedFresh)
  const grant = distribution(granted)
  const row = (name: string, d: ReturnType<typeof distribution>) =>
    `| ${name} | ${d.median.toFixed(1)} | ${d.p90.toFixed(1)} | ${d.max.toFixed(1)} |`
  const table = [
    `Two replicas on one Postgres, ${trials} trials (load average ${load.join(" ")}):`,
    "",
    "| after the write on A, on B (ms) | median | p90 | max |",
    "|---|---|---|---|",
    row("revocation: last stale call sent", stale),
    row("revocation: first denying answer", fresh),
    row("grant: first allowing answer", grant),
    row("(one warm Check on B, for scale)", distribution(roundTrips)),
    "",
    `revocation stale < 50 ms in ${revokedStale.filter((x) => x < 50).length}/${trials} trials; ` +
      `A itself answered a stale allow after its own revocation in ${localStale}/${trials} trials`,
  ]
  process.stdout.write(`${table.join("\n")}\n`)
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
