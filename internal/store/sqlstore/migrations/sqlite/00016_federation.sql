-- +goose Up
-- A tenant's identity providers (SPEC R10 steps 2 and 3, R41): SAML 2.0
-- and OpenID Connect partners for their domains, and Google. config is
-- the protocol's settings as JSON (marshalled in Go, never queried);
-- client_secret is the OpenID client secret sealed with the server key;
-- metadata is the last good copy of the partner's metadata document,
-- kept when a refresh fails.
CREATE TABLE identity_providers (
    tenant_id           TEXT   NOT NULL REFERENCES tenants (id),
    id                  TEXT   NOT NULL,
    kind                TEXT   NOT NULL,
    display_name        TEXT   NOT NULL,
    config              TEXT   NOT NULL,
    client_secret       BLOB   NOT NULL,
    metadata            BLOB   NOT NULL,
    metadata_fetched_at BIGINT NOT NULL,
    metadata_checked_at BIGINT NOT NULL,
    metadata_error      TEXT   NOT NULL,
    refresh             BOOLEAN NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- At most one Google federation per tenant.
CREATE UNIQUE INDEX identity_providers_google ON identity_providers (tenant_id) WHERE kind = 'google';
CREATE INDEX identity_providers_refresh ON identity_providers (metadata_checked_at) WHERE refresh;
-- The domains each provider serves: one provider per domain in a tenant.
CREATE TABLE identity_provider_domains (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    domain      TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, domain)
);
CREATE INDEX identity_provider_domains_provider ON identity_provider_domains (tenant_id, provider_id);
-- Sign-ins sent to a provider: id is the HMAC of the state or RelayState;
-- request_id the SAML request ID or OpenID nonce; verifier the PKCE
-- verifier. result_* are filled in once the provider answered
-- (answered); each request is deleted when its answer is used.
CREATE TABLE federation_requests (
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id),
    id                  TEXT    NOT NULL,
    flow_id             TEXT    NOT NULL,
    provider_id         TEXT    NOT NULL,
    request_id          TEXT    NOT NULL,
    verifier            TEXT    NOT NULL,
    answered            BOOLEAN NOT NULL DEFAULT FALSE,
    result_issuer       TEXT    NOT NULL DEFAULT '',
    result_subject      TEXT    NOT NULL DEFAULT '',
    result_email        TEXT    NOT NULL DEFAULT '',
    result_display_name TEXT    NOT NULL DEFAULT '',
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX federation_requests_flow ON federation_requests (tenant_id, flow_id);
CREATE INDEX federation_requests_expiry ON federation_requests (expires_at);
-- SAML assertion IDs already accepted, until the assertion expires: a
-- replayed assertion is refused on every process.
CREATE TABLE saml_assertions (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    id         TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions (expires_at);
-- The deployment's SAML service provider key and certificate (PEM).
CREATE TABLE sp_keys (
    id         TEXT   NOT NULL PRIMARY KEY,
    key_pem    TEXT   NOT NULL,
    cert_pem   TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
-- The issuer of a federation provider's proof, for the guest's identity
-- (R12).
ALTER TABLE flows ADD COLUMN proved_issuer TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE flows DROP COLUMN proved_issuer;
DROP TABLE sp_keys;
DROP TABLE saml_assertions;
DROP TABLE federation_requests;
DROP TABLE identity_provider_domains;
DROP TABLE identity_providers;
