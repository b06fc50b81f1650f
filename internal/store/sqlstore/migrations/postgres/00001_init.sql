-- The first schema, the same tables as migrations/sqlite. Conventions:
-- times are BIGINT unix microseconds UTC (0 = no time), ids are TEXT,
-- hashes and seeds are BYTEA, lists are JSON text written and read in Go.
-- Tables whose rows belong to a tenant have tenant_id first in their
-- primary key, so every tenant-scoped lookup and DeleteTenant use it.

-- +goose Up
CREATE TABLE tenants (
    id                  TEXT    NOT NULL PRIMARY KEY,
    display_name        TEXT    NOT NULL,
    initial_domain      TEXT    NOT NULL,
    default_language    TEXT    NOT NULL,
    email_otp           TEXT    NOT NULL,
    passcode_in_subject BOOLEAN NOT NULL,
    created_at          BIGINT  NOT NULL
);

-- A domain names at most one tenant. ordinal is the domain's index in
-- Tenant.Domains, or -1 for an initial domain that is not listed there.
CREATE TABLE domains (
    name      TEXT    NOT NULL PRIMARY KEY,
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    ordinal   INTEGER NOT NULL
);
CREATE INDEX domains_tenant ON domains (tenant_id, ordinal);

CREATE TABLE applications (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    app_id       TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    secret_hash  BYTEA   NOT NULL,
    is_admin     BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, app_id)
);

CREATE TABLE users (
    tenant_id           TEXT   NOT NULL REFERENCES tenants (id),
    id                  TEXT   NOT NULL,
    display_name        TEXT   NOT NULL,
    mail                TEXT   NOT NULL,
    mail_key            TEXT   NOT NULL,
    user_principal_name TEXT   NOT NULL,
    user_type           TEXT   NOT NULL,
    external_user_state TEXT   NOT NULL,
    state_changed_at    BIGINT NOT NULL,
    creation_type       TEXT   NOT NULL,
    identities          TEXT   NOT NULL,
    preferred_language  TEXT   NOT NULL,
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_mail_key ON users (tenant_id, mail_key);

CREATE TABLE invitations (
    tenant_id               TEXT    NOT NULL REFERENCES tenants (id),
    id                      TEXT    NOT NULL,
    user_id                 TEXT    NOT NULL,
    email                   TEXT    NOT NULL,
    display_name            TEXT    NOT NULL,
    redirect_url            TEXT    NOT NULL,
    user_type               TEXT    NOT NULL,
    send_invitation_message BOOLEAN NOT NULL,
    message_info            TEXT    NOT NULL,
    token_hash              BYTEA   NOT NULL,
    status                  TEXT    NOT NULL,
    message_id              TEXT    NOT NULL,
    created_at              BIGINT  NOT NULL,
    redeemed_at             BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_token ON invitations (tenant_id, token_hash);
CREATE INDEX invitations_status ON invitations (tenant_id, status);
CREATE INDEX invitations_user ON invitations (tenant_id, user_id);

CREATE TABLE flows (
    tenant_id     TEXT   NOT NULL REFERENCES tenants (id),
    id            TEXT   NOT NULL,
    user_id       TEXT   NOT NULL,
    invitation_id TEXT   NOT NULL,
    email         TEXT   NOT NULL,
    redirect_url  TEXT   NOT NULL,
    locale        TEXT   NOT NULL,
    step          TEXT   NOT NULL,
    client_ip     TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX flows_expires ON flows (expires_at);

CREATE TABLE passcodes (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    flow_id    TEXT    NOT NULL,
    mail_key   TEXT    NOT NULL,
    seed       BYTEA   NOT NULL,
    code_hash  BYTEA   NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX passcodes_flow ON passcodes (tenant_id, flow_id);
CREATE INDEX passcodes_expires ON passcodes (expires_at);

CREATE TABLE sessions (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    id         TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    amr        TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Throttle events. tenant_id is not a foreign key: a throttle may count
-- requests before (or without) a tenant.
CREATE TABLE events (
    tenant_id TEXT   NOT NULL,
    event_key TEXT   NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX events_key ON events (tenant_id, event_key, at);
CREATE INDEX events_at ON events (at);

-- The mail outbox (SPEC R52). to_addrs and cc_addrs are JSON arrays.
CREATE TABLE outbox (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    to_addrs     TEXT    NOT NULL,
    cc_addrs     TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    text_body    TEXT    NOT NULL,
    html_body    TEXT    NOT NULL,
    sensitive    BOOLEAN NOT NULL,
    message_id   TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    next_attempt BIGINT  NOT NULL,
    lease_until  BIGINT  NOT NULL,
    last_error   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    sent_at      BIGINT  NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt);
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_tenant ON outbox (tenant_id);
CREATE INDEX outbox_done ON outbox (status, sensitive, created_at);

CREATE TABLE signing_keys (
    id          TEXT   NOT NULL PRIMARY KEY,
    algorithm   TEXT   NOT NULL,
    private_jwk BYTEA  NOT NULL,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE outbox;
DROP TABLE events;
DROP TABLE sessions;
DROP TABLE passcodes;
DROP TABLE flows;
DROP TABLE invitations;
DROP TABLE users;
DROP TABLE applications;
DROP TABLE domains;
DROP TABLE tenants;
