import type { AtomConfigShape, OidcProvider } from "@atom/domain/config"

/**
 * The provider names `/auth/public-config` lists (api.md §1.3): the configured OIDC providers, or none
 * when self-registration is off (their sign-in is refused then).
 */
export const configuredOidcProviders = (config: AtomConfigShape): ReadonlyArray<string> =>
  config.selfService.selfRegistrationEnabled ? config.selfService.oidcProviders.map((p) => p.name) : []

/** The provider of that name, if configured. */
export const findOidcProvider = (config: AtomConfigShape, name: string): OidcProvider | undefined =>
  config.selfService.oidcProviders.find((p) => p.name === name)

/** The scopes requested: the provider's, plus `openid` and `email`, which are always asked for. */
export const requestedScopes = (provider: OidcProvider): ReadonlyArray<string> => [
  ...provider.scopes,
  ...["openid", "email"].filter((s) => !provider.scopes.includes(s)),
]

/** Where the provider sends the browser back: `<base>/auth/oauth/<name>/callback`. */
export const oidcRedirectUri = (config: AtomConfigShape, provider: OidcProvider): string =>
  `${config.publicBaseUrl.replace(/\/+$/, "")}/auth/oauth/${encodeURIComponent(provider.name)}/callback`
