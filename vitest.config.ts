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
    reporters: ["default"],
  },
})
