import { LOGIN_IN_FLIGHT } from "../lib/floors.js"
import { defineScenario } from "../lib/scenario.js"
import { BENCH_ADMIN_SECRET } from "../lib/startAtom.js"

const BODY = JSON.stringify({ identifier: "admin", secret: BENCH_ADMIN_SECRET })

const isLogin = (body: string): boolean => body.startsWith('{"token":"ey') && body.includes('"session_id":"')

/**
 * A whole password login: identifier resolution, lockout check, one argon2id verification, a session row, an
 * ES256 JWT and the cookie. Compared with the raw argon2 rate under the same parameters, in flight alike.
 */
export default defineScenario({
  name: "http-login",
  description: "POST /auth/login as the admin (password): argon2id verify, session row, ES256 JWT",
  baseline: "argon2-floor",
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/auth/login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
      verifyBody: isLogin,
      connections: LOGIN_IN_FLIGHT,
    }),
})
