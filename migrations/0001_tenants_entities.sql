-- Identity core: tenants, profiles, entities, their emails, memberships and ownerships.
-- Plain SQL for PostgreSQL 15+ and PGlite: no extensions. The service generates ids (v4);
-- the gen_random_uuid() defaults are only a fallback for hand-written rows.

-- Alias slug rule shared by tenants, entities and resources (authz.md §1 "Aliases"): 1–63 chars of
-- [a-z0-9-], alphanumeric first and last, and not UUID-shaped (dashed or 32 hex) so an alias can
-- never be mistaken for an id. The service trims/lowercases before storing.
CREATE FUNCTION is_valid_alias(alias text) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT alias ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
       AND alias !~ '^[0-9a-f]{32}$'
       AND alias !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$;

-- Tenants: isolation boundaries (Magistrala domains). Never subjects.
CREATE TABLE tenants (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    alias       text        CHECK (alias IS NULL OR is_valid_alias(alias)),
    status      text        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'inactive', 'frozen', 'deleted')),
    -- JSON array of strings.
    tags        jsonb       NOT NULL DEFAULT '[]'
                            CHECK (jsonb_typeof(tags) = 'array'
                                   AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    attributes  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_by  uuid,
    updated_by  uuid,
    deleted_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    -- Only soft delete sets 'deleted', and it always tombstones.
    CONSTRAINT tenants_deleted_status_check CHECK (status <> 'deleted' OR deleted_at IS NOT NULL)
);

-- Names and aliases are unique among live tenants only, so a tombstoned name can be reused.
CREATE UNIQUE INDEX tenants_name_live_key ON tenants (name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX tenants_alias_live_key ON tenants (lower(alias))
    WHERE alias IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX tenants_status_idx ON tenants (status);
CREATE INDEX tenants_deleted_at_idx ON tenants (deleted_at) WHERE deleted_at IS NOT NULL;

-- Profiles: named schemas for entity/resource/group/tenant/credential attributes.
CREATE TABLE profiles (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    object_kind  text        NOT NULL
                             CHECK (object_kind IN ('entity', 'resource', 'group', 'tenant', 'credential')),
    kind         text        NOT NULL CHECK (btrim(kind) <> ''),
    key          text        NOT NULL CHECK (btrim(key) <> ''),
    display_name text        NOT NULL,
    description  text,
    status       text        NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'deprecated', 'disabled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- An entity profile fixes the entity kind, so kind must be one of the five.
    CONSTRAINT profiles_entity_kind_check CHECK (
        object_kind <> 'entity'
        OR kind IN ('human', 'device', 'service', 'workload', 'application')
    )
);

-- (object_kind, kind, key) is unique among global profiles and, separately, within each tenant.
CREATE UNIQUE INDEX profiles_global_key ON profiles (object_kind, kind, key) WHERE tenant_id IS NULL;
CREATE UNIQUE INDEX profiles_tenant_key ON profiles (tenant_id, object_kind, kind, key)
    WHERE tenant_id IS NOT NULL;

-- Profile versions: the JSON Schema (and UI schema) of one numbered version of a profile.
-- A profile's active version is its highest version with status 'active'.
CREATE TABLE profile_versions (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    profile_id  uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    version     integer     NOT NULL CHECK (version > 0),
    json_schema jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(json_schema) = 'object'),
    ui_schema   jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(ui_schema) = 'object'),
    status      text        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('draft', 'active', 'deprecated', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profile_versions_version_key UNIQUE (profile_id, version),
    -- Target of entities' (profile_version_id, profile_id) FK: a pinned version belongs to its profile.
    CONSTRAINT profile_versions_id_profile_key UNIQUE (id, profile_id)
);

