import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const packages = ["domain", "engines", "repositories", "services", "transports", "server", "client"]

export default defineConfig({
  // Node (and so yoga, loaded natively) resolves graphql to its CommonJS main; make vite do the
  // same, or two copies of graphql meet in one schema ("from another module or realm")
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    projects: packages.map((name) => ({
      extends: true,
      test: { name, root: `packages/${name}`, include: ["test/**/*.test.ts"] },
    })),
    globalSetup: [fileURLToPath(new URL("./packages/server/test/support/globalSetup.ts", import.meta.url))],
    // a test process whose main thread is stuck in a system call is reported and killed (see the file)
    setupFiles: [fileURLToPath(new URL("./packages/server/test/support/watchdogSetup.ts", import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest's default is one fork per core less one: a single fork on a 2-core machine, idle while its
    // file waits on a spawned Atom, Postgres or the hashing threads. Two forks there: the PGlite half
    // took 664 s instead of 988 s (2026-12-01), with the same results.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // each fork loads the sources once and runs file after file on them, instead of a fresh process (and a
    // fresh import of the whole server, ~5 s) per file: the PGlite half took 431 s instead of 525 s
    // (2026-12-01), with the same results. Files share no state but the process: each starts its own Atom.
    isolate: false,
    reporters: ["default"],
  },
})
