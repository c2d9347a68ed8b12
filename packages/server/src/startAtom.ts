import type { AtomConfigShape } from "@atom/domain/config"
import { Authenticator } from "@atom/services/auth"
import { makeRememberedCaller } from "@atom/services/authz"
import { ListenerStatus } from "@atom/services/health"
import { AtomMetrics, httpResponseMetrics } from "@atom/services/metrics"
import { RateLimiter } from "@atom/services/ratelimit"
import {
  authModule,
  boundedYogaHandler,
  healthModule,
  makeYoga,
  signupModule,
  systemStatusModule,
} from "@atom/transports/graphql"
import { auditModule } from "@atom/transports/graphql/audit"
import { authzModule } from "@atom/transports/graphql/authz"
import { certificatesModule } from "@atom/transports/graphql/certificates"
import { credentialsModule } from "@atom/transports/graphql/credentials"
import { documentProblems, endpointsModule, inProcessGraphql } from "@atom/transports/graphql/endpoints"
import { entitiesModule } from "@atom/transports/graphql/entities"
import { groupsModule } from "@atom/transports/graphql/groups"
import { policyModule } from "@atom/transports/graphql/policy"
import { resourcesModule } from "@atom/transports/graphql/resources"
import { tenantsModule } from "@atom/transports/graphql/tenants"
import { grpcServerCredentials, startGrpcServer } from "@atom/transports/grpc"
import { authzServiceMethods } from "@atom/transports/grpc/authz"
import { certificateServiceMethods } from "@atom/transports/grpc/certificates"
import { aliasServiceMethods, authServiceMethods } from "@atom/transports/grpc/identity"
import {
  auditExportHandler,
  authRoutes,
  certificateRoutes,
  healthRoutes,
  metricsRoutes,
  oauthRoutes,
  ocspHandler,
  rateLimitCategory,
  selfServiceRoutes,
  startHttpServer,
} from "@atom/transports/http"
import { customEndpointRoutes } from "@atom/transports/http/endpoints"
import { openApiRoutes } from "@atom/transports/http/openapi"
import { startRpcEndpoint } from "@atom/transports/rpc"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Ref } from "effect"
import { type AppOptions, type AppServices, makeAppLayer } from "./AppLayer.js"
import { describeError } from "./describeError.js"

export interface RunningAtom {
  readonly httpPort: number
  readonly grpcPort: number
  readonly runtime: ManagedRuntime.ManagedRuntime<AppServices, unknown>
  /** Stop accepting, drain HTTP then gRPC, close the database. */
  readonly stop: (deadlineMs?: number) => Promise<void>
}

