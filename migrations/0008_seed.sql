-- Seed data (authz.md §1 and §1.12, identity-certs.md §1.3 and §1.8). Every row has a fixed id and
-- is inserted with ON CONFLICT DO NOTHING, so re-running the file changes nothing.
-- Well-known ids 00000000-0000-0000-0000-00000000000N are the reference's; the other series are ours:
--   …-0001-… actions, …-0002-… action applicability, …-0003-… profiles,
--   …-0004-… profile versions, …-0005-… guardrail rules.

-- The 13 actions.
INSERT INTO actions (id, name, description) VALUES
    ('00000000-0000-0000-0001-000000000001', 'read',          'Read / view an object'),
    ('00000000-0000-0000-0001-000000000002', 'create',        'Create an object'),
    ('00000000-0000-0000-0001-000000000003', 'write',         'Create or update an object'),
    ('00000000-0000-0000-0001-000000000004', 'delete',        'Delete an object'),
    ('00000000-0000-0000-0001-000000000005', 'revoke',        'Revoke an object or credential'),
    ('00000000-0000-0000-0001-000000000006', 'rotate',        'Rotate a key or secret material'),
    ('00000000-0000-0000-0001-000000000007', 'publish',       'Publish messages to a channel'),
    ('00000000-0000-0000-0001-000000000008', 'subscribe',     'Subscribe to channel messages'),
    ('00000000-0000-0000-0001-000000000009', 'execute',       'Execute a command or rule'),
    ('00000000-0000-0000-0001-000000000010', 'manage',        'Full administrative control'),
    ('00000000-0000-0000-0001-000000000011', 'policy.manage', 'Manage permission blocks, assignments and policies'),
    ('00000000-0000-0000-0001-000000000012', 'role.manage',   'Manage roles'),
    ('00000000-0000-0000-0001-000000000013', 'authz.check',   'Evaluate authorization checks for other subjects')
ON CONFLICT DO NOTHING;

-- Applicability matrix (authz.md §1). authz.check has none: it is only used by admin gates.
INSERT INTO action_applicability (id, action_id, object_kind, object_type)
SELECT ('00000000-0000-0000-0002-' || lpad(m.n::text, 12, '0'))::uuid, a.id, m.object_kind, m.object_type
FROM (VALUES
    -- read / write / delete → each entity kind, resources, groups
    ( 1, 'read',   'entity',   'entity:human'),
    ( 2, 'read',   'entity',   'entity:device'),
    ( 3, 'read',   'entity',   'entity:service'),
    ( 4, 'read',   'entity',   'entity:workload'),
    ( 5, 'read',   'entity',   'entity:application'),
    ( 6, 'read',   'resource', NULL),
    ( 7, 'read',   'group',    NULL),
    ( 8, 'write',  'entity',   'entity:human'),
    ( 9, 'write',  'entity',   'entity:device'),
    (10, 'write',  'entity',   'entity:service'),
    (11, 'write',  'entity',   'entity:workload'),
    (12, 'write',  'entity',   'entity:application'),
    (13, 'write',  'resource', NULL),
    (14, 'write',  'group',    NULL),
    (15, 'delete', 'entity',   'entity:human'),
    (16, 'delete', 'entity',   'entity:device'),
    (17, 'delete', 'entity',   'entity:service'),
    (18, 'delete', 'entity',   'entity:workload'),
    (19, 'delete', 'entity',   'entity:application'),
    (20, 'delete', 'resource', NULL),
    (21, 'delete', 'group',    NULL),
    -- manage / role.manage / policy.manage → tenant, entity, resource, group
    (22, 'manage',        'tenant',   NULL),
    (23, 'manage',        'entity',   NULL),
    (24, 'manage',        'resource', NULL),
    (25, 'manage',        'group',    NULL),
    (26, 'role.manage',   'tenant',   NULL),
    (27, 'role.manage',   'entity',   NULL),
    (28, 'role.manage',   'resource', NULL),
    (29, 'role.manage',   'group',    NULL),
    (30, 'policy.manage', 'tenant',   NULL),
    (31, 'policy.manage', 'entity',   NULL),
    (32, 'policy.manage', 'resource', NULL),
    (33, 'policy.manage', 'group',    NULL),
    -- … plus role.manage → role and policy.manage → policy
    (34, 'role.manage',   'role',     NULL),
    (35, 'policy.manage', 'policy',   NULL),
    -- credentials
    (36, 'read',   'credential', NULL),
    (37, 'manage', 'credential', NULL),
    (38, 'rotate', 'credential', NULL),
    (39, 'revoke', 'credential', NULL),
    -- audit log, tenant (manage → tenant is row 22), signing keys
    (40, 'read',   'audit_log',   NULL),
    (41, 'read',   'tenant',      NULL),
    (42, 'create', 'tenant',      NULL),
    (43, 'rotate', 'signing_key', NULL),
    -- channel and rule verbs
    (44, 'publish',   'resource', 'resource:channel'),
    (45, 'subscribe', 'resource', 'resource:channel'),
    (46, 'execute',   'resource', 'resource:rule')
) AS m (n, action_name, object_kind, object_type)
JOIN actions a ON a.name = m.action_name
ON CONFLICT DO NOTHING;

