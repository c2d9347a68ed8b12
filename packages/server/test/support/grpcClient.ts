import { loadServiceDefinitions } from "@atom/transports/grpc"
import * as grpc from "@grpc/grpc-js"

export interface GrpcResult {
  readonly error: grpc.ServiceError | null
  readonly response: Record<string, unknown> | undefined
}

/** A small untyped gRPC caller over the contract's .proto files, as any client would build. */
export const grpcCaller = (address: string, credentials = grpc.credentials.createInsecure()) => {
  const definitions = loadServiceDefinitions()
  const client = new grpc.Client(address, credentials)
  const call = (service: string, method: string, request: object, metadata = new grpc.Metadata()) =>
    new Promise<GrpcResult>((resolve) => {
      const m = definitions.get(service)?.[method]
      if (!m) throw new Error(`unknown method ${service}/${method}`)
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        (bytes: Buffer): Record<string, unknown> => m.responseDeserialize(bytes),
        request,
        metadata,
        { deadline: Date.now() + 10_000 },
        (error, response) => resolve({ error, response }),
      )
    })
  return { call, close: () => client.close() }
}
