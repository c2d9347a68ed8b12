-- Audit ingest at decision rates, and mail delivered outside the transactions that compose it.

-- audit_logs: every index is paid on each hot-path row. The per-column filter indexes of auditLogs
-- (tenant, actor, target) now leave out rows without that column: a filter `col = $1` never matches
-- NULL, so the partial index still serves it, and the many hot-path events without an actor, tenant
-- or target (failed logins, anonymous denials) no longer grow three indexes. (Audit ids are UUIDv7
-- from here on, so the primary key grows at its right edge too.)
DROP INDEX audit_logs_tenant_created_idx;
CREATE INDEX audit_logs_tenant_created_idx ON audit_logs (tenant_id, created_at) WHERE tenant_id IS NOT NULL;
DROP INDEX audit_logs_actor_created_idx;
CREATE INDEX audit_logs_actor_created_idx ON audit_logs (actor_id, created_at) WHERE actor_id IS NOT NULL;
DROP INDEX audit_logs_target_idx;
CREATE INDEX audit_logs_target_idx ON audit_logs (target_id, created_at) WHERE target_id IS NOT NULL;

-- mail_outbox: use cases write `pending` rows in their transaction; a background worker delivers them
-- over SMTP (when configured) and retries a failed attempt no earlier than next_attempt_at.
ALTER TABLE mail_outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
DROP INDEX mail_outbox_pending_idx;
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending';
