/** Floor: a bare `node:http` server answering every request with a constant JSON body. */
import { createServer } from "node:http"
import { announceReady, FLOOR_HOST } from "./announce.js"

const BODY = Buffer.from(JSON.stringify({ status: "ok" }))
const HEADERS = { "content-type": "application/json", "content-length": String(BODY.length) }

const server = createServer((_req, res) => {
  res.writeHead(200, HEADERS)
  res.end(BODY)
})
server.listen(0, FLOOR_HOST, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("http floor: no port")
  announceReady(address.port, (done) => {
    server.closeAllConnections()
    server.close(done)
  })
})
