-- +goose Up
-- The admin console's sessions (R43): id is a keyed hash of the cookie's
-- token. expires_at is the absolute end; seen_at drives the idle one;
-- pending: the session still waits for the second factor.
CREATE TABLE admin_sessions (
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
    id            TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    seen_at       BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    pending       BOOLEAN NOT NULL,
    client_ip     TEXT    NOT NULL DEFAULT '',
    user_agent    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX admin_sessions_user ON admin_sessions (tenant_id, user_id);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- +goose Down
DROP TABLE admin_sessions;
