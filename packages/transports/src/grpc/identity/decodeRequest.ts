import { InvalidInput } from "@atom/domain/errors"
import { Effect, Schema } from "effect"

/** A decoded gRPC request (proto3 defaults filled in by the loader); anything else is the caller's error. */
export const decodeRequest = <A, I>(schema: Schema.Schema<A, I>, request: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema)(request).pipe(Effect.mapError(() => new InvalidInput({ message: "invalid request" })))
