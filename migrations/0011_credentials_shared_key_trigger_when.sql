-- Issuance (issue 5): the shared-key owner check ran its PL/pgSQL function for every credential row,
-- though it can only refuse a shared key. The trigger now fires only for rows whose kind is
-- shared_key (the function's own first condition), so a batch of certificates no longer pays a
-- function call per row (PGlite: about 0.6 of ~3 CPU ms per transaction of 8 certificates).
DROP TRIGGER credentials_shared_key_not_human ON credentials;
CREATE TRIGGER credentials_shared_key_not_human
    BEFORE INSERT OR UPDATE OF entity_id, kind ON credentials
    FOR EACH ROW WHEN (NEW.kind = 'shared_key')
    EXECUTE FUNCTION reject_human_shared_key();
