import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url))
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url))

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `atom <args>` to completion as an operator would, with `stdin` piped in when given. */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string>, stdin?: string): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ATOM_LOG_LEVEL: "warn", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.once("error", reject)
    child.once("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin ?? "")
  })

/** Help text without its terminal colours. */
const ANSI_STYLE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
export const plain = (text: string): string => text.replace(ANSI_STYLE, "")
