-- Sessions, JWT signing keys, and the state of the self-service flows: one-time tokens (email
-- verification, password reset, OAuth state, auth exchange codes, tenant invitations), OAuth
-- identity links and login-attempt tracking. One-time tokens are `<prefix>_<id hex>_<secret hex>`:
-- the row id is in the token, only an argon2 hash of the secret is stored, and consumption is an
-- atomic single-use UPDATE … WHERE consumed_at IS NULL.

-- Sessions: one per login (JWT sid); refresh extends expires_at, logout sets revoked_at.
CREATE TABLE sessions (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id  uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sessions_entity_idx ON sessions (entity_id);

-- Signing keys: ES256 JWT keys. The private key is sealed with the KEK (AES-256-GCM, AAD = kid);
-- a plaintext PKCS#8 column exists only for dev mode (ATOM_ALLOW_PLAINTEXT_SIGNING_KEYS) and is
-- encrypted away at boot once a KEK is set. Rotation: standby→retired, primary→standby, insert
-- primary — in that order, because at most one primary and one standby may exist.
CREATE TABLE signing_keys (
    kid                        uuid        PRIMARY KEY,
    algorithm                  text        NOT NULL DEFAULT 'ES256' CHECK (algorithm = 'ES256'),
    status                     text        NOT NULL CHECK (status IN ('primary', 'standby', 'retired')),
    -- SPKI PEM and the public JWK served at /.well-known/jwks.json.
    public_key_pem             text        NOT NULL,
    public_jwk                 jsonb       NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
    private_key_pem            text,
    private_key_ciphertext     bytea,
    private_key_nonce          bytea       CHECK (octet_length(private_key_nonce) = 12),
    private_key_key_id         text,
    private_key_encryption_alg text        CHECK (private_key_encryption_alg = 'AES-256-GCM'),
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    retired_at                 timestamptz,
    -- Exactly one form of the private key: sealed (all four columns) or plaintext.
    CONSTRAINT signing_keys_private_key_check CHECK (
        (private_key_pem IS NULL
         AND private_key_ciphertext IS NOT NULL AND private_key_nonce IS NOT NULL
         AND private_key_key_id IS NOT NULL AND private_key_encryption_alg IS NOT NULL)
        OR (private_key_pem IS NOT NULL
         AND private_key_ciphertext IS NULL AND private_key_nonce IS NULL
         AND private_key_key_id IS NULL AND private_key_encryption_alg IS NULL)
    )
);

-- At most one primary and one standby key.
CREATE UNIQUE INDEX signing_keys_one_per_live_status ON signing_keys (status)
    WHERE status IN ('primary', 'standby');

-- Email verification tokens (`atomv_…`): confirm an entity_emails address.
CREATE TABLE email_verification_tokens (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    email_id    uuid        NOT NULL REFERENCES entity_emails (id) ON DELETE CASCADE,
    secret_hash text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX email_verification_tokens_entity_idx ON email_verification_tokens (entity_id);
CREATE INDEX email_verification_tokens_email_idx ON email_verification_tokens (email_id);

-- Password reset tokens (`atomr_…`, 30 min): the new password's identifier is the email.
CREATE TABLE password_reset_tokens (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    email_id    uuid        NOT NULL REFERENCES entity_emails (id) ON DELETE CASCADE,
    secret_hash text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX password_reset_tokens_entity_idx ON password_reset_tokens (entity_id);
CREATE INDEX password_reset_tokens_email_idx ON password_reset_tokens (email_id);

-- OAuth identities: links an OIDC (provider, subject) to the entity it signs in as.
CREATE TABLE oauth_identities (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id      uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    provider       text        NOT NULL,
    subject        text        NOT NULL,
    email          text,
    email_verified boolean     NOT NULL DEFAULT false,
    -- ID-token claims kept for display (name, picture, …).
    profile        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(profile) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oauth_identities_provider_subject_key UNIQUE (provider, subject)
);

CREATE INDEX oauth_identities_entity_idx ON oauth_identities (entity_id);

-- OAuth states (`atoms_…`, 600 s): one authorization-code flow in flight, with its PKCE verifier
-- and nonce, until the callback consumes it.
CREATE TABLE oauth_states (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    provider      text        NOT NULL,
    secret_hash   text        NOT NULL,
    pkce_verifier text        NOT NULL,
    nonce         text        NOT NULL,
    -- Same-origin path to land on after sign-in.
    return_to     text,
    expires_at    timestamptz NOT NULL,
    consumed_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

-- Auth exchange codes (`atomx_…`, 300 s): handed to the UI after an OAuth callback and traded once
-- for a login response.
CREATE TABLE auth_exchange_codes (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    secret_hash text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_exchange_codes_entity_idx ON auth_exchange_codes (entity_id);

-- Login attempts: every password/shared-key attempt, for the failure lockout
-- (ATOM_LOGIN_FAILURE_LIMIT failures per (identifier, tenant) within the window).
-- identifier is trimmed and lowercased; tenant_id null = no tenant selector.
CREATE TABLE auth_login_attempts (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    identifier text        NOT NULL CHECK (identifier = lower(btrim(identifier))),
    tenant_id  uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    success    boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Counting recent failures; null tenant matches null (IS NOT DISTINCT FROM).
CREATE INDEX auth_login_attempts_failures_idx ON auth_login_attempts (identifier, tenant_id, created_at)
    WHERE NOT success;
CREATE INDEX auth_login_attempts_created_idx ON auth_login_attempts (created_at);

-- Tenant invitations (`atomi_…`): an invitation to join a tenant, addressed to a user and/or an
-- email, optionally with a role assigned on acceptance. Re-inviting resets the existing row.
CREATE TABLE tenant_invitations (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invitee_user_id uuid        REFERENCES entities (id) ON DELETE CASCADE,
    invitee_email   text        CHECK (invitee_email = lower(btrim(invitee_email))),
    invited_by      uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    role_id         uuid        REFERENCES roles (id) ON DELETE SET NULL,
    secret_hash     text,
    expires_at      timestamptz NOT NULL,
    accepted_by     uuid        REFERENCES entities (id) ON DELETE SET NULL,
    accepted_at     timestamptz,
    rejected_at     timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_invitations_invitee_check
        CHECK (invitee_user_id IS NOT NULL OR invitee_email IS NOT NULL),
    -- An invitation ends at most one way.
    CONSTRAINT tenant_invitations_single_outcome_check
        CHECK (num_nonnulls(accepted_at, rejected_at, revoked_at) <= 1)
);

-- One invitation per (tenant, user) and per (tenant, email).
CREATE UNIQUE INDEX tenant_invitations_user_key ON tenant_invitations (tenant_id, invitee_user_id)
    WHERE invitee_user_id IS NOT NULL;
CREATE UNIQUE INDEX tenant_invitations_email_key ON tenant_invitations (tenant_id, lower(invitee_email))
    WHERE invitee_email IS NOT NULL;
CREATE INDEX tenant_invitations_invitee_user_idx ON tenant_invitations (invitee_user_id)
    WHERE invitee_user_id IS NOT NULL;
CREATE INDEX tenant_invitations_invitee_email_idx ON tenant_invitations (lower(invitee_email))
    WHERE invitee_email IS NOT NULL;
