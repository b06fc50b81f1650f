-- +goose Up
-- A sign-in started by typing an address towards an application keeps the
-- application, so that a guest who may not use it learns so only after
-- proving the address (SPEC R7, R25). Such a flow may have no user
-- (user_id ''): the address was not invited, and nobody but its owner may
-- learn that.
ALTER TABLE flows ADD COLUMN app_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE flows DROP COLUMN app_id;
