-- +goose Up
-- The tenant's policies beyond allowExternalIdToUseEmailOtp, one column
-- each so that each is written on its own (SPEC R9, R20, R28):
-- the email method's Graph state (TRUE: "disabled", off for everyone),
-- the guest domain list ('' none, 'allowed' or 'blocked', and its
-- comma-separated entries) and authorizationPolicy's allowInvitesFrom
-- ('' is Graph's default, everyone).
ALTER TABLE tenants ADD COLUMN email_method_off BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenants ADD COLUMN guest_domains_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN guest_domains TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN invites_from TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenants DROP COLUMN invites_from;
ALTER TABLE tenants DROP COLUMN guest_domains;
ALTER TABLE tenants DROP COLUMN guest_domains_kind;
ALTER TABLE tenants DROP COLUMN email_method_off;
