-- +goose Up
-- The method a guest redeemed with (SPEC R10), locked in until a reset
-- (R11, R13), is kept on the user so that every rule reads it from one
-- place. Until now the email one-time passcode was the only method and was
-- told by the identity's issuer "mail" (R12). The identities are JSON
-- written by the server itself, in one fixed spelling, so this one-time
-- fill may match that text; nothing else in SQL looks inside it.
ALTER TABLE users ADD COLUMN method TEXT NOT NULL DEFAULT '';
UPDATE users SET method = 'otp'
    WHERE external_user_state = 'Accepted' AND identities LIKE '%"issuer":"mail"%';

-- +goose Down
ALTER TABLE users DROP COLUMN method;
