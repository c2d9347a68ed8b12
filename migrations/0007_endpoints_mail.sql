-- API Endpoint Builder (custom /api/custom/* routes backed by Atom GraphQL) and the development
-- mail outbox.

-- API endpoints: admin-defined HTTP routes that run a stored GraphQL operation.
CREATE TABLE api_endpoints (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    key               text        NOT NULL CHECK (btrim(key) <> ''),
    name              text        NOT NULL,
    description       text,
    method            text        NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    -- Under /api/custom/ with no '//', '..', '?' or '#'.
    path              text        NOT NULL CHECK (
                                      starts_with(path, '/api/custom/')
                                      AND strpos(path, '//') = 0 AND strpos(path, '..') = 0
                                      AND strpos(path, '?') = 0 AND strpos(path, '#') = 0
                                  ),
    operation_kind    text        NOT NULL CHECK (operation_kind IN ('query', 'mutation')),
    graphql           text        NOT NULL,
    auth_mode         text        NOT NULL DEFAULT 'caller_context'
                                  CHECK (auth_mode IN ('caller_context', 'service_context')),
    -- Required by service_context when saved; if the entity is later purged the endpoint answers
    -- 404 at run time, hence SET NULL and no CHECK tying it to auth_mode.
    service_entity_id uuid        REFERENCES entities (id) ON DELETE SET NULL,
    variables_mapping jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(variables_mapping) = 'object'),
    request_schema    jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(request_schema) = 'object'),
    response_mapping  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(response_mapping) = 'object'),
    status            text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'disabled')),
    created_by        uuid        REFERENCES entities (id) ON DELETE SET NULL,
    updated_by        uuid        REFERENCES entities (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- key is unique among platform endpoints and, separately, per tenant.
CREATE UNIQUE INDEX api_endpoints_key ON api_endpoints (tenant_id, key) NULLS NOT DISTINCT;
-- At most one ACTIVE endpoint per (method, path); this is also the execution lookup.
CREATE UNIQUE INDEX api_endpoints_active_route_key ON api_endpoints (method, path) WHERE status = 'active';
CREATE INDEX api_endpoints_status_idx ON api_endpoints (status);

-- API endpoint executions: one row per call to a custom endpoint, with secrets redacted from the
-- request/response summaries by the service.
CREATE TABLE api_endpoint_executions (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id      uuid        REFERENCES api_endpoints (id) ON DELETE SET NULL,
    caller_entity_id uuid        REFERENCES entities (id) ON DELETE SET NULL,
    status           text        NOT NULL CHECK (status IN ('success', 'error', 'denied')),
    request_summary  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(request_summary) = 'object'),
    response_summary jsonb       NOT NULL DEFAULT '{}',
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX api_endpoint_executions_endpoint_idx ON api_endpoint_executions (endpoint_id, created_at);
CREATE INDEX api_endpoint_executions_caller_idx ON api_endpoint_executions (caller_entity_id, created_at);

-- Mail outbox: messages composed by the Mailer. Without SMTP they stay here (readable in
-- development and tests); with SMTP, rows record the delivery attempt.
CREATE TABLE mail_outbox (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- verification | password_reset | invitation (the template used).
    template     text        NOT NULL CHECK (btrim(template) <> ''),
    recipient    text        NOT NULL CHECK (position('@' IN recipient) > 1),
    subject      text        NOT NULL,
    content_type text        NOT NULL DEFAULT 'text/plain',
    body         text        NOT NULL,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    CONSTRAINT mail_outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (lower(recipient), created_at);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (created_at) WHERE status = 'pending';
