import type { ServiceDefinition } from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { ATOM_PROTO, HEALTH_PROTO, PROTO_DIR } from "./protoFiles.js"

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
}

export const ATOM_SERVICES = [
  "atom.v1.AuthzService",
  "atom.v1.AuthService",
  "atom.v1.CertificateService",
  "atom.v1.AliasService",
] as const
export type AtomServiceName = (typeof ATOM_SERVICES)[number]

const isService = (d: protoLoader.AnyDefinition | undefined): d is protoLoader.ServiceDefinition =>
  d !== undefined && !("format" in d)

/** Loads the contract's service definitions from the .proto files. */
export const loadServiceDefinitions = (): ReadonlyMap<string, ServiceDefinition> => {
  const pkg = protoLoader.loadSync([ATOM_PROTO, HEALTH_PROTO], LOADER_OPTIONS)
  const out = new Map<string, ServiceDefinition>()
  for (const name of [...ATOM_SERVICES, "grpc.health.v1.Health"]) {
    const def = pkg[name]
    if (!isService(def)) throw new Error(`${name} is missing from ${PROTO_DIR}`)
    out.set(name, def)
  }
  return out
}
