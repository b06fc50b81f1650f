-- +goose Up
-- Company branding (issue item 7), one row per tenant that has any. Each
-- column is written on its own. The logo is small (at most 100 KiB) and
-- checked before it is stored: PNG or JPEG only.
CREATE TABLE branding (
    tenant_id         TEXT   NOT NULL PRIMARY KEY REFERENCES tenants (id),
    logo              BYTEA,
    logo_type         TEXT   NOT NULL DEFAULT '',
    logo_etag         TEXT   NOT NULL DEFAULT '',
    logo_updated_at   BIGINT NOT NULL DEFAULT 0,
    accent_color      TEXT   NOT NULL DEFAULT '',
    signin_text       TEXT   NOT NULL DEFAULT '',
    privacy_url       TEXT   NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE branding;
