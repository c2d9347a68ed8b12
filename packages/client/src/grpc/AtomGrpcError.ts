import { status } from "@grpc/grpc-js"

const codeNames = new Map<number, string>(
  Object.entries(status).flatMap(([name, code]) => (typeof code === "number" ? [[code, name] as const] : [])),
)

/** A gRPC call that did not succeed: Atom's status code (`UNAUTHENTICATED`, `NOT_FOUND` …) and its message. */
export class AtomGrpcError extends Error {
  override readonly name = "AtomGrpcError"
  /** the status's name, e.g. `PERMISSION_DENIED` */
  readonly codeName: string
  constructor(
    readonly code: status,
    /** Atom's message (the status details) */
    readonly details: string,
  ) {
    super(`${codeNames.get(code) ?? `status ${code}`}: ${details}`)
    this.codeName = codeNames.get(code) ?? String(code)
  }
}
