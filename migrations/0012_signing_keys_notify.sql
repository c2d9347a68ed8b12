-- Signing-key changes (bootstrap, rotation) are announced on `atom_auth` with the payload
-- `signing_keys`, so every replica reloads its key ring: without it a replica keeps signing with a
-- key another replica has retired and refuses tokens of the new primary until it restarts (the
-- reference's known defect 16). Statement-level, through notify_auth_change() of 0009.
CREATE TRIGGER signing_keys_auth_notify
    AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
