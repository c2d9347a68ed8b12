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
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest's default is one fork per core less one: a single fork on a 2-core machine, idle while its
    // file waits on a spawned Atom, Postgres or the hashing threads. Two forks there: the PGlite half
    // took 664 s instead of 988 s (2026-12-01), with the same results.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default"],
  },
})
