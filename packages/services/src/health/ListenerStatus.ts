import { Context, Effect, Layer, Ref } from "effect"

export type ListenerState = "starting" | "serving" | "stopping"

/** Whether the HTTP and gRPC listeners are up; the transports set it, readiness reads it. */
export class ListenerStatus extends Context.Tag("atom/ListenerStatus")<
  ListenerStatus,
  { readonly http: Ref.Ref<ListenerState>; readonly grpc: Ref.Ref<ListenerState> }
>() {
  static readonly Live = Layer.effect(
    ListenerStatus,
    Effect.all({ http: Ref.make<ListenerState>("starting"), grpc: Ref.make<ListenerState>("starting") }),
  )
}
