// Hash throughput of both PasswordHasher implementations at OWASP cost, 1 and 2 hashes in flight.
// Run: npx tsx packages/services/test/passwords/hashRate.bench.ts [seconds per run, default 3]
import { loadavg } from "node:os"
import { Effect, type Layer, ManagedRuntime, Redacted } from "effect"
import { PasswordHasher } from "../../src/passwords/index.js"

const SECONDS = Number(process.argv[2] ?? "3")
const RUNS = 3

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const rate = async (hasher: Layer.Layer<PasswordHasher>, inFlight: number) => {
  const rt = ManagedRuntime.make(hasher)
  try {
    const h = await rt.runPromise(PasswordHasher)
    await rt.runPromise(h.hash(Redacted.make("warm-up")))
    const rates: Array<number> = []
    const cpuPerHash: Array<number> = []
    for (let run = 0; run < RUNS; run++) {
      let count = 0
      const cpu0 = process.cpuUsage()
      const deadline = performance.now() + SECONDS * 1000
      const t0 = performance.now()
      const loop = Effect.gen(function* () {
        while (performance.now() < deadline) {
          yield* h.hash(Redacted.make(`password-${count}`))
          count++
        }
      })
      await rt.runPromise(
        Effect.all(
          Array.from({ length: inFlight }, () => loop),
          { concurrency: "unbounded" },
        ),
      )
      rates.push(count / ((performance.now() - t0) / 1000))
      // process CPU (all threads) per hash: what the rate would be on an otherwise idle core
      const cpu = process.cpuUsage(cpu0)
      cpuPerHash.push((cpu.user + cpu.system) / 1000 / count)
    }
    return { implementation: h.implementation, rates, cpuPerHash }
  } finally {
    await rt.dispose()
  }
}

console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
)
for (const [name, layer] of [
  ["NodeRs", PasswordHasher.NodeRs],
  ["WasmPool", PasswordHasher.WasmPool],
] as const) {
  for (const inFlight of [1, 2]) {
    const r = await rate(layer, inFlight)
    console.log(
      `${name.padEnd(8)} ${inFlight} in flight: ${median(r.rates).toFixed(1)} hashes/s median ` +
        `(runs ${r.rates.map((x) => x.toFixed(1)).join(", ")}); ` +
        `CPU ${median(r.cpuPerHash).toFixed(1)} ms/hash`,
    )
  }
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
)
