-- +goose Up
-- Members' authenticator apps (TOTP, RFC 6238) and recovery codes.
-- secret is the shared secret sealed with the server key (bound to the
-- tenant and the user); activated_at is 0 while the enrolment waits for
-- its first code; last_step is the time step of the last accepted code,
-- so that no code is accepted twice.
CREATE TABLE mfa_authenticators (
    tenant_id    TEXT   NOT NULL REFERENCES tenants (id),
    user_id      TEXT   NOT NULL,
    secret       BYTEA  NOT NULL,
    created_at   BIGINT NOT NULL,
    activated_at BIGINT NOT NULL,
    last_step    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
-- One-time recovery codes, only as HMACs with the server key; used_at is
-- 0 until the code is spent.
CREATE TABLE mfa_recovery_codes (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    user_id    TEXT   NOT NULL,
    hash       BYTEA  NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, hash)
);
-- Which directory role holders must use an authenticator app ('' is the
-- default, Global Administrators), one column so it is written on its own.
ALTER TABLE tenants ADD COLUMN admin_mfa TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenants DROP COLUMN admin_mfa;
DROP TABLE mfa_recovery_codes;
DROP TABLE mfa_authenticators;
