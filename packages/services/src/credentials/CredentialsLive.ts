import { Layer } from "effect"
import { AccessTokenService } from "./AccessTokenService.js"
import { AliasResolver } from "./AliasResolver.js"
import { CredentialAuthentication } from "./CredentialAuthentication.js"
import { CredentialGate } from "./CredentialGate.js"
import { CredentialService } from "./CredentialService.js"
import { SharedKeyService } from "./SharedKeyService.js"

/** The credentials area's use cases; needs the Gate, the repositories, the KEK and the hasher. */
export const CredentialsLive = Layer.mergeAll(
  AccessTokenService.Default,
  CredentialService.Default,
  SharedKeyService.Default,
  CredentialAuthentication.Default,
  AliasResolver.Default,
).pipe(Layer.provide(CredentialGate.Default))
