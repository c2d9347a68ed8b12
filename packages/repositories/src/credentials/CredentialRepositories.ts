import { Layer } from "effect"
import { AccessTokens } from "./AccessTokens.js"
import { Credentials } from "./Credentials.js"
import { ObjectAliases } from "./ObjectAliases.js"
import { PermissionLimits } from "./PermissionLimits.js"
import { SharedKeys } from "./SharedKeys.js"

/** Every repository of the credentials area, over the SqlClient. */
export const CredentialRepositoriesLive = Layer.mergeAll(
  AccessTokens.Default,
  Credentials.Default,
  ObjectAliases.Default,
  PermissionLimits.Default,
  SharedKeys.Default,
)
