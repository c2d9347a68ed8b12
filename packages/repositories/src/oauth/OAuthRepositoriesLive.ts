import { Layer } from "effect"
import { AuthExchangeCodes } from "./AuthExchangeCodes.js"
import { OAuthAccounts } from "./OAuthAccounts.js"
import { OAuthIdentities } from "./OAuthIdentities.js"
import { OAuthStates } from "./OAuthStates.js"

/** The OAuth/OIDC sign-in repositories. */
export const OAuthRepositoriesLive = Layer.mergeAll(
  OAuthStates.Default,
  AuthExchangeCodes.Default,
  OAuthIdentities.Default,
  OAuthAccounts.Default,
)