-- Global entity profiles, each with an active v1 and empty schemas (identity-certs.md §1.3).
INSERT INTO profiles (id, tenant_id, object_kind, kind, key, display_name) VALUES
    ('00000000-0000-0000-0003-000000000001', NULL, 'entity', 'device',      'client',          'Client'),
    ('00000000-0000-0000-0003-000000000002', NULL, 'entity', 'device',      'gateway',         'Gateway'),
    ('00000000-0000-0000-0003-000000000003', NULL, 'entity', 'device',      'water_meter',     'Water Meter'),
    ('00000000-0000-0000-0003-000000000004', NULL, 'entity', 'human',       'user',            'User'),
    ('00000000-0000-0000-0003-000000000005', NULL, 'entity', 'service',     'service_account', 'Service Account'),
    ('00000000-0000-0000-0003-000000000006', NULL, 'entity', 'workload',    'workload',        'Workload'),
    ('00000000-0000-0000-0003-000000000007', NULL, 'entity', 'application', 'application',     'Application')
ON CONFLICT DO NOTHING;

INSERT INTO profile_versions (id, profile_id, version, json_schema, ui_schema, status) VALUES
    ('00000000-0000-0000-0004-000000000001', '00000000-0000-0000-0003-000000000001', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000002', '00000000-0000-0000-0003-000000000002', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000003', '00000000-0000-0000-0003-000000000003', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000004', '00000000-0000-0000-0003-000000000004', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000005', '00000000-0000-0000-0003-000000000005', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000006', '00000000-0000-0000-0003-000000000006', 1, '{}', '{}', 'active'),
    ('00000000-0000-0000-0004-000000000007', '00000000-0000-0000-0003-000000000007', 1, '{}', '{}', 'active')
ON CONFLICT DO NOTHING;

-- …0001 admin (global human) and …0003 example-service (global service). Passwords come from
-- ADMIN_SECRET / ATOM_SERVICE_SECRET at startup, never from a migration.
INSERT INTO entities (id, kind, name, tenant_id, status, attributes) VALUES
    ('00000000-0000-0000-0000-000000000001', 'human',   'admin',           NULL, 'active',
     '{"role": "admin", "system": true}'),
    ('00000000-0000-0000-0000-000000000003', 'service', 'example-service', NULL, 'active',
     '{"system": true, "purpose": "example-service-integration"}')
ON CONFLICT DO NOTHING;

-- Platform roles …0002 atom-admin, …0004 example-service, …0006 domain-creator.
INSERT INTO roles (id, name, tenant_id, description) VALUES
    ('00000000-0000-0000-0000-000000000002', 'atom-admin',      NULL, 'Full administrative access'),
    ('00000000-0000-0000-0000-000000000004', 'example-service', NULL, 'Example service integration role'),
    ('00000000-0000-0000-0000-000000000006', 'domain-creator',  NULL, 'Lets authenticated users create their own tenants')
ON CONFLICT DO NOTHING;

-- Their platform-scope allow blocks …0007, …0008, …0009.
INSERT INTO permission_blocks (id, tenant_id, scope_mode, effect, conditions) VALUES
    ('00000000-0000-0000-0000-000000000007', NULL, 'platform', 'allow', '{}'),
    ('00000000-0000-0000-0000-000000000008', NULL, 'platform', 'allow', '{}'),
    ('00000000-0000-0000-0000-000000000009', NULL, 'platform', 'allow', '{}')
ON CONFLICT DO NOTHING;

-- …0007: all 13 seeded actions (actions added later are NOT covered, as in the reference).
-- …0008: the example-service set. …0009: create (tenants).
INSERT INTO permission_block_actions (permission_block_id, action_id)
SELECT b.block_id::uuid, a.id
FROM (VALUES
    ('00000000-0000-0000-0000-000000000007', 'read'),
    ('00000000-0000-0000-0000-000000000007', 'create'),
    ('00000000-0000-0000-0000-000000000007', 'write'),
    ('00000000-0000-0000-0000-000000000007', 'delete'),
    ('00000000-0000-0000-0000-000000000007', 'revoke'),
    ('00000000-0000-0000-0000-000000000007', 'rotate'),
    ('00000000-0000-0000-0000-000000000007', 'publish'),
    ('00000000-0000-0000-0000-000000000007', 'subscribe'),
    ('00000000-0000-0000-0000-000000000007', 'execute'),
    ('00000000-0000-0000-0000-000000000007', 'manage'),
    ('00000000-0000-0000-0000-000000000007', 'policy.manage'),
    ('00000000-0000-0000-0000-000000000007', 'role.manage'),
    ('00000000-0000-0000-0000-000000000007', 'authz.check'),
    ('00000000-0000-0000-0000-000000000008', 'manage'),
    ('00000000-0000-0000-0000-000000000008', 'read'),
    ('00000000-0000-0000-0000-000000000008', 'write'),
    ('00000000-0000-0000-0000-000000000008', 'delete'),
    ('00000000-0000-0000-0000-000000000008', 'publish'),
    ('00000000-0000-0000-0000-000000000008', 'subscribe'),
    ('00000000-0000-0000-0000-000000000008', 'execute'),
    ('00000000-0000-0000-0000-000000000008', 'policy.manage'),
    ('00000000-0000-0000-0000-000000000008', 'role.manage'),
    ('00000000-0000-0000-0000-000000000008', 'authz.check'),
    ('00000000-0000-0000-0000-000000000009', 'create')
) AS b (block_id, action_name)
JOIN actions a ON a.name = b.action_name
ON CONFLICT DO NOTHING;

INSERT INTO role_permission_blocks (role_id, permission_block_id) VALUES
    ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000007'),
    ('00000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000008'),
    ('00000000-0000-0000-0000-000000000006', '00000000-0000-0000-0000-000000000009')
ON CONFLICT DO NOTHING;

-- …0005 authenticated-users: every human created through createEntity/signup joins it (service);
-- the admin is seeded as a member.
INSERT INTO principal_groups (id, name, tenant_id, description, status, attributes) VALUES
    ('00000000-0000-0000-0000-000000000005', 'authenticated-users', NULL, 'All authenticated human users',
     'active', '{"system": true, "purpose": "default-self-service-domain-creation"}')
ON CONFLICT DO NOTHING;

INSERT INTO principal_group_members (group_id, entity_id) VALUES
    ('00000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000001')
ON CONFLICT DO NOTHING;

-- Unbounded (tenant null) assignments: admin ← atom-admin (…0001, the reference's id),
-- example-service ← example-service, authenticated-users ← domain-creator.
INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id) VALUES
    ('00000000-0000-0000-0000-000000000001', NULL, 'entity', '00000000-0000-0000-0000-000000000001',
     '00000000-0000-0000-0000-000000000002'),
    ('00000000-0000-0000-0000-00000000000a', NULL, 'entity', '00000000-0000-0000-0000-000000000003',
     '00000000-0000-0000-0000-000000000004'),
    ('00000000-0000-0000-0000-00000000000b', NULL, 'group',  '00000000-0000-0000-0000-000000000005',
     '00000000-0000-0000-0000-000000000006')
ON CONFLICT DO NOTHING;

-- Default global guardrails (authz.md §1 "Seeded global rules"): devices can never receive
-- manage/delete/write on resources; explicit allows for humans and services.
INSERT INTO action_assignment_rules
    (id, tenant_id, entity_kind, action_name, object_kind, object_type, decision, is_absolute)
VALUES
    ('00000000-0000-0000-0005-000000000001', NULL, 'device',  'manage',        'resource',   NULL, 'deny',  true),
    ('00000000-0000-0000-0005-000000000002', NULL, 'device',  'delete',        'resource',   NULL, 'deny',  true),
    ('00000000-0000-0000-0005-000000000003', NULL, 'device',  'write',         'resource',   NULL, 'deny',  true),
    ('00000000-0000-0000-0005-000000000004', NULL, 'human',   'manage',        'resource',   NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000005', NULL, 'human',   'manage',        'entity',     NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000006', NULL, 'human',   'manage',        'group',      NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000007', NULL, 'human',   'manage',        'credential', NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000008', NULL, 'human',   'read',          'audit_log',  NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000009', NULL, 'human',   'policy.manage', 'policy',     NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000010', NULL, 'human',   'role.manage',   'role',       NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000011', NULL, 'service', 'manage',        'resource',   NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000012', NULL, 'service', 'manage',        'credential', NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000013', NULL, 'service', 'policy.manage', 'policy',     NULL, 'allow', false),
    ('00000000-0000-0000-0005-000000000014', NULL, 'service', 'role.manage',   'role',       NULL, 'allow', false)
ON CONFLICT DO NOTHING;
