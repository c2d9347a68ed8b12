/**
 * Every benchmark scenario, in the order they run. To add one: write `bench/scenarios/<name>.ts` exporting
 * `defineScenario({ name, description, baseline, prepare?, run })` as default, and add it to this list.
 */
import type { Scenario } from "../lib/scenario.js"
import crlCached from "./crlCached.js"
import crlGenerate from "./crlGenerate.js"
import { customEndpointEntity, graphqlEntityDirect } from "./customEndpointEntity.js"
import graphqlAuthzCheck from "./graphqlAuthzCheck.js"
import graphqlHealth from "./graphqlHealth.js"
import graphqlIssueCertificate from "./graphqlIssueCertificate.js"
import grpcAuthenticateSession from "./grpcAuthenticateSession.js"
import grpcAuthenticateToken from "./grpcAuthenticateToken.js"
import grpcAuthzCheck from "./grpcAuthzCheck.js"
import grpcHealthCheck from "./grpcHealthCheck.js"
import httpHealthLive from "./httpHealthLive.js"
import httpLogin from "./httpLogin.js"
import ocspCached from "./ocspCached.js"
import rpcAuthzCheck from "./rpcAuthzCheck.js"

export const SCENARIOS: ReadonlyArray<Scenario> = [
  httpHealthLive,
  grpcHealthCheck,
  graphqlHealth,
  grpcAuthzCheck,
  grpcAuthenticateSession,
  grpcAuthenticateToken,
  httpLogin,
  graphqlAuthzCheck,
  rpcAuthzCheck,
  graphqlEntityDirect,
  customEndpointEntity,
  graphqlIssueCertificate,
  ocspCached,
  crlGenerate,
  crlCached,
]
