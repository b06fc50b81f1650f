-- +goose Up
-- Directory roles held by a tenant's members (Graph's
-- unifiedRoleAssignment): role_definition_id is a role template id,
-- directory_scope_id "/" for the whole tenant.
CREATE TABLE role_assignments (
    tenant_id          TEXT   NOT NULL REFERENCES tenants (id),
    id                 TEXT   NOT NULL,
    role_definition_id TEXT   NOT NULL,
    principal_id       TEXT   NOT NULL,
    directory_scope_id TEXT   NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX role_assignments_unique
    ON role_assignments (tenant_id, role_definition_id, principal_id, directory_scope_id);
CREATE INDEX role_assignments_principal ON role_assignments (tenant_id, principal_id);

-- +goose Down
DROP TABLE role_assignments;
