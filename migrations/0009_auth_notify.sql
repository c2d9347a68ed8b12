-- Authentication changes are announced on channel `atom_auth`, as decision changes are on
-- `authz_revision`: replicas that remember verified tokens drop them when a session is revoked or
-- deleted, or a credential's status, expiry or secret changes. Statement-level triggers, so a bulk
-- revocation sends one notification; NOTIFY is delivered at commit and duplicates in one
-- transaction are folded into one.
CREATE FUNCTION notify_auth_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('atom_auth', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_auth_notify
    AFTER UPDATE OF revoked_at, entity_id ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER sessions_auth_notify_delete
    AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER credentials_auth_notify
    AFTER UPDATE OF status, revoked_at, expires_at, entity_id, secret_hash, secret_lookup_hash ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER credentials_auth_notify_delete
    AFTER DELETE ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