/** Builds the one runtime, then binds gRPC and HTTP on it (identity-certs §6.3 startup order). */
export const startAtom = async (config: AtomConfigShape, options: AppOptions = {}): Promise<RunningAtom> => {
  // tracing is loaded only when an OTLP endpoint is configured; without one no span is recorded at all
  const tracing = Option.isSome(config.telemetry.otlpTracesUrl)
    ? (await import("./tracing.js")).tracingLayer(config.telemetry.otlpTracesUrl.value, config.telemetry.serviceName)
    : Layer.setTracerEnabled(false)
  const runtime = ManagedRuntime.make(Layer.merge(makeAppLayer(config, options), tracing))
  // connect and migrate now, so a failure stops startup with its real cause
  const built = await runtime.runPromiseExit(Effect.runtime<AppServices>())
  if (Exit.isFailure(built)) {
    await runtime.dispose()
    throw new Error(describeError(Cause.squash(built.cause)))
  }
  const rt = built.value
  const logDefect = (cause: Cause.Cause<unknown>, annotations: Record<string, string>) =>
    runtime.runFork(Effect.logError("unexpected failure", Cause.pretty(cause)).pipe(Effect.annotateLogs(annotations)))

  try {
    const status = await runtime.runPromise(ListenerStatus)
    const limiter = await runtime.runPromise(RateLimiter)
    const { instruments } = await runtime.runPromise(AtomMetrics)
    const grpcCredentials = grpcServerCredentials(config.grpc.tls)
    const grpcServer = await startGrpcServer({
      host: config.grpc.listen.host,
      port: config.grpc.listen.port,
      runtime: rt,
      services: {
        "atom.v1.AuthzService": authzServiceMethods,
        "atom.v1.AuthService": authServiceMethods,
        "atom.v1.AliasService": aliasServiceMethods,
        "atom.v1.CertificateService": certificateServiceMethods,
      },
      credentials: grpcCredentials,
      onDefect: (cause, method) => logDefect(cause, { method }),
    })
    const yoga = makeYoga({
      runtime: rt,
      modules: [
        healthModule,
        systemStatusModule,
        authModule,
        signupModule,
        auditModule,
        tenantsModule,
        entitiesModule,
        groupsModule,
        resourcesModule,
        credentialsModule,
        policyModule,
        certificatesModule,
        authzModule,
        endpointsModule({ maxDepth: config.graphql.maxDepth }),
      ],
      authenticate: (token) => Effect.flatMap(Authenticator, (a) => a.authenticate(token)),
      rememberedCaller: makeRememberedCaller(rt),
      corsAllowedOrigins: config.corsAllowedOrigins,
      trustedProxyCidrs: config.rateLimit.trustedProxyCidrs,
      introspection: config.graphql.introspection,
      maxDepth: config.graphql.maxDepth,
      onDefect: (cause) => logDefect(cause, { path: "/graphql" }),
    })
    const admit = (path: string, client: string) => {
      const category = rateLimitCategory(path)
      if (category === undefined) return undefined
      const admission = limiter.admit(category, client)
      return admission.allowed ? undefined : admission.retryAfterSecs
    }
    const rpc = await startRpcEndpoint({
      runtime: rt,
      bodyLimit: config.limits.graphqlBodyBytes,
      trustedProxyCidrs: config.rateLimit.trustedProxyCidrs,
      admit,
      documents: {
        problems: (text) => documentProblems(yoga.getEnveloped({}).schema, text, config.graphql.maxDepth),
      },
    })
    const httpServer = await startHttpServer({
      host: config.listen.host,
      port: config.listen.port,
      runtime: rt,
      routes: [
        ...(config.metricsEnabled ? metricsRoutes : []),
        ...healthRoutes,
        ...authRoutes,
        ...selfServiceRoutes,
        ...oauthRoutes,
        ...certificateRoutes,
        ...openApiRoutes,
        ...customEndpointRoutes({
          runner: inProcessGraphql({
            schema: yoga.getEnveloped({}).schema,
            runtime: rt,
            maxDepth: config.graphql.maxDepth,
            onDefect: (cause) => logDefect(cause, { path: "/api/custom" }),
          }),
          bodyLimit: config.limits.customEndpointBodyBytes,
        }),
      ],
      native: [
        {
          method: "GET",
          path: "/audit/export",
          handler: auditExportHandler({
            runtime: rt,
            trustedProxyCidrs: config.rateLimit.trustedProxyCidrs,
            onDefect: (cause, req) => logDefect(cause, { path: req.path, requestId: req.requestId }),
          }),
        },
        { method: "POST", path: "/graphql", handler: boundedYogaHandler(yoga, config.limits.graphqlBodyBytes) },
        { method: "POST", path: "/rpc", handler: rpc.http },
        // cached OCSP answers are written without a fiber (the router's route is the same contract)
        {
          method: "POST",
          path: "/certs/ocsp",
          handler: ocspHandler({
            runtime: rt,
            onDefect: (cause, req) => logDefect(cause, { path: req.path, requestId: req.requestId }),
          }),
        },
      ],
      defaultBodyLimit: config.limits.authBodyBytes,
      corsAllowedOrigins: config.corsAllowedOrigins,
      trustedProxyCidrs: config.rateLimit.trustedProxyCidrs,
      admit,
      onUpgrade: rpc.upgrade,
      onDefect: (cause, req) => logDefect(cause, { path: req.path, requestId: req.requestId }),
      onResponse: httpResponseMetrics(instruments.httpRequests, instruments.httpDuration),
    })
    grpcServer.markServing()
    await runtime.runPromise(Effect.all([Ref.set(status.grpc, "serving"), Ref.set(status.http, "serving")]))
    await runtime.runPromise(
      Effect.logInfo("atom started").pipe(
        Effect.annotateLogs({
          http: `${config.listen.host}:${httpServer.port}`,
          grpc: `${config.grpc.listen.host}:${grpcServer.port}`,
          database: config.databaseUrl._tag === "Some" ? "postgres" : `pglite:${config.dataDir}`,
        }),
      ),
    )

    let stopping: Promise<void> | undefined
    const stop = (deadlineMs = 8000) => {
      stopping ??= (async () => {
        const started = Date.now()
        await runtime.runPromise(Effect.all([Ref.set(status.http, "stopping"), Ref.set(status.grpc, "stopping")]))
        await rpc.closeSockets()
        await httpServer.close(deadlineMs)
        await rpc.close()
        await grpcServer.close(Math.max(100, deadlineMs - (Date.now() - started)))
        await runtime.dispose()
      })()
      return stopping
    }
    return { httpPort: httpServer.port, grpcPort: grpcServer.port, runtime, stop }
  } catch (error) {
    await runtime.dispose()
    throw error
  }
}