-- Entities: every subject (and entity object) — humans, devices, services, workloads, applications.
-- tenant_id is ownership (null = global); membership in other tenants is tenant_memberships.
CREATE TABLE entities (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    kind               text        NOT NULL
                                   CHECK (kind IN ('human', 'device', 'service', 'workload', 'application')),
    name               text        NOT NULL CHECK (btrim(name) <> ''),
    alias              text        CHECK (alias IS NULL OR is_valid_alias(alias)),
    tenant_id          uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    profile_id         uuid        REFERENCES profiles (id) ON DELETE SET NULL,
    profile_version_id uuid,
    status             text        NOT NULL DEFAULT 'active'
                                   CHECK (status IN ('active', 'inactive', 'suspended')),
    attributes         jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    deleted_by         uuid        REFERENCES entities (id) ON DELETE SET NULL,
    -- The pinned version must be a version of the entity's profile (MATCH SIMPLE: unchecked
    -- while either column is null).
    CONSTRAINT entities_profile_version_fkey
        FOREIGN KEY (profile_version_id, profile_id) REFERENCES profile_versions (id, profile_id)
        ON DELETE SET NULL (profile_version_id)
);

-- Live names are unique per tenant with all global entities sharing one namespace (NULLS NOT
-- DISTINCT), so global names are unique; aliases likewise, case-insensitively.
CREATE UNIQUE INDEX entities_name_live_key ON entities (tenant_id, name) NULLS NOT DISTINCT
    WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX entities_alias_live_key ON entities (tenant_id, lower(alias)) NULLS NOT DISTINCT
    WHERE alias IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX entities_tenant_idx ON entities (tenant_id);
CREATE INDEX entities_kind_idx ON entities (kind);
CREATE INDEX entities_name_idx ON entities (name);
CREATE INDEX entities_profile_idx ON entities (profile_id) WHERE profile_id IS NOT NULL;
CREATE INDEX entities_profile_version_idx ON entities (profile_version_id) WHERE profile_version_id IS NOT NULL;
CREATE INDEX entities_deleted_at_idx ON entities (deleted_at) WHERE deleted_at IS NOT NULL;
-- Login resolves identifiers through attributes.email (trimmed, lowercased).
CREATE INDEX entities_attr_email_idx ON entities (lower(btrim(attributes ->> 'email')));

-- Tenant audit columns point at the acting entity; added here because entities reference tenants.
ALTER TABLE tenants
    ADD CONSTRAINT tenants_created_by_fkey FOREIGN KEY (created_by) REFERENCES entities (id) ON DELETE SET NULL,
    ADD CONSTRAINT tenants_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES entities (id) ON DELETE SET NULL,
    ADD CONSTRAINT tenants_deleted_by_fkey FOREIGN KEY (deleted_by) REFERENCES entities (id) ON DELETE SET NULL;

-- Entity emails: login/lookup addresses with verification state. Stored trimmed and lowercased;
-- tombstoned with the entity so the address becomes reusable.
CREATE TABLE entity_emails (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    email       text        NOT NULL
                            CHECK (email = lower(btrim(email)) AND position('@' IN email) > 1),
    verified_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

-- A live address belongs to exactly one entity.
CREATE UNIQUE INDEX entity_emails_email_live_key ON entity_emails (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX entity_emails_entity_idx ON entity_emails (entity_id);

-- Tenant memberships: lets an entity not owned by a tenant (normally a global human) act in it;
-- an active human membership also yields implicit read on the tenant object.
CREATE TABLE tenant_memberships (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    entity_id  uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    status     text        NOT NULL DEFAULT 'active'
                           CHECK (status IN ('active', 'invited', 'suspended', 'left')),
    local_name text,
    attributes jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity_id)
);

CREATE INDEX tenant_memberships_entity_idx ON tenant_memberships (entity_id);

-- Ownerships: informational owner → owned links between entities; no decision reads them.
CREATE TABLE ownerships (
    owner_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    owned_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    relation   text        NOT NULL DEFAULT 'owner' CHECK (btrim(relation) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, owned_id)
);

CREATE INDEX ownerships_owned_idx ON ownerships (owned_id);
