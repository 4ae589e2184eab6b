"""Capacity rules enforced by PostgreSQL itself, whatever code path writes.

The service layer (inventory/services/capacity.py) checks the same rules first,
under the same row locks, so users get a message in human units; these triggers
are the last line: bulk writes, formsets saving several rows at once or a
future API cannot push a pool past capacity × maximum oversubscription, nor an
array's pools past its usable capacity. Each trigger locks the parent row
(pool or array) before summing, so concurrent writers queue instead of both
seeing the old total. A change that does not grow the total (a shrink, a
status change away from active) always passes, so an over-full pool can still
be repaired.
"""

from django.db import migrations

ALLOCATION_TRIGGER = r"""
CREATE OR REPLACE FUNCTION inventory_allocation_fits_pool() RETURNS trigger AS $$
DECLARE
    pool_capacity bigint;
    pool_ratio numeric;
    allowed numeric;
    others numeric;
BEGIN
    IF NEW.status <> 'active' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'active' AND OLD.pool_id = NEW.pool_id
       AND NEW.quota_bytes <= OLD.quota_bytes THEN
        RETURN NEW;
    END IF;
    SELECT capacity_bytes, max_oversubscription INTO pool_capacity, pool_ratio
      FROM inventory_storagepool WHERE id = NEW.pool_id FOR UPDATE;
    allowed := floor(pool_capacity * pool_ratio);
    SELECT coalesce(sum(quota_bytes), 0) INTO others
      FROM inventory_allocation
     WHERE pool_id = NEW.pool_id AND status = 'active' AND id <> NEW.id;
    IF others + NEW.quota_bytes > allowed THEN
        RAISE EXCEPTION 'pool % would be over-allocated: % bytes allocated + % requested > % allowed',
            NEW.pool_id, others, NEW.quota_bytes, allowed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_fits_pool';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER allocation_fits_pool
    BEFORE INSERT OR UPDATE OF status, quota_bytes, pool_id ON inventory_allocation
    FOR EACH ROW EXECUTE FUNCTION inventory_allocation_fits_pool();
"""

POOL_TRIGGER = r"""
CREATE OR REPLACE FUNCTION inventory_pool_fits_array() RETURNS trigger AS $$
DECLARE
    array_usable bigint;
    others numeric;
    active_allocated numeric;
BEGIN
    IF TG_OP = 'INSERT' OR OLD.array_id <> NEW.array_id OR NEW.capacity_bytes > OLD.capacity_bytes THEN
        SELECT usable_bytes INTO array_usable FROM inventory_storagearray WHERE id = NEW.array_id FOR UPDATE;
        SELECT coalesce(sum(capacity_bytes), 0) INTO others
          FROM inventory_storagepool WHERE array_id = NEW.array_id AND id <> NEW.id;
        IF others + NEW.capacity_bytes > array_usable THEN
            RAISE EXCEPTION 'array % would be over-committed: % bytes in other pools + % > % usable',
                NEW.array_id, others, NEW.capacity_bytes, array_usable
                USING ERRCODE = 'check_violation', CONSTRAINT = 'pool_fits_array';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.capacity_bytes < OLD.capacity_bytes
                             OR NEW.max_oversubscription < OLD.max_oversubscription) THEN
        -- The row being updated is already locked, so allocations on it are serialised with us.
        SELECT coalesce(sum(quota_bytes), 0) INTO active_allocated
          FROM inventory_allocation WHERE pool_id = NEW.id AND status = 'active';
        IF active_allocated > floor(NEW.capacity_bytes * NEW.max_oversubscription) THEN
            RAISE EXCEPTION 'pool % would hold less than its active allocations: % bytes allocated > % allowed',
                NEW.id, active_allocated, floor(NEW.capacity_bytes * NEW.max_oversubscription)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'pool_holds_allocations';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER pool_fits_array
    BEFORE INSERT OR UPDATE OF capacity_bytes, max_oversubscription, array_id ON inventory_storagepool
    FOR EACH ROW EXECUTE FUNCTION inventory_pool_fits_array();
"""

ARRAY_TRIGGER = r"""
CREATE OR REPLACE FUNCTION inventory_array_holds_pools() RETURNS trigger AS $$
DECLARE
    pooled numeric;
BEGIN
    IF NEW.usable_bytes >= OLD.usable_bytes THEN
        RETURN NEW;
    END IF;
    SELECT coalesce(sum(capacity_bytes), 0) INTO pooled FROM inventory_storagepool WHERE array_id = NEW.id;
    IF pooled > NEW.usable_bytes THEN
        RAISE EXCEPTION 'array % would hold less than its pools: % bytes in pools > % usable',
            NEW.id, pooled, NEW.usable_bytes
            USING ERRCODE = 'check_violation', CONSTRAINT = 'array_holds_pools';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER array_holds_pools
    BEFORE UPDATE OF usable_bytes ON inventory_storagearray
    FOR EACH ROW EXECUTE FUNCTION inventory_array_holds_pools();
"""

DROP = """
DROP TRIGGER IF EXISTS allocation_fits_pool ON inventory_allocation;
DROP FUNCTION IF EXISTS inventory_allocation_fits_pool();
DROP TRIGGER IF EXISTS pool_fits_array ON inventory_storagepool;
DROP FUNCTION IF EXISTS inventory_pool_fits_array();
DROP TRIGGER IF EXISTS array_holds_pools ON inventory_storagearray;
DROP FUNCTION IF EXISTS inventory_array_holds_pools();
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_roles")]

    operations = [
        migrations.RunSQL(ALLOCATION_TRIGGER + POOL_TRIGGER + ARRAY_TRIGGER, DROP),
    ]
