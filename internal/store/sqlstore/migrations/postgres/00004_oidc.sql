-- +goose Up
-- The OpenID provider (SPEC R32): authorization requests, token families
-- and refresh tokens. Lists are JSON text; times are UTC microseconds.
CREATE TABLE auth_requests (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    TEXT    NOT NULL,
    client_id             TEXT    NOT NULL,
    redirect_uri          TEXT    NOT NULL,
    state                 TEXT    NOT NULL,
    nonce                 TEXT    NOT NULL,
    response_type         TEXT    NOT NULL,
    response_mode         TEXT    NOT NULL,
    scopes                TEXT    NOT NULL,
    code_challenge        TEXT    NOT NULL,
    code_challenge_method TEXT    NOT NULL,
    prompt                TEXT    NOT NULL,
    max_age               BIGINT  NOT NULL,
    login_hint            TEXT    NOT NULL,
    ui_locales            TEXT    NOT NULL,
    user_id               TEXT    NOT NULL,
    auth_time             BIGINT  NOT NULL,
    amr                   TEXT    NOT NULL,
    done                  BOOLEAN NOT NULL,
    code_hash             BYTEA,
    family_id             TEXT    NOT NULL,
    exchanged             BOOLEAN NOT NULL,
    created_at            BIGINT  NOT NULL,
    expires_at            BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX auth_requests_code ON auth_requests (tenant_id, code_hash);
CREATE INDEX auth_requests_expiry ON auth_requests (expires_at);

CREATE TABLE token_families (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    client_id  TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    scopes     TEXT   NOT NULL,
    amr        TEXT   NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX token_families_user ON token_families (tenant_id, user_id, client_id);

CREATE TABLE refresh_tokens (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    family_id  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

ALTER TABLE flows ADD COLUMN auth_request_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE flows DROP COLUMN auth_request_id;
DROP TABLE refresh_tokens;
DROP TABLE token_families;
DROP TABLE auth_requests;
