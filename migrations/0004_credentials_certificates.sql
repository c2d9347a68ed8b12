-- Credentials (passwords, access tokens, shared keys, issued certificates), the permission ceiling
-- of scoped access tokens, and the CRL cache. Only verifiers and sealed secrets are stored.

-- Credentials: one row per secret or certificate an entity can authenticate with.
--   password:     secret_hash (argon2id PHC); identifier = login email or null.
--   access_token: secret_lookup_hash (HMAC-SHA256 under the KEK) or secret_hash (argon2 without
--                 a KEK); identifier = first 13 chars of the token; metadata {name, description};
--                 scoped = carries a ceiling (credential_permission_limits).
--   shared_key:   secret_hash + secret_lookup_hash + AES-256-GCM sealed key (secret_* columns,
--                 AAD = credential id) so it can be revealed again.
--   certificate:  no secret; identifier = serial_number; the leaf and its issuer in the
--                 certificate columns; expires_at = not_after.
CREATE TABLE credentials (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id          uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    kind               text        NOT NULL
                                   CHECK (kind IN ('password', 'access_token', 'shared_key', 'certificate')),
    identifier         text,
    secret_hash        text,
    secret_lookup_hash bytea       CHECK (octet_length(secret_lookup_hash) = 32),
    secret_ciphertext  bytea,
    secret_nonce       bytea       CHECK (octet_length(secret_nonce) = 12),
    secret_key_id      text,
    secret_enc_alg     text        CHECK (secret_enc_alg = 'AES-256-GCM'),
    scoped             boolean     NOT NULL DEFAULT false,
    metadata           jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    status             text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    revoked_at         timestamptz,
    -- Free text: manual, superseded, entity_deleted, tenant_deleted, entity_revoked, unspecified, …
    revocation_reason  text,
    expires_at         timestamptz,
    last_used_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),

    -- Certificate columns (kind = 'certificate' only).
    serial_number             text  CHECK (serial_number ~ '^([0-9a-f]{2})+$'),
    fingerprint_sha256        text  CHECK (fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
    certificate_pem           text,
    not_before                timestamptz,
    not_after                 timestamptz,
    -- {common_name} for generated keys, {csr_subject} for CSR issuance.
    subject                   jsonb CHECK (jsonb_typeof(subject) = 'object'),
    dns_names                 jsonb CHECK (jsonb_typeof(dns_names) = 'array'),
    ip_addresses              jsonb CHECK (jsonb_typeof(ip_addresses) = 'array'),
    issued_from_csr           boolean,
    issuer_kind               text  CHECK (issuer_kind IN ('root', 'intermediate')),
    issuer_subject            text,
    issuer_serial_number      text,
    issuer_fingerprint_sha256 text  CHECK (issuer_fingerprint_sha256 ~ '^[0-9a-f]{64}$'),

    -- revoked ⇔ revoked_at set; an active credential carries no revocation reason
    -- (tenant restore clears both when it reactivates a credential).
    CONSTRAINT credentials_revocation_check CHECK (
        (status = 'revoked') = (revoked_at IS NOT NULL)
        AND (status = 'revoked' OR revocation_reason IS NULL)
    ),
    CONSTRAINT credentials_scoped_check CHECK (NOT scoped OR kind = 'access_token'),
    CONSTRAINT credentials_lookup_hash_check CHECK (
        secret_lookup_hash IS NULL OR kind IN ('access_token', 'shared_key')
    ),
    -- The sealed secret is all-or-nothing and only for shared keys.
    CONSTRAINT credentials_sealed_secret_check CHECK (
        (secret_ciphertext IS NULL AND secret_nonce IS NULL AND secret_key_id IS NULL AND secret_enc_alg IS NULL)
        OR (kind = 'shared_key' AND secret_ciphertext IS NOT NULL AND secret_nonce IS NOT NULL
            AND secret_key_id IS NOT NULL AND secret_enc_alg IS NOT NULL)
    ),
    -- A secret-bearing credential has a verifier; a certificate has none.
    CONSTRAINT credentials_verifier_check CHECK (
        CASE kind
            WHEN 'password' THEN secret_hash IS NOT NULL
            WHEN 'access_token' THEN secret_hash IS NOT NULL OR secret_lookup_hash IS NOT NULL
            WHEN 'shared_key' THEN secret_hash IS NOT NULL OR secret_lookup_hash IS NOT NULL
            ELSE secret_hash IS NULL AND secret_lookup_hash IS NULL
        END
    ),
    -- Certificate columns are required for certificates and absent otherwise.
    CONSTRAINT credentials_certificate_check CHECK (
        CASE WHEN kind = 'certificate' THEN
            serial_number IS NOT NULL AND identifier = serial_number
            AND fingerprint_sha256 IS NOT NULL AND certificate_pem IS NOT NULL
            AND not_before IS NOT NULL AND not_after IS NOT NULL AND not_before < not_after
            AND expires_at = not_after
            AND issuer_fingerprint_sha256 IS NOT NULL
        ELSE
            serial_number IS NULL AND fingerprint_sha256 IS NULL AND certificate_pem IS NULL
            AND not_before IS NULL AND not_after IS NULL AND subject IS NULL
            AND dns_names IS NULL AND ip_addresses IS NULL AND issued_from_csr IS NULL
            AND issuer_kind IS NULL AND issuer_subject IS NULL AND issuer_serial_number IS NULL
            AND issuer_fingerprint_sha256 IS NULL
        END
    )
);

