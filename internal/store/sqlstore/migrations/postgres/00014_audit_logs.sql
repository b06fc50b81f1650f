-- +goose Up
-- The audit log (SPEC R41, Graph's directoryAudit): one row per change,
-- written in the change's transaction. target_id is the first target (the
-- user, application or policy changed), what the log is filtered by;
-- targets holds all of them as JSON. Kept for the retention, then pruned.
CREATE TABLE audit_records (
    tenant_id      TEXT   NOT NULL REFERENCES tenants (id),
    id             TEXT   NOT NULL,
    at             BIGINT NOT NULL,
    category       TEXT   NOT NULL,
    activity       TEXT   NOT NULL,
    operation_type TEXT   NOT NULL,
    service        TEXT   NOT NULL,
    result         TEXT   NOT NULL,
    result_reason  TEXT   NOT NULL,
    actor_app_id   TEXT   NOT NULL,
    actor_app_name TEXT   NOT NULL,
    actor_sp_id    TEXT   NOT NULL,
    actor_user_id  TEXT   NOT NULL,
    actor_upn      TEXT   NOT NULL,
    target_id      TEXT   NOT NULL,
    targets        TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_records_time ON audit_records (tenant_id, at, id);
CREATE INDEX audit_records_target ON audit_records (tenant_id, target_id, at);
CREATE INDEX audit_records_prune ON audit_records (at);
-- The sign-in log (Graph's signIn): one row per interactive attempt,
-- error_code 0 on success.
CREATE TABLE sign_in_records (
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id),
    id                  TEXT    NOT NULL,
    at                  BIGINT  NOT NULL,
    user_id             TEXT    NOT NULL,
    user_principal_name TEXT    NOT NULL,
    user_display_name   TEXT    NOT NULL,
    user_type           TEXT    NOT NULL,
    app_id              TEXT    NOT NULL,
    app_display_name    TEXT    NOT NULL,
    ip_address          TEXT    NOT NULL,
    method              TEXT    NOT NULL,
    error_code          INTEGER NOT NULL,
    failure_reason      TEXT    NOT NULL,
    cross_tenant_access TEXT    NOT NULL,
    home_tenant_id      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sign_in_records_time ON sign_in_records (tenant_id, at, id);
CREATE INDEX sign_in_records_user ON sign_in_records (tenant_id, user_id, at);
CREATE INDEX sign_in_records_prune ON sign_in_records (at);

-- +goose Down
DROP TABLE sign_in_records;
DROP TABLE audit_records;
