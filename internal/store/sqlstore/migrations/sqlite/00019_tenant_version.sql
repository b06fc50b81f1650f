-- +goose Up
-- A tenant's version changes with every change to what a tenant lookup
-- returns (its row, its domains, whether it has identity providers), so
-- a process may keep a tenant it has read and check one small column
-- instead of reading it again on every request. Triggers keep it, so no
-- write path can forget to.
ALTER TABLE tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE TRIGGER tenants_version AFTER UPDATE ON tenants
    FOR EACH ROW WHEN NEW.version = OLD.version
BEGIN
    UPDATE tenants SET version = OLD.version + 1 WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER domains_version_insert AFTER INSERT ON domains
BEGIN
    UPDATE tenants SET version = version + 1 WHERE id = NEW.tenant_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER domains_version_update AFTER UPDATE ON domains
BEGIN
    UPDATE tenants SET version = version + 1 WHERE id IN (OLD.tenant_id, NEW.tenant_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER domains_version_delete AFTER DELETE ON domains
BEGIN
    UPDATE tenants SET version = version + 1 WHERE id = OLD.tenant_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER identity_providers_version_insert AFTER INSERT ON identity_providers
BEGIN
    UPDATE tenants SET version = version + 1 WHERE id = NEW.tenant_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER identity_providers_version_delete AFTER DELETE ON identity_providers
BEGIN
    UPDATE tenants SET version = version + 1 WHERE id = OLD.tenant_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER identity_providers_version_delete;
DROP TRIGGER identity_providers_version_insert;
DROP TRIGGER domains_version_delete;
DROP TRIGGER domains_version_update;
DROP TRIGGER domains_version_insert;
DROP TRIGGER tenants_version;
ALTER TABLE tenants DROP COLUMN version;
