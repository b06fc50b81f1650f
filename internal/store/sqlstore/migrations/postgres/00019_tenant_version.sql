-- +goose Up
-- A tenant's version changes with every change to what a tenant lookup
-- returns (its row, its domains, whether it has identity providers), so
-- a process may keep a tenant it has read and check one small column
-- instead of reading it again on every request. Triggers keep it, so no
-- write path can forget to.
ALTER TABLE tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION tenant_row_changed() RETURNS trigger AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION tenant_part_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE tenants SET version = version + 1 WHERE id = OLD.tenant_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE tenants SET version = version + 1 WHERE id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER tenants_version BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_row_changed();
CREATE TRIGGER domains_version AFTER INSERT OR UPDATE OR DELETE ON domains
    FOR EACH ROW EXECUTE FUNCTION tenant_part_changed();
CREATE TRIGGER identity_providers_version AFTER INSERT OR DELETE ON identity_providers
    FOR EACH ROW EXECUTE FUNCTION tenant_part_changed();

-- +goose Down
DROP TRIGGER identity_providers_version ON identity_providers;
DROP TRIGGER domains_version ON domains;
DROP TRIGGER tenants_version ON tenants;
DROP FUNCTION tenant_part_changed();
DROP FUNCTION tenant_row_changed();
ALTER TABLE tenants DROP COLUMN version;
