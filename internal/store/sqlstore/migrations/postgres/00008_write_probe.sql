-- +goose Up
-- One row that /readyz rewrites: readiness must show that writes work
-- (a full disk still answers reads), without the table growing.
CREATE TABLE write_probe (
    id BIGINT NOT NULL PRIMARY KEY,
    at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE write_probe;
