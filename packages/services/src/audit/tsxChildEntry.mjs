// A child process's TypeScript entry run from the sources (tsx, vitest): tsx's loader is registered in this
// process, then the module named by the first argument is imported. The built bundle starts its own .mjs
// entries instead.
const entry = process.argv[2]
if (entry === undefined) throw new Error("tsxChildEntry: which module to run?")
const { tsImport } = await import("tsx/esm/api")
await tsImport(entry, import.meta.url)
