import { createHash, randomBytes } from "node:crypto"

// PKCE (RFC 7636) with the S256 method: the verifier is 43 characters of base64url over 32 random
// bytes; the challenge sent to the provider is base64url(SHA-256(verifier)).

export interface PkcePair {
  readonly verifier: string
  readonly challenge: string
}

export const pkceChallenge = (verifier: string): string => createHash("sha256").update(verifier).digest("base64url")

export const newPkcePair = (): PkcePair => {
  const verifier = randomBytes(32).toString("base64url")
  return { verifier, challenge: pkceChallenge(verifier) }
}

/** A random value the ID token must echo back (`nonce` claim). */
export const newNonce = (): string => randomBytes(32).toString("base64url")
