-- +goose Up
-- The invitation lifecycle (SPEC R8). expires_at: when the redeem link
-- stops working, 0 for never (Entra's default); revoked_at: when an
-- administrator withdrew the invitation (its status is then 'Revoked');
-- resent_count and last_resent_at: the mails sent again with the same link.
ALTER TABLE invitations ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN resent_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN last_resent_at BIGINT NOT NULL DEFAULT 0;
-- The tenant's default validity of a new invitation in days, 0 for none.
ALTER TABLE tenants ADD COLUMN invitation_expiry_days INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tenants DROP COLUMN invitation_expiry_days;
ALTER TABLE invitations DROP COLUMN last_resent_at;
ALTER TABLE invitations DROP COLUMN resent_count;
ALTER TABLE invitations DROP COLUMN revoked_at;
ALTER TABLE invitations DROP COLUMN expires_at;
