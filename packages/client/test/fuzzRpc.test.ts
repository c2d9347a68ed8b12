import { AtomRpcs } from "@atom/domain/rpc"
import { FastCheck as fc } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "../../server/test/support/startTestAtom.js"
import { atomRpcCalls, everyAtomRpcOnce, type RpcCall } from "../src/arbitraries/index.js"
import { AtomClient } from "../src/index.js"

// Throws generated AtomRpcs calls (well-formed and hostile payloads) at POST /rpc of one running Atom,
// several NDJSON lines per body, and judges every answer: never a 5xx, one Exit per call that decodes
// with the operation's exit schema (success, AtomRpcError, or the payload's decode failure), still ready.
const CALLS = Number(process.env.ATOM_FUZZ_RPC_CALLS ?? 4_000)
const PER_BODY = 8
const CONCURRENCY = 8
const SEED = Number(process.env.ATOM_FUZZ_SEED ?? Date.now() % 2 ** 31)

let t: TestAtom
let token: string
beforeAll(async () => {
  t = await startTestAtom()
  token = (await new AtomClient({ baseUrl: t.baseUrl }).login("admin", ADMIN_PASSWORD)).token
}, 120_000)
afterAll(async () => {
  await t?.close()
})

let successes = 0
/** the labels of the calls that succeeded at least once */
const succeeded = new Set<string>()

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null

/** Most bodies carry the admin's token; some none, some garbage. */
const authorization = (i: number): Record<string, string> =>
  i % 20 === 0 ? {} : i % 20 === 1 ? { authorization: "Bearer atom_not-a-token" } : { authorization: `Bearer ${token}` }

/** What is wrong with one body's answer, or an empty list. */
const judge = (calls: ReadonlyArray<RpcCall>, status: number, text: string): Array<string> => {
  if (status !== 200) return [`status ${status}: ${text.slice(0, 120)}`]
  const problems: Array<string> = []
  const exits = new Map<string, unknown>()
  for (const line of text.split("\n")) {
    if (line === "") continue
    let message: unknown
    try {
      message = JSON.parse(line)
    } catch {
      problems.push(`not JSON: ${line.slice(0, 120)}`)
      continue
    }
    if (isRecord(message) && message._tag === "Exit" && typeof message.requestId === "string") {
      exits.set(message.requestId, message.exit)
    } else if (!(isRecord(message) && message._tag === "Pong")) {
      problems.push(`unexpected message ${line.slice(0, 160)}`)
    }
  }
  calls.forEach((call, i) => {
    const exit = exits.get(String(i + 1))
    if (exit === undefined) {
      problems.push(`${call.label}: no Exit`)
      return
    }
    if (isRecord(exit) && exit._tag === "Success") {
      successes++
      succeeded.add(call.label)
    }
    const decoded = call.decodeExit(exit)
    if (decoded._tag === "Left")
      problems.push(`${call.label}: exit does not decode: ${decoded.left.message.slice(0, 200)}`)
    if (isRecord(exit) && exit._tag === "Failure" && JSON.stringify(exit).includes('"internal error"')) {
      problems.push(`${call.label}: internal error for ${JSON.stringify(call.payload).slice(0, 200)}`)
    }
  })
  return problems
}

describe("fuzzing the RPC surface", () => {
  it(`answers ${CALLS} generated calls at POST /rpc without a 5xx or an internal error, every Exit decoding`, async () => {
    // one well-formed call of every operation first (all with the admin's token), then the random mix
    const [firsts = []] = fc.sample(everyAtomRpcOnce, { numRuns: 1, seed: SEED })
    // a second rotation retires the key that signed the admin's token: keys rotate once, among the first calls
    const calls = fc
      .sample(atomRpcCalls, { numRuns: Math.max(CALLS - firsts.length, 0), seed: SEED })
      .filter((call) => call.tag !== "RotateSigningKeys")
    const bodies: Array<ReadonlyArray<RpcCall>> = []
    for (let i = 0; i < firsts.length; i += PER_BODY) bodies.push(firsts.slice(i, i + PER_BODY))
    const firstBodies = bodies.length
    for (let i = 0; i < calls.length; i += PER_BODY) bodies.push(calls.slice(i, i + PER_BODY))
    const failures: Array<string> = []
    const labels = new Map<string, number>()
    let next = 0
    const worker = async () => {
      while (next < bodies.length) {
        const i = next++
        const batch = bodies[i] ?? []
        for (const call of batch) labels.set(call.label, (labels.get(call.label) ?? 0) + 1)
        const body = batch
          .map((call, j) =>
            JSON.stringify({ _tag: "Request", id: String(j + 1), tag: call.tag, payload: call.payload, headers: [] }),
          )
          .join("\n")
        const res = await fetch(`${t.baseUrl}/rpc`, {
          method: "POST",
          headers: {
            "content-type": "application/ndjson",
            ...(i < firstBodies ? { authorization: `Bearer ${token}` } : authorization(i - firstBodies)),
          },
          body: `${body}\n`,
        }).catch((e: unknown) => e)
        if (!(res instanceof Response)) {
          failures.push(`body #${i}: no answer (${String(res)})`)
          continue
        }
        for (const problem of judge(batch, res.status, await res.text())) failures.push(`body #${i}: ${problem}`)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))

    expect(failures.slice(0, 20), `seed ${SEED} (ATOM_FUZZ_SEED reproduces it)`).toEqual([])
    // every operation of the group was called, well-formed and hostile
    expect(labels.size).toBeGreaterThan(AtomRpcs.requests.size + 20)
    // each operation well-formed at least once (new operations join the group, hence the fuzz, by themselves)
    expect([...AtomRpcs.requests.keys()].filter((tag) => !labels.has(tag))).toEqual([])
    // and well-formed calls do get through (lists, creates, checks), not only refusals
    expect(successes).toBeGreaterThan(CALLS / 50)
    // … for many operations (51 of 110 in a 1,000-call run)
    expect(succeeded.size).toBeGreaterThan(20)
    const ready = await fetch(`${t.baseUrl}/health/ready`)
    expect(ready.status).toBe(200)
  }, 600_000)
})
