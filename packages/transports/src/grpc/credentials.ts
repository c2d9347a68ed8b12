import { readFileSync } from "node:fs"
import type { GrpcTls } from "@atom/domain/config"
import * as grpc from "@grpc/grpc-js"
import { Option } from "effect"

const read = (path: string, variable: string): Buffer => {
  try {
    return readFileSync(path)
  } catch {
    throw new Error(`${variable} (${path}) is not readable`)
  }
}

/** Plaintext unless both TLS files are set; a client CA makes client certificates mandatory (mTLS). */
export const grpcServerCredentials = (tls: Option.Option<GrpcTls>): grpc.ServerCredentials =>
  Option.match(tls, {
    onNone: () => grpc.ServerCredentials.createInsecure(),
    onSome: (t) => {
      const clientCa = Option.map(t.clientCaPath, (p) => read(p, "ATOM_GRPC_TLS_CLIENT_CA_PATH"))
      return grpc.ServerCredentials.createSsl(
        Option.getOrNull(clientCa),
        [
          {
            cert_chain: read(t.certPath, "ATOM_GRPC_TLS_CERT_PATH"),
            private_key: read(t.keyPath, "ATOM_GRPC_TLS_KEY_PATH"),
          },
        ],
        Option.isSome(clientCa),
      )
    },
  })
