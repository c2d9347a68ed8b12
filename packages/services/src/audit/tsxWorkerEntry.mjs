// A worker thread's TypeScript entry run from the sources (tsx, vitest): tsx's loader is registered in this
// thread, then `workerData.entry` is imported. The built bundle starts its own .mjs worker entries instead.
import { workerData } from "node:worker_threads"

const { tsImport } = await import("tsx/esm/api")
await tsImport(workerData.entry, import.meta.url)
