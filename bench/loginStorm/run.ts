/**
 * gRPC Check latency under a password-login storm (issue 4): `tsx bench/loginStorm/run.ts [--rate 100]
 * [--duration 5] [--runs 3] [--logins 16]`.
 *
 * Starts one Atom (in-memory PGlite, or with DATABASE_URL set a fresh database `atom_bench_login_storm` on
 * that server) whose event-loop delay is sampled
 * in-process (loopDelayEntry.ts), logs the admin in once, then per run: gRPC AuthzService/Check at a fixed
 * rate (open loop) alone, then the same while `--logins` connections post /auth/login back to back (each one
 * argon2id verification off the event loop). Prints the medians over runs of Check p50/p99 quiet and during
 * the storm, their difference (target: p99 rises < 5 ms), the login rate reached, and the server's own
 * event-loop delay in both phases (hashing must never block it): the lag of a 5 ms timer, and that lag less the
 * main thread's run-queue wait ("blocked": the loop's own work, not other processes' load).
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { recreateDatabase } from "../dataset/database.js"
import { runningChildren } from "../lib/child.js"
import { LOGIN_IN_FLIGHT } from "../lib/floors.js"
import { loadServiceDefinitions, unaryMethod } from "../lib/grpc.js"
import { httpLoad } from "../lib/httpLoad.js"
import { BENCH_ADMIN_SECRET, type RunningAtomProcess, startAtom } from "../lib/startAtom.js"
import { median } from "../lib/stats.js"
import { grpcMixed, type MixedResult } from "../scale/load.js"
import { adminSession } from "../scenarios/benchSession.js"
import { type LoopDelay, parseLoopDelay } from "./loopDelay.js"

const log = (message: string) => process.stderr.write(`${message}\n`)

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "100" },
    duration: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    logins: { type: "string", default: String(LOGIN_IN_FLIGHT) },
  },
})
const rate = Number(values.rate)
const duration = Number(values.duration)
const runs = Number(values.runs)
const logins = Number(values.logins)
for (const [name, n] of Object.entries({ rate, duration, runs, logins }))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1`)

const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"
const LOGIN_BODY = JSON.stringify({ identifier: "admin", secret: BENCH_ADMIN_SECRET })
const checkMethod = unaryMethod(loadServiceDefinitions(), "atom.v1.AuthzService", "Check")
const isAllowed = (reply: unknown): boolean =>
  typeof reply === "object" && reply !== null && "allowed" in reply && reply.allowed === true

/** The server's event-loop delay since the previous reading. */
const loopDelay = async (atom: RunningAtomProcess): Promise<LoopDelay> => {
  const line = atom.child.waitForLine(parseLoopDelay, 5_000)
  process.kill(atom.child.pid, "SIGUSR2")
  return line
}

interface Phase {
  readonly check: MixedResult
  readonly loop: LoopDelay
  readonly loginsPerSec: number
}

const main = async () => {
  const serverUrl = process.env.DATABASE_URL
  const env =
    serverUrl === undefined || serverUrl === ""
      ? {}
      : { DATABASE_URL: await Effect.runPromise(recreateDatabase(serverUrl, "atom_bench_login_storm")) }
  log(env.DATABASE_URL === undefined ? "on in-memory PGlite" : "on a fresh Postgres database")
  const atom = await startAtom({ entry: "bench/loginStorm/loopDelayEntry.ts", env })
  const session = await adminSession(atom.httpUrl)
  const checks = (seconds: number) =>
    grpcMixed({
      address: atom.grpcAddress,
      method: checkMethod,
      requests: [
        {
          request: { subject_id: session.entityId, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
          expect: isAllowed,
        },
      ],
      metadata: { authorization: `Bearer ${session.token}` },
      pace: { durationSec: seconds, concurrency: 32, ratePerSec: rate },
    })
  const storm = (seconds: number) =>
    httpLoad({
      url: `${atom.httpUrl}/auth/login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: LOGIN_BODY,
      verifyBody: (body) => body.startsWith('{"token":"ey'),
      durationSec: seconds,
      connections: logins,
    })
  // warm-up: caches, JIT, the hashing pool
  await Promise.all([checks(2), storm(2)])
  const quiet: Array<Phase> = []
  const stormy: Array<Phase> = []
  for (let i = 0; i < runs; i++) {
    await loopDelay(atom)
    const alone = await checks(duration)
    quiet.push({ check: alone, loop: await loopDelay(atom), loginsPerSec: 0 })
    // the storm starts first and outlasts the checks, so every check runs inside it
    const stormDone = storm(duration + 2)
    await new Promise((r) => setTimeout(r, 1_000))
    await loopDelay(atom)
    const during = await checks(duration)
    const loop = await loopDelay(atom)
    const logged = await stormDone
    if (logged.errors > 0) log(`  run ${i + 1}: ${logged.errors} failed logins`)
    stormy.push({ check: during, loop, loginsPerSec: logged.opsPerSec })
    log(
      `  run ${i + 1}: check p99 ${alone.p99Ms.toFixed(2)} → ${during.p99Ms.toFixed(2)} ms, ` +
        `${Math.round(logged.opsPerSec)} logins/s, loop delay p99 ${quiet.at(-1)?.loop.p99} → ${loop.p99} ms, ` +
        `blocked p99 ${quiet.at(-1)?.loop.blockedP99} → ${loop.blockedP99} ms`,
    )
  }
  const med = (phases: ReadonlyArray<Phase>, pick: (p: Phase) => number) => median(phases.map(pick))
  const row = (name: string, phases: ReadonlyArray<Phase>) =>
    `| ${name} | ${Math.round(med(phases, (p) => p.check.opsPerSec))} | ${med(phases, (p) => p.check.p50Ms).toFixed(2)} | ` +
    `${med(phases, (p) => p.check.p99Ms).toFixed(2)} | ${med(phases, (p) => p.check.errors)} | ` +
    `${Math.round(med(phases, (p) => p.loginsPerSec))} | ${med(phases, (p) => p.loop.p99).toFixed(2)} | ` +
    `${med(phases, (p) => p.loop.max).toFixed(2)} | ${med(phases, (p) => p.loop.blockedP99).toFixed(2)} | ` +
    `${med(phases, (p) => p.loop.blockedMax).toFixed(2)} |`
  const rise = med(stormy, (p) => p.check.p99Ms) - med(quiet, (p) => p.check.p99Ms)
  const table = [
    `gRPC Check at ${rate}/s, ${runs} runs of ${duration} s, ${logins} logins in flight during the storm ` +
      `(load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}):`,
    "",
    "| phase | checks/s | p50 ms | p99 ms | errors | logins/s | loop delay p99 ms | loop delay max ms | " +
      "loop blocked p99 ms | loop blocked max ms |",
    "|---|---|---|---|---|---|---|---|---|---|",
    row("quiet", quiet),
    row("login storm", stormy),
    "",
    `Check p99 rise under the storm: ${rise.toFixed(2)} ms (target < 5 ms)`,
  ]
  process.stdout.write(`${table.join("\n")}\n`)
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
