/**
 * `pnpm build`: Atom's server as one ES module, `dist/atom.mjs`, run with plain node (`pnpm start:prod`), so a
 * production process carries neither tsx's loader thread nor its transpiled sources and source maps. Beside it,
 * `dist/auditWriterWorker.mjs`: the audit writer process's entry (Postgres), which the server starts from there.
 *
 * esbuild (the one tsx runs on, so no dependency of its own) bundles the workspace and its libraries. Left
 * outside, loaded from node_modules where they are: PGlite (finds its .wasm/.data next to its own module) and
 * the native argon2 binding. The assets our sources find relative to themselves (migrations/, proto/, the
 * GraphQL contract, the argon2 worker scripts) stay where they are: each source's `import.meta.url` is
 * rewritten to that source's own place relative to the bundle, so the same relative paths resolve.
 */
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("../", import.meta.url))
const OUT_FILE = join(ROOT, "dist", "atom.mjs")
const OUT_DIR = dirname(OUT_FILE)
const ENTRY = join(ROOT, "packages", "server", "src", "main.ts")
/** The audit writer process's entry, bundled beside the server as dist/auditWriterWorker.mjs (auditWriterProcess.ts). */
const AUDIT_WORKER = join(ROOT, "packages", "services", "src", "audit", "auditWriterWorker.ts")

/** Packages loaded at run time from node_modules rather than bundled (files of their own next to their code). */
const OUTSIDE = [/^@electric-sql\/pglite(\/|$)/, /^@node-rs\/argon2(\/|$)/, /^pg-native$/]

interface Esbuild {
  readonly version: string
  readonly build: (options: object) => Promise<{ readonly errors: ReadonlyArray<unknown>; readonly warnings: ReadonlyArray<unknown> }>
}

const isEsbuild = (x: unknown): x is Esbuild =>
  typeof x === "object" && x !== null && "build" in x && typeof x.build === "function" && "version" in x

const loadEsbuild = (): Esbuild => {
  const fromTsx = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))
  const esbuild: unknown = fromTsx("esbuild")
  if (!isEsbuild(esbuild)) throw new Error("build: esbuild (via tsx) not found")
  return esbuild
}

/** `./…` path from the bundle to `file`, POSIX separators. */
const fromBundle = (file: string): string => {
  const rel = relative(OUT_DIR, file).split(sep).join("/")
  return rel.startsWith(".") ? rel : `./${rel}`
}

interface ResolveArgs {
  readonly path: string
  readonly resolveDir: string
  readonly kind: string
  readonly pluginData?: unknown
}
interface PluginBuild {
  readonly onResolve: (
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => Promise<{ path: string; external: boolean } | undefined>,
  ) => void
  readonly onLoad: (
    options: { filter: RegExp },
    callback: (args: { path: string }) => Promise<{ contents: string; loader: string; resolveDir: string }>,
  ) => void
  readonly resolve: (
    path: string,
    options: { resolveDir: string; kind: string; pluginData?: unknown },
  ) => Promise<{ path: string; errors: ReadonlyArray<unknown> }>
}

const atomPlugin = {
  name: "atom",
  setup: (build: PluginBuild) => {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      // build.resolve below comes back through here: let esbuild answer that one
      if (args.pluginData === "outside" || !OUTSIDE.some((re) => re.test(args.path))) return undefined
      const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "outside" })
      if (resolved.errors.length > 0) return undefined
      return { path: fromBundle(resolved.path), external: true }
    })
    build.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      const own = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`
      return { contents: source.replaceAll("import.meta.url", own), loader: "ts", resolveDir: dirname(args.path) }
    })
  },
}

const esbuild = loadEsbuild()
const result = await esbuild.build({
  entryPoints: { atom: ENTRY, auditWriterWorker: AUDIT_WORKER },
  outdir: OUT_DIR,
  outExtension: { ".js": ".mjs" },
  // sources that start a worker ask this to choose between the bundled entry and their TypeScript one
  // graphql-js (the only reader) then skips its development-mode check behind every instanceof: one copy
  // of it lives in the bundle, so the cross-realm duplicate it looks for cannot occur
  define: { ATOM_BUNDLE: "true", "process.env.NODE_ENV": '"production"' },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // no keepNames: esbuild would wrap every function expression in a `__name(fn, "…")` call, an
  // Object.defineProperty each time a closure is made (Effect makes one per step): 4.5% of the event loop's
  // time in a profile under load, ~17% more main-thread CPU at the same load (bench/auditCheckP99.ts --built).
  // Identifiers are not minified, so V8 still names functions after their bindings in stack traces.
  // V8 keeps a module's source text for as long as the module lives: whitespace and syntax minified, the
  // bundle's text is about half (identifiers kept, so stack traces still name our functions)
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  // CommonJS libraries inside an ES module still call require() for node's own modules
  banner: { js: 'import { createRequire as __atomRequire } from "node:module"; const require = __atomRequire(import.meta.url);' },
  plugins: [atomPlugin],
})
process.stdout.write(`build: ${fromBundle(OUT_FILE)} and ./auditWriterWorker.mjs (esbuild ${esbuild.version}, ${result.warnings.length} warnings)\n`)
