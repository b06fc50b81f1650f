-- +goose Up
-- Passwords of members and personal accounts (SPEC R10 steps 1, 4 and 6):
-- an Argon2id PHC string, and whether the next sign-in must change it
-- (Graph's forceChangePasswordNextSignIn).
CREATE TABLE passwords (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    user_id     TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    must_change BOOLEAN NOT NULL,
    changed_at  BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
-- What a flow's person proved, and with which method, between the proof
-- and the consent that redeems (R5, R12): the identity is made from it.
-- purpose is what the flow is for: '' a sign-in or redemption, 'signup'
-- a new personal account, 'reset' a new password.
ALTER TABLE flows ADD COLUMN proved_method TEXT NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN proved_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
-- The tenant's redemption order (R10's last paragraph), as Graph's
-- crossTenantAccessPolicy default names it: comma-separated methods, ''
-- for the default order.
ALTER TABLE tenants ADD COLUMN redemption_primary TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN redemption_fallback TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenants DROP COLUMN redemption_fallback;
ALTER TABLE tenants DROP COLUMN redemption_primary;
ALTER TABLE flows DROP COLUMN purpose;
ALTER TABLE flows DROP COLUMN proved_subject;
ALTER TABLE flows DROP COLUMN proved_method;
DROP TABLE passwords;
