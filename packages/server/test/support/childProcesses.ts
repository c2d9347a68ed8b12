import { readdirSync, readFileSync } from "node:fs"

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

/** The live child processes of `pid` with their command lines (Linux /proc; the parent's pid is field 4 of stat). */
export const childProcessesOf = (pid: number): Array<{ readonly pid: number; readonly cmdline: string }> =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      const stat = readOr(`/proc/${entry}/stat`)
      if (stat === undefined) return []
      const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(parent) !== pid || state === "Z") return []
      return [{ pid: Number(entry), cmdline: (readOr(`/proc/${entry}/cmdline`) ?? "").replaceAll("\0", " ") }]
    })

/** Whether a process runs (exists and is no zombie). */
export const isLive = (pid: number): boolean => {
  const stat = readOr(`/proc/${pid}/stat`)
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
}
