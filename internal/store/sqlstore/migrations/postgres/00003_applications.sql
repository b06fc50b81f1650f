-- Applications as Graph shows them (SPEC R32, R41): object and service
-- principal ids, redirect URIs by client kind (JSON arrays written in Go)
-- and a home page; client secrets and user assignments in their own
-- tables; each user's last sign-in.
--
-- Rows that exist already are admin applications, one per tenant. They get
-- ids derived from their app_id (SQL has no UUID function on SQLite): the
-- last 12 hex digits of the app_id behind a fixed prefix, 8000 for the
-- object and 9000 for the service principal. One application per tenant
-- makes them unique per tenant; applications made from now on get random
-- UUIDs. Each admin application's secret_hash is copied into app_secrets
-- (key id = app id, no hint: the secret is not known), never expiring as
-- before; secret_hash is no longer read.

-- +goose Up
ALTER TABLE applications ADD COLUMN object_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN service_principal_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN web_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN spa_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN public_client_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN home_page_url TEXT NOT NULL DEFAULT '';

UPDATE applications SET
    object_id = '00000000-0000-4000-8000-' || substr(app_id, 25),
    service_principal_id = '00000000-0000-4000-9000-' || substr(app_id, 25);

CREATE UNIQUE INDEX applications_object ON applications (tenant_id, object_id);
CREATE UNIQUE INDEX applications_service_principal ON applications (tenant_id, service_principal_id);

-- A secret, and an assignment, go with its application, user and tenant.
CREATE TABLE app_secrets (
    tenant_id    TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    app_id       TEXT   NOT NULL,
    key_id       TEXT   NOT NULL,
    display_name TEXT   NOT NULL,
    hint         TEXT   NOT NULL,
    hash         BYTEA  NOT NULL,
    start_at     BIGINT NOT NULL,
    end_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, app_id, key_id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, app_id) ON DELETE CASCADE
);

INSERT INTO app_secrets (tenant_id, app_id, key_id, display_name, hint, hash, start_at, end_at)
    SELECT tenant_id, app_id, app_id, 'Initial secret', '', secret_hash, created_at, 0
    FROM applications WHERE is_admin AND length(secret_hash) > 0;

CREATE TABLE assignments (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    app_id     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, app_id) REFERENCES applications (tenant_id, app_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX assignments_user_app ON assignments (tenant_id, user_id, app_id);
CREATE INDEX assignments_app ON assignments (tenant_id, app_id);

ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN last_sign_in_at;
DROP TABLE assignments;
DROP TABLE app_secrets;
DROP INDEX applications_service_principal;
DROP INDEX applications_object;
ALTER TABLE applications DROP COLUMN home_page_url;
ALTER TABLE applications DROP COLUMN public_client_redirect_uris;
ALTER TABLE applications DROP COLUMN spa_redirect_uris;
ALTER TABLE applications DROP COLUMN web_redirect_uris;
ALTER TABLE applications DROP COLUMN service_principal_id;
ALTER TABLE applications DROP COLUMN object_id;
