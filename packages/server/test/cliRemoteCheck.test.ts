import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken } from "./support/adminToken.js"
import { runCliInProcess } from "./support/cliInProcess.js"
import { runCli } from "./support/runCli.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const NOBODY = "7b0c1e4a-5d2f-4c3b-9a8e-1f2d3c4b5a69"

let t: TestAtom
let token: string
beforeAll(async () => {
  t = await startTestAtom()
  token = await adminToken(t)
}, 120_000)
afterAll(async () => {
  await t?.close()
})

describe("atom check --url against a running Atom", () => {
  it("prints the server's decision with exit 0 / 3, and refuses bad input or an unreachable server clearly", {
    timeout: 240_000,
  }, async () => {
    // one real process (its exit code 3 for a denial); the other cases run the command line in this process
    const denied = await runCli(
      ["check", "--url", t.baseUrl, "--token", token, NOBODY, "read", `entity:${ADMIN_ID}`],
      {},
    )
    const check = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
      runCliInProcess(["check", ...args], env)
    const allowed = await check(["--url", t.baseUrl, "--token", token, ADMIN_ID, "read", `entity:${ADMIN_ID}`])
    const fromEnv = await check(["--url", `${t.baseUrl}/`, ADMIN_ID, "read", `entity:${ADMIN_ID}`], {
      ATOM_TOKEN: token,
    })
    const noToken = await check(["--url", t.baseUrl, ADMIN_ID, "read", "platform"])
    const badUrl = await check(["--url", "ftp://example", "--token", token, ADMIN_ID, "read", "platform"])
    const badContext = await check([
      "--url",
      t.baseUrl,
      "--token",
      token,
      "--context",
      "[1]",
      ADMIN_ID,
      "read",
      "platform",
    ])
    const unreachable = await check(["--url", "http://127.0.0.1:1", "--token", token, ADMIN_ID, "read", "platform"])
    const refused = await check(["--url", t.baseUrl, "--token", "atom_nope", ADMIN_ID, "read", "platform"])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stdout).toMatch(/^allow: /)
    expect(denied.code, denied.stderr).toBe(3)
    expect(denied.stdout).toMatch(/^deny: /)
    expect(fromEnv.code, fromEnv.stderr).toBe(0)

    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toContain("--url needs --token or ATOM_TOKEN")
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain("--url must be an http(s) URL")
    expect(badContext.code).toBe(2)
    expect(badContext.stderr).toContain("--context must be a JSON object")
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain("cannot reach http://127.0.0.1:1")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("atom refused:")
  })
})
