/**
 * grpc-js and the contract's service definitions, reached through packages/transports (the only workspace
 * package that depends on them; bench/ adds no dependencies of its own).
 */
import grpc from "../../packages/transports/node_modules/@grpc/grpc-js/build/src/index.js"
import { loadServiceDefinitions } from "../../packages/transports/src/grpc/loadServices.js"

export type {
  Metadata,
  MethodDefinition,
  ServiceDefinition,
} from "../../packages/transports/node_modules/@grpc/grpc-js/build/src/index.js"
export { grpc, loadServiceDefinitions }

/** A unary method of a loaded service, checked to exist (request and response are plain objects). */
export const unaryMethod = (
  services: ReadonlyMap<string, grpc.ServiceDefinition>,
  service: string,
  method: string,
): grpc.MethodDefinition<object, unknown> => {
  const def = services.get(service)?.[method]
  if (def === undefined) throw new Error(`${service}/${method} is not in the loaded proto definitions`)
  if (def.requestStream || def.responseStream) throw new Error(`${service}/${method} is not unary`)
  return def
}
