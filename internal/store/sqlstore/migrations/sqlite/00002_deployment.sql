-- +goose Up
-- Deployment-wide facts, one row each (e.g. the server key's check value).
CREATE TABLE deployment (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE deployment;
