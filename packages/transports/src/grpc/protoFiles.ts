import { fileURLToPath } from "node:url"

/** The repository's `proto/` folder: the gRPC contract is read from these files at startup. */
export const PROTO_DIR = fileURLToPath(new URL("../../../../proto", import.meta.url))
export const ATOM_PROTO = "atom/v1/atom.proto"
export const HEALTH_PROTO = "grpc/health/v1/health.proto"
