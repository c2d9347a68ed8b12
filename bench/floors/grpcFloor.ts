/** Floor: a bare grpc-js server with the standard Health service; Check answers a constant. */
import { grpc, loadServiceDefinitions } from "../lib/grpc.js"
import { announceReady, FLOOR_HOST } from "./announce.js"

const health = loadServiceDefinitions().get("grpc.health.v1.Health")
if (health === undefined) throw new Error("grpc floor: grpc.health.v1.Health is missing")

const SERVING = { status: "SERVING" }
const server = new grpc.Server()
server.addService(health, {
  Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, SERVING),
  Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
})
server.bindAsync(`${FLOOR_HOST}:0`, grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err
  announceReady(port, (done) => server.tryShutdown(() => done()))
})
