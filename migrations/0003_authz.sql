-- Authorization model (authz.md §1): actions and their applicability, permission blocks (the only
-- carrier of scope/effect/conditions), roles, role assignments, direct policies, assignment-time
-- guardrails, and the revision counter that invalidates cached grant sets.

-- Actions: the verb vocabulary (13 seeded; admins may add more).
CREATE TABLE actions (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (btrim(name) <> '' AND name = btrim(name)),
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT actions_name_key UNIQUE (name)
);

-- Action applicability: which object kinds (and optionally which namespaced sub-types) an action
-- applies to. object_type null = every sub-type of the kind. Filters PDP actions, never grants.
CREATE TABLE action_applicability (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    action_id   uuid        NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    object_kind text        NOT NULL
                            CHECK (object_kind IN ('entity', 'resource', 'group', 'tenant', 'role',
                                                   'policy', 'credential', 'audit_log', 'signing_key')),
    object_type text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per (action, kind, type), with "all types" (null) counted once.
CREATE UNIQUE INDEX action_applicability_key
    ON action_applicability (action_id, object_kind, object_type) NULLS NOT DISTINCT;
CREATE INDEX action_applicability_object_idx ON action_applicability (object_kind, object_type);

-- Permission blocks: shared, immutable rules = scope + effect + conditions (+ actions below).
-- object_id deliberately has no FK: it may name an entity, resource, group, tenant, role,
-- policy/assignment or credential.
CREATE TABLE permission_blocks (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    scope_mode  text        NOT NULL
                            CHECK (scope_mode IN ('platform', 'tenant', 'object_kind', 'object_type', 'object',
                                                  'group', 'group_direct_objects', 'group_descendant_objects',
                                                  'group_child_groups', 'group_descendant_groups')),
    object_kind text        CHECK (object_kind IN ('entity', 'resource', 'group', 'tenant', 'role',
                                                   'policy', 'credential', 'audit_log', 'signing_key')),
    -- Namespaced `<kind>:<sub>`; bare values are accepted (as the reference does) and never match.
    object_type text        CHECK (btrim(object_type) <> ''),
    object_id   uuid,
    group_id    uuid,
    effect      text        NOT NULL DEFAULT 'allow' CHECK (effect IN ('allow', 'deny')),
    -- Flat ABAC condition map; '{}' = unconditional. Never a non-object.
    conditions  jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(conditions) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Per-mode field rules (authz.md §1 table). tenant_id: platform = null; tenant and all group
    -- modes = required; object_kind/object_type/object = optional (null = all tenants).
    -- `object` may also record the target's kind/type, resolved when the block is written.
    CONSTRAINT permission_blocks_scope_shape CHECK (
        CASE scope_mode
            WHEN 'platform' THEN
                tenant_id IS NULL AND object_kind IS NULL AND object_type IS NULL
                AND object_id IS NULL AND group_id IS NULL
            WHEN 'tenant' THEN
                tenant_id IS NOT NULL AND object_kind IS NULL AND object_type IS NULL
                AND object_id IS NULL AND group_id IS NULL
            WHEN 'object_kind' THEN
                object_kind IS NOT NULL AND object_type IS NULL
                AND object_id IS NULL AND group_id IS NULL
            WHEN 'object_type' THEN
                object_kind IS NOT NULL AND object_type IS NOT NULL
                AND object_id IS NULL AND group_id IS NULL
            WHEN 'object' THEN
                object_id IS NOT NULL AND group_id IS NULL
            WHEN 'group' THEN
                tenant_id IS NOT NULL AND group_id IS NOT NULL
                AND object_kind IS NULL AND object_type IS NULL AND object_id IS NULL
            WHEN 'group_direct_objects' THEN
                tenant_id IS NOT NULL AND group_id IS NOT NULL
                AND object_kind IN ('entity', 'resource') AND object_type IS NOT NULL AND object_id IS NULL
            WHEN 'group_descendant_objects' THEN
                tenant_id IS NOT NULL AND group_id IS NOT NULL
                AND object_kind IN ('entity', 'resource') AND object_type IS NOT NULL AND object_id IS NULL
            WHEN 'group_child_groups' THEN
                tenant_id IS NOT NULL AND group_id IS NOT NULL
                AND object_kind IS NULL AND object_type IS NULL AND object_id IS NULL
            WHEN 'group_descendant_groups' THEN
                tenant_id IS NOT NULL AND group_id IS NOT NULL
                AND object_kind IS NULL AND object_type IS NULL AND object_id IS NULL
            ELSE false
        END
    ),
    -- Group modes target an OBJECT group of the block's own tenant (every mode with group_id
    -- requires tenant_id, so this composite FK is always checked).
    CONSTRAINT permission_blocks_group_fkey
        FOREIGN KEY (group_id, tenant_id) REFERENCES object_groups (id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX permission_blocks_tenant_idx ON permission_blocks (tenant_id);
-- Purges and policy-row cleanup delete blocks by the object they target.
CREATE INDEX permission_blocks_object_idx ON permission_blocks (object_id) WHERE object_id IS NOT NULL;
CREATE INDEX permission_blocks_group_idx ON permission_blocks (group_id) WHERE group_id IS NOT NULL;

-- Permission block actions: the actions a block covers (the service writes at least one).
CREATE TABLE permission_block_actions (
    permission_block_id uuid NOT NULL REFERENCES permission_blocks (id) ON DELETE CASCADE,
    action_id           uuid NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (permission_block_id, action_id)
);

CREATE INDEX permission_block_actions_action_idx ON permission_block_actions (action_id);

-- Roles: named bundles of permission blocks; tenant_id null = platform role. No scope of their own.
CREATE TABLE roles (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (btrim(name) <> ''),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    deleted_by  uuid        REFERENCES entities (id) ON DELETE SET NULL
);

-- Live names are unique per tenant; platform roles share one namespace.
CREATE UNIQUE INDEX roles_name_live_key ON roles (tenant_id, name) NULLS NOT DISTINCT
    WHERE deleted_at IS NULL;
CREATE INDEX roles_deleted_at_idx ON roles (deleted_at) WHERE deleted_at IS NOT NULL;

-- Role permission blocks: links a role to its blocks (replaced wholesale). Each linked block has
-- exactly the role's tenant_id (checked by the service under a role lock). Deleting a block
-- cascades here so purges can remove blocks targeting purged objects; the API's "still linked"
-- refusal is the service's check.
CREATE TABLE role_permission_blocks (
    role_id             uuid        NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_block_id uuid        NOT NULL REFERENCES permission_blocks (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role_id, permission_block_id)
);

CREATE INDEX role_permission_blocks_block_idx ON role_permission_blocks (permission_block_id);

-- Role assignments: grant a role to an entity or principal group, bounded to tenant_id (null =
-- unbounded/platform). subject_id has no FK: it names an entity or a principal group.
CREATE TABLE role_assignments (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    subject_kind text        NOT NULL CHECK (subject_kind IN ('entity', 'group')),
    subject_id   uuid        NOT NULL,
    role_id      uuid        NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX role_assignments_subject_idx ON role_assignments (subject_kind, subject_id);
CREATE INDEX role_assignments_role_idx ON role_assignments (role_id);
CREATE INDEX role_assignments_tenant_idx ON role_assignments (tenant_id);

-- Direct policies: attach one permission block to an entity or principal group, bounded to
-- tenant_id (which equals the block's tenant). subject_id has no FK, as above.
CREATE TABLE direct_policies (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    subject_kind        text        NOT NULL CHECK (subject_kind IN ('entity', 'group')),
    subject_id          uuid        NOT NULL,
    permission_block_id uuid        NOT NULL REFERENCES permission_blocks (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX direct_policies_subject_idx ON direct_policies (subject_kind, subject_id);
CREATE INDEX direct_policies_block_idx ON direct_policies (permission_block_id);
CREATE INDEX direct_policies_tenant_idx ON direct_policies (tenant_id);

-- A block whose object_id names a direct policy or role assignment is meaningless once that row is
-- gone, however it goes (explicit delete, or cascade from a tenant, role or block). Deleting such
-- blocks cascades to policies on them and re-fires this trigger; each step removes rows, so it ends.
CREATE FUNCTION delete_blocks_targeting_deleted_grant() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM permission_blocks WHERE object_id = OLD.id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER direct_policies_delete_targeting_blocks
    AFTER DELETE ON direct_policies
    FOR EACH ROW EXECUTE FUNCTION delete_blocks_targeting_deleted_grant();

CREATE TRIGGER role_assignments_delete_targeting_blocks
    AFTER DELETE ON role_assignments
    FOR EACH ROW EXECUTE FUNCTION delete_blocks_targeting_deleted_grant();

-- Action assignment rules (guardrails): judged when grants are assigned, never at check time.
-- tenant_id null = global rule. action_name is by name and must exist when the rule is created
-- (service check; no FK so the rule outlives a renamed/deleted action as in the reference).
CREATE TABLE action_assignment_rules (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        REFERENCES tenants (id) ON DELETE CASCADE,
    entity_kind text        NOT NULL
                            CHECK (entity_kind IN ('human', 'device', 'service', 'workload', 'application')),
    action_name text        NOT NULL CHECK (btrim(action_name) <> ''),
    object_kind text        NOT NULL
                            CHECK (object_kind IN ('entity', 'resource', 'group', 'tenant', 'role',
                                                   'policy', 'credential', 'audit_log', 'signing_key')),
    -- null = any type; otherwise `<object_kind>:<non-empty>`.
    object_type text,
    decision    text        NOT NULL CHECK (decision IN ('allow', 'deny', 'require_override')),
    is_absolute boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT action_assignment_rules_object_type_check CHECK (
        object_type IS NULL
        OR (starts_with(object_type, object_kind || ':') AND length(object_type) > length(object_kind) + 1)
    )
);

-- One rule per (tenant-or-global, kind, action, object kind, type-or-any); duplicates are conflicts.
CREATE UNIQUE INDEX action_assignment_rules_key
    ON action_assignment_rules (tenant_id, entity_kind, action_name, object_kind, object_type) NULLS NOT DISTINCT;
CREATE INDEX action_assignment_rules_lookup_idx
    ON action_assignment_rules (entity_kind, action_name, object_kind);

-- Authz revision: a single-row counter bumped in the same transaction as every write that can
-- change a decision; cached grant sets are valid only at the current revision.
CREATE TABLE authz_revision (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    revision   bigint      NOT NULL DEFAULT 0 CHECK (revision >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO authz_revision (singleton, revision) VALUES (true, 0) ON CONFLICT DO NOTHING;

-- Every bump is announced on channel `authz_revision` (payload = new revision). NOTIFY is
-- delivered at commit, so replicas hear of a change only once it is visible.
CREATE FUNCTION notify_authz_revision() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('authz_revision', NEW.revision::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER authz_revision_notify
    AFTER UPDATE OF revision ON authz_revision
    FOR EACH ROW WHEN (NEW.revision IS DISTINCT FROM OLD.revision)
    EXECUTE FUNCTION notify_authz_revision();
