-- +goose Up
-- An authorization request can be completed only in the browser that
-- started it (SPEC R32): the keyed hash of that browser's binding value.
-- NULL for requests made before this column: they cannot be completed.
ALTER TABLE auth_requests ADD COLUMN browser_hash BYTEA;

-- +goose Down
ALTER TABLE auth_requests DROP COLUMN browser_hash;
