-- Groups and resources: object groups ("where"), principal groups ("who"), resources, and the
-- containment of entities/resources in object groups.

-- Object groups: containers of entities and resources that group-scoped permission blocks target.
-- Containment alone grants nothing.
CREATE TABLE object_groups (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    description text,
    status      text        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'inactive', 'suspended')),
    attributes  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    deleted_by  uuid        REFERENCES entities (id) ON DELETE SET NULL,
    -- Target of the (id, tenant_id) FKs below that keep hierarchy/containment within one tenant.
    CONSTRAINT object_groups_id_tenant_key UNIQUE (id, tenant_id)
);

-- Live names are unique per tenant; global groups share one namespace.
CREATE UNIQUE INDEX object_groups_name_live_key ON object_groups (tenant_id, name) NULLS NOT DISTINCT
    WHERE deleted_at IS NULL;
CREATE INDEX object_groups_tenant_idx ON object_groups (tenant_id);
CREATE INDEX object_groups_deleted_at_idx ON object_groups (deleted_at) WHERE deleted_at IS NOT NULL;

-- Object group hierarchy: one parent per child (PK child_id). Parent, child and row share a tenant
-- (composite FKs; unchecked for global groups where tenant_id is null). Cycles are refused by the
-- service, which walks ancestors under a lock before inserting.
CREATE TABLE object_group_hierarchy (
    child_id   uuid        PRIMARY KEY REFERENCES object_groups (id) ON DELETE CASCADE,
    parent_id  uuid        NOT NULL REFERENCES object_groups (id) ON DELETE CASCADE,
    tenant_id  uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT object_group_hierarchy_no_self CHECK (parent_id <> child_id),
    CONSTRAINT object_group_hierarchy_child_tenant_fkey
        FOREIGN KEY (child_id, tenant_id) REFERENCES object_groups (id, tenant_id) ON DELETE CASCADE,
    CONSTRAINT object_group_hierarchy_parent_tenant_fkey
        FOREIGN KEY (parent_id, tenant_id) REFERENCES object_groups (id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX object_group_hierarchy_parent_idx ON object_group_hierarchy (parent_id);

-- Principal groups: sets of subject entities; assignments to a group reach its members and the
-- members of its descendant groups.
CREATE TABLE principal_groups (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    description text,
    status      text        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'inactive', 'suspended')),
    attributes  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    deleted_by  uuid        REFERENCES entities (id) ON DELETE SET NULL,
    CONSTRAINT principal_groups_id_tenant_key UNIQUE (id, tenant_id)
);

CREATE UNIQUE INDEX principal_groups_name_live_key ON principal_groups (tenant_id, name) NULLS NOT DISTINCT
    WHERE deleted_at IS NULL;
CREATE INDEX principal_groups_tenant_idx ON principal_groups (tenant_id);
CREATE INDEX principal_groups_deleted_at_idx ON principal_groups (deleted_at) WHERE deleted_at IS NOT NULL;

-- Principal group hierarchy: same shape and rules as object_group_hierarchy.
CREATE TABLE principal_group_hierarchy (
    child_id   uuid        PRIMARY KEY REFERENCES principal_groups (id) ON DELETE CASCADE,
    parent_id  uuid        NOT NULL REFERENCES principal_groups (id) ON DELETE CASCADE,
    tenant_id  uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT principal_group_hierarchy_no_self CHECK (parent_id <> child_id),
    CONSTRAINT principal_group_hierarchy_child_tenant_fkey
        FOREIGN KEY (child_id, tenant_id) REFERENCES principal_groups (id, tenant_id) ON DELETE CASCADE,
    CONSTRAINT principal_group_hierarchy_parent_tenant_fkey
        FOREIGN KEY (parent_id, tenant_id) REFERENCES principal_groups (id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX principal_group_hierarchy_parent_idx ON principal_group_hierarchy (parent_id);

-- Principal group members: which entities belong to which principal group. Group and member
-- tenants need not match (assignment boundaries contain the effect).
CREATE TABLE principal_group_members (
    group_id   uuid        NOT NULL REFERENCES principal_groups (id) ON DELETE CASCADE,
    entity_id  uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, entity_id)
);

CREATE INDEX principal_group_members_entity_idx ON principal_group_members (entity_id);

-- The PDP's `group` object kind resolves an id against both group tables, so a group id must not
-- exist in both (create inputs accept client-chosen ids).
CREATE FUNCTION reject_cross_group_id() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF (TG_TABLE_NAME = 'object_groups'
            AND EXISTS (SELECT 1 FROM principal_groups WHERE id = NEW.id))
       OR (TG_TABLE_NAME = 'principal_groups'
            AND EXISTS (SELECT 1 FROM object_groups WHERE id = NEW.id)) THEN
        RAISE EXCEPTION 'group id % is already used by another group table', NEW.id
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER object_groups_unique_id_across_kinds
    BEFORE INSERT OR UPDATE OF id ON object_groups
    FOR EACH ROW EXECUTE FUNCTION reject_cross_group_id();

CREATE TRIGGER principal_groups_unique_id_across_kinds
    BEFORE INSERT OR UPDATE OF id ON principal_groups
    FOR EACH ROW EXECUTE FUNCTION reject_cross_group_id();

-- Resources: non-subject objects (channels, rules, reports, alarms, app-defined kinds).
-- Namespaced type is resource:<kind>. tenant_id null = platform resource.
CREATE TABLE resources (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text        NOT NULL CHECK (btrim(kind) <> ''),
    name        text,
    alias       text        CHECK (alias IS NULL OR is_valid_alias(alias)),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    -- Informational; no authorization effect.
    owner_id    uuid        REFERENCES entities (id) ON DELETE SET NULL,
    attributes  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    deleted_by  uuid        REFERENCES entities (id) ON DELETE SET NULL
);

-- Aliases are unique per tenant (global resources share one namespace), case-insensitively.
CREATE UNIQUE INDEX resources_alias_live_key ON resources (tenant_id, lower(alias)) NULLS NOT DISTINCT
    WHERE alias IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX resources_tenant_kind_idx ON resources (tenant_id, kind);
CREATE INDEX resources_kind_idx ON resources (kind);
CREATE INDEX resources_owner_idx ON resources (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX resources_deleted_at_idx ON resources (deleted_at) WHERE deleted_at IS NOT NULL;

-- Object group entities: the single object group directly containing an entity (PK entity_id).
-- Only tenant entities can be contained (tenant_id NOT NULL); the group must be in that tenant.
CREATE TABLE object_group_entities (
    entity_id  uuid        PRIMARY KEY REFERENCES entities (id) ON DELETE CASCADE,
    group_id   uuid        NOT NULL,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT object_group_entities_group_tenant_fkey
        FOREIGN KEY (group_id, tenant_id) REFERENCES object_groups (id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX object_group_entities_group_idx ON object_group_entities (group_id);

-- Object group resources: the single object group directly containing a resource.
CREATE TABLE object_group_resources (
    resource_id uuid        PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    group_id    uuid        NOT NULL,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT object_group_resources_group_tenant_fkey
        FOREIGN KEY (group_id, tenant_id) REFERENCES object_groups (id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX object_group_resources_group_idx ON object_group_resources (group_id);