-- Credential by id is the primary key (access tokens embed it). Other hot lookups:
CREATE INDEX credentials_entity_idx ON credentials (entity_id, kind);
CREATE INDEX credentials_kind_identifier_idx ON credentials (kind, identifier);
CREATE INDEX credentials_lookup_hash_idx ON credentials (secret_lookup_hash)
    WHERE secret_lookup_hash IS NOT NULL;
CREATE UNIQUE INDEX credentials_serial_number_key ON credentials (serial_number)
    WHERE serial_number IS NOT NULL;
CREATE INDEX credentials_fingerprint_idx ON credentials (fingerprint_sha256)
    WHERE fingerprint_sha256 IS NOT NULL;
-- CRL generation: revoked certificates of one issuer.
CREATE INDEX credentials_crl_idx ON credentials (issuer_fingerprint_sha256)
    WHERE kind = 'certificate' AND status = 'revoked';
-- expiringCredentials: active credentials by expiry.
CREATE INDEX credentials_expiring_idx ON credentials (expires_at)
    WHERE status = 'active' AND expires_at IS NOT NULL;

-- Shared keys are machine secrets: a human may not own one, and an entity owning one may not
-- become human. Raised as check violations (→ "invalid value").
CREATE FUNCTION reject_human_shared_key() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.kind = 'shared_key'
       AND EXISTS (SELECT 1 FROM entities WHERE id = NEW.entity_id AND kind = 'human') THEN
        RAISE EXCEPTION 'shared_key credentials cannot belong to human entities'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER credentials_shared_key_not_human
    BEFORE INSERT OR UPDATE OF entity_id, kind ON credentials
    FOR EACH ROW EXECUTE FUNCTION reject_human_shared_key();

CREATE FUNCTION reject_shared_key_owner_becoming_human() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.kind = 'human'
       AND EXISTS (SELECT 1 FROM credentials WHERE entity_id = NEW.id AND kind = 'shared_key') THEN
        RAISE EXCEPTION 'entities with shared_key credentials cannot become human entities'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER entities_shared_key_owner_not_human
    BEFORE UPDATE OF kind ON entities
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION reject_shared_key_owner_becoming_human();

-- Credential permission limits: the allow-only ceiling entries of a scoped access token.
-- Effective authority = owner's live grants ∩ these entries. ordinal keeps the caller's order and,
-- being unique in 0..99 per token, caps a token at 100 entries.
CREATE TABLE credential_permission_limits (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    credential_id uuid        NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    ordinal       integer     NOT NULL CHECK (ordinal BETWEEN 0 AND 99),
    scope_mode    text        NOT NULL
                              CHECK (scope_mode IN ('platform', 'tenant', 'object_kind', 'object_type', 'object')),
    tenant_id     uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    object_kind   text        CHECK (object_kind IN ('entity', 'resource', 'group', 'tenant', 'role',
                                                     'policy', 'credential', 'audit_log', 'signing_key')),
    object_type   text,
    object_id     uuid,
    conditions    jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(conditions) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credential_permission_limits_ordinal_key UNIQUE (credential_id, ordinal),
    -- Per-mode fields (identity-certs.md §2.5): tenant_id is required for tenant, optional for
    -- object_kind/object_type, and not supported for platform/object; object_type is the full
    -- namespaced value `<object_kind>:<sub>`.
    CONSTRAINT credential_permission_limits_scope_shape CHECK (
        CASE scope_mode
            WHEN 'platform' THEN
                tenant_id IS NULL AND object_kind IS NULL AND object_type IS NULL AND object_id IS NULL
            WHEN 'tenant' THEN
                tenant_id IS NOT NULL AND object_kind IS NULL AND object_type IS NULL AND object_id IS NULL
            WHEN 'object_kind' THEN
                object_kind IS NOT NULL AND object_type IS NULL AND object_id IS NULL
            WHEN 'object_type' THEN
                object_kind IS NOT NULL AND object_id IS NULL
                AND starts_with(object_type, object_kind || ':')
                AND length(object_type) > length(object_kind) + 1
            WHEN 'object' THEN
                tenant_id IS NULL AND object_id IS NOT NULL
            ELSE false
        END
    )
);

-- Credential permission limit actions: the actions each ceiling entry allows (at least one).
CREATE TABLE credential_permission_limit_actions (
    limit_id  uuid NOT NULL REFERENCES credential_permission_limits (id) ON DELETE CASCADE,
    action_id uuid NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (limit_id, action_id)
);

CREATE INDEX credential_permission_limit_actions_action_idx ON credential_permission_limit_actions (action_id);

-- CRL state: the cached CRL of one issuing CA (keyed by the SHA-256 of its certificate DER; one
-- row in practice). A new row starts at number 0 and dirty; any certificate revocation marks rows
-- dirty; regeneration (under an advisory lock) bumps crl_number, stores the DER and clears dirty.
CREATE TABLE crl_state (
    issuer_fingerprint_sha256 text        PRIMARY KEY CHECK (issuer_fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
    crl_number                bigint      NOT NULL DEFAULT 0 CHECK (crl_number >= 0),
    dirty                     boolean     NOT NULL DEFAULT true,
    crl_der                   bytea,
    this_update               timestamptz,
    next_update               timestamptz,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crl_state_window_check CHECK (
        (crl_der IS NULL) = (this_update IS NULL)
        AND (this_update IS NULL) = (next_update IS NULL)
        AND (this_update IS NULL OR this_update < next_update)
    )
);
