-- Audit history and its retention runs.

-- Audit logs: append-only security events (logins, decisions, credential/entity/tenant changes).
-- actor_id, tenant_id and target_id are historical references without FKs: rows outlive purged
-- entities/tenants and are never rewritten (a cascading SET NULL would break the hash chain).
--
-- Tamper evidence: each writer appends to its own chain (chain_id, typically one per process
-- start) numbering rows chain_seq = 1, 2, …; hash = SHA-256(prev_hash ‖ canonical row content) and
-- prev_hash is the previous row's hash in the same chain (null only for chain_seq = 1). Retention
-- deletes the oldest rows; audit_retention_runs keeps the hash each chain now starts from.
CREATE TABLE audit_logs (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    tenant_id   uuid,
    target_kind text,
    target_id   uuid,
    event       text        NOT NULL CHECK (btrim(event) <> ''),
    outcome     text        NOT NULL CHECK (outcome IN ('allow', 'deny', 'error')),
    details     jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
    client_ip   text,
    user_agent  text,
    request_id  text,
    chain_id    uuid        NOT NULL,
    chain_seq   bigint      NOT NULL CHECK (chain_seq >= 1),
    prev_hash   bytea       CHECK (octet_length(prev_hash) = 32),
    hash        bytea       NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT audit_logs_chain_key UNIQUE (chain_id, chain_seq),
    CONSTRAINT audit_logs_chain_link_check CHECK ((prev_hash IS NULL) = (chain_seq = 1))
);

CREATE INDEX audit_logs_created_idx ON audit_logs (created_at);
CREATE INDEX audit_logs_tenant_created_idx ON audit_logs (tenant_id, created_at);
CREATE INDEX audit_logs_actor_created_idx ON audit_logs (actor_id, created_at);
CREATE INDEX audit_logs_target_idx ON audit_logs (target_id, created_at);
CREATE INDEX audit_logs_event_created_idx ON audit_logs (event, created_at);

-- Audit rows are never edited; only retention deletes them (TRUNCATE is unaffected).
CREATE FUNCTION reject_audit_log_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs rows are append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_append_only
    BEFORE UPDATE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION reject_audit_log_update();

-- Audit retention runs: one row per cleanup pass (ATOM_AUDIT_RETENTION_*), the source of health's
-- `last_cleanup`. chain_anchors maps chain_id → {"seq", "hash"} of the newest deleted row per
-- chain, so verification of the surviving rows can start from a known hash.
CREATE TABLE audit_retention_runs (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    cutoff         timestamptz NOT NULL,
    retention_days integer     NOT NULL CHECK (retention_days > 0),
    batch_size     integer     NOT NULL CHECK (batch_size > 0),
    deleted_rows   bigint      NOT NULL DEFAULT 0 CHECK (deleted_rows >= 0),
    status         text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'error')),
    error          text,
    chain_anchors  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(chain_anchors) = 'object')
);

CREATE INDEX audit_retention_runs_started_idx ON audit_retention_runs (started_at);
