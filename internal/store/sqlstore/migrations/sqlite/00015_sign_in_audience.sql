-- +goose Up
-- Graph's application signInAudience: 'AzureADMyOrg' (single tenant, the
-- default) or 'AzureADMultipleOrgs' (may be used through the common
-- endpoint, SPEC R31).
ALTER TABLE applications ADD COLUMN sign_in_audience TEXT NOT NULL DEFAULT 'AzureADMyOrg';

-- +goose Down
ALTER TABLE applications DROP COLUMN sign_in_audience;
