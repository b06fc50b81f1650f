-- +goose Up
-- What an administrator sets on a user (SPEC R41, R43): whether the
-- account may sign in (Graph's accountEnabled, true unless blocked) and
-- the profile properties Graph's user carries.
ALTER TABLE users ADD COLUMN account_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN surname TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN office_location TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mobile_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN business_phones TEXT NOT NULL DEFAULT '[]';
-- A service principal's appRoleAssignmentRequired: false (Entra's default)
-- lets every guest of the tenant use the application (SPEC concepts, R7).
ALTER TABLE applications ADD COLUMN assignment_required BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE applications DROP COLUMN assignment_required;
ALTER TABLE users DROP COLUMN business_phones;
ALTER TABLE users DROP COLUMN mobile_phone;
ALTER TABLE users DROP COLUMN office_location;
ALTER TABLE users DROP COLUMN job_title;
ALTER TABLE users DROP COLUMN surname;
ALTER TABLE users DROP COLUMN given_name;
ALTER TABLE users DROP COLUMN account_enabled;
