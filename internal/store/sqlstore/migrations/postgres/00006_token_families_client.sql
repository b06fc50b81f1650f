-- +goose Up
-- Deleting an application revokes every token family issued to it: find
-- them by client without a user.
CREATE INDEX token_families_client ON token_families (tenant_id, client_id);

-- +goose Down
DROP INDEX token_families_client;
