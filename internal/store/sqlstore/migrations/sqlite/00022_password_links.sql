-- +goose Up
-- One-time links a member sets their password with (SPEC R43: the first
-- administrator of a tenant). hash is the keyed hash of the token; the
-- token itself is never stored. used_at is 0 while the link is unused.
CREATE TABLE password_links (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    id         TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    hash       BLOB   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX password_links_hash ON password_links (tenant_id, hash);
CREATE INDEX password_links_user ON password_links (tenant_id, user_id);

-- +goose Down
DROP TABLE password_links;
