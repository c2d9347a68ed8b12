import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"

/**
 * Traces to an OTLP/HTTP collector (JSON): every span Atom makes — one per request (HTTP route, GraphQL
 * request, gRPC call), one per service call (`Effect.withSpan`) and one per SQL statement — batched and
 * exported in the background; what is left is flushed when the runtime shuts down. Loaded by startAtom
 * only when an endpoint is configured.
 */
export const tracingLayer = (url: string, serviceName: string): Layer.Layer<never> =>
  OtlpTracer.layer({
    url,
    resource: { serviceName },
    exportInterval: "1 second",
    shutdownTimeout: "3 seconds",
  }).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(NodeHttpClient.layerUndici))
