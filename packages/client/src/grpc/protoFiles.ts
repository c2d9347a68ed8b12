import { fileURLToPath } from "node:url"

/**
 * The `proto/` folder at the root of the Atom repository, found from this file as the server finds it;
 * pass `protoDir` to `AtomGrpcClient` to load the contract from elsewhere (a copy vendored with your app).
 */
export const DEFAULT_PROTO_DIR = fileURLToPath(new URL("../../../../proto", import.meta.url))
export const ATOM_PROTO = "atom/v1/atom.proto"
