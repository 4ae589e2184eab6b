"""The showback page's team rollup, and the triggers that mark a team stale when its figures may change.

TeamMonthlyShowback depends on the allocations' terms as well as their usage. Rather than rely on every
writer (services, admin, imports, bulk loads, cascading deletes) to remember it, the database marks the
teams whose rows may be out of date, in the writing transaction: inventory_showbackstaleteam. The report
works a stale team's figures out from its allocations; the worker refreshes its rows and clears the mark.

Transition tables need one trigger per event (PostgreSQL allows them on single-event triggers only); an
allocation's update is a row trigger that fires only when a term the report reads changed, so that the
usage-state service's updates of the latest usage (every import) cost nothing here.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

import inventory.fields

# Plain inserts (no unique key, no ON CONFLICT): a writer never waits for another one's marks.
_STALE = "INSERT INTO inventory_showbackstaleteam (team_id, since) {marks}"

TRIGGERS = f"""
-- Allocations inserted or deleted (statement level; "changed" is the transition table): from the month of
-- their start date (usage they reported before it is in their monthly usage, whose deletion marks its own
-- months). Requested and denied allocations never count, so they change nothing.
CREATE FUNCTION inventory_showback_stale_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _STALE.format(
        marks="SELECT p.team_id, date_trunc('month', min(c.start_date))::date FROM changed c "
        "JOIN inventory_researchproject p ON p.id = c.project_id "
        "WHERE c.status IN ('active', 'expired', 'revoked') GROUP BY p.team_id"
    )
};
    RETURN NULL;
END $$;
CREATE TRIGGER showback_stale_allocations_inserted AFTER INSERT ON inventory_allocation
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION inventory_showback_stale_allocations();
CREATE TRIGGER showback_stale_allocations_deleted AFTER DELETE ON inventory_allocation
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION inventory_showback_stale_allocations();

-- An allocation whose terms changed: its team before and after (a project may move the allocation), every
-- month (its usage before its start date moves with it too).
CREATE FUNCTION inventory_showback_stale_allocation_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _STALE.format(
        marks="SELECT p.team_id, NULL::date FROM inventory_researchproject p "
        "WHERE p.id IN (OLD.project_id, NEW.project_id)"
    )
};
    RETURN NULL;
END $$;
CREATE TRIGGER showback_stale_allocation_terms AFTER UPDATE ON inventory_allocation FOR EACH ROW
    WHEN ((OLD.status, OLD.start_date, OLD.end_date, OLD.quota_bytes, OLD.pool_id, OLD.project_id)
          IS DISTINCT FROM (NEW.status, NEW.start_date, NEW.end_date, NEW.quota_bytes, NEW.pool_id, NEW.project_id))
    EXECUTE FUNCTION inventory_showback_stale_allocation_terms();

-- Monthly usage written or deleted (every write of samples): the teams of those allocations, from the
-- first month written.
CREATE FUNCTION inventory_showback_stale_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _STALE.format(
        marks="SELECT p.team_id, min(c.month) FROM changed c "
        "JOIN inventory_allocation a ON a.id = c.allocation_id "
        "JOIN inventory_researchproject p ON p.id = a.project_id GROUP BY p.team_id"
    )
};
    RETURN NULL;
END $$;
CREATE TRIGGER showback_stale_usage_inserted AFTER INSERT ON inventory_allocationmonthlyusage
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION inventory_showback_stale_usage();
CREATE TRIGGER showback_stale_usage_updated AFTER UPDATE ON inventory_allocationmonthlyusage
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION inventory_showback_stale_usage();
CREATE TRIGGER showback_stale_usage_deleted AFTER DELETE ON inventory_allocationmonthlyusage
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION inventory_showback_stale_usage();

-- A project moved to another team: both teams, every month.
CREATE FUNCTION inventory_showback_stale_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_STALE.format(marks="VALUES (OLD.team_id, NULL::date), (NEW.team_id, NULL::date)")};
    RETURN NULL;
END $$;
CREATE TRIGGER showback_stale_project AFTER UPDATE ON inventory_researchproject FOR EACH ROW
    WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) EXECUTE FUNCTION inventory_showback_stale_project();

-- A pool moved to another tier: the teams with allocations on it, every month.
CREATE FUNCTION inventory_showback_stale_pool() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    _STALE.format(
        marks="SELECT DISTINCT p.team_id, NULL::date FROM inventory_allocation a "
        "JOIN inventory_researchproject p ON p.id = a.project_id WHERE a.pool_id = NEW.id"
    )
};
    RETURN NULL;
END $$;
CREATE TRIGGER showback_stale_pool AFTER UPDATE ON inventory_storagepool FOR EACH ROW
    WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION inventory_showback_stale_pool();
"""

DROP_TRIGGERS = """
DROP TRIGGER showback_stale_allocations_inserted ON inventory_allocation;
DROP TRIGGER showback_stale_allocations_deleted ON inventory_allocation;
DROP TRIGGER showback_stale_allocation_terms ON inventory_allocation;
DROP TRIGGER showback_stale_usage_inserted ON inventory_allocationmonthlyusage;
DROP TRIGGER showback_stale_usage_updated ON inventory_allocationmonthlyusage;
DROP TRIGGER showback_stale_usage_deleted ON inventory_allocationmonthlyusage;
DROP TRIGGER showback_stale_project ON inventory_researchproject;
DROP TRIGGER showback_stale_pool ON inventory_storagepool;
DROP FUNCTION inventory_showback_stale_allocations();
DROP FUNCTION inventory_showback_stale_allocation_terms();
DROP FUNCTION inventory_showback_stale_usage();
DROP FUNCTION inventory_showback_stale_project();
DROP FUNCTION inventory_showback_stale_pool();
"""


def fill(apps, schema_editor):
    """Existing allocations fill the new rollup once (the worker keeps it fresh from now on), so that the
    page is fast right after the upgrade; an empty database has nothing to fill."""
    if apps.get_model("inventory", "Allocation").objects.exists():
        from inventory.services.team_showback import refresh_team_showback

        refresh_team_showback(every=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0017_project_team_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="team",
            index=models.Index(
                models.F("institution"), Lower("name"), models.F("id"), name="team_by_institution_and_name"
            ),
        ),
        # (see the end of the list for the triggers)
        migrations.CreateModel(
            name="ShowbackRollupMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="The month's first day.", unique=True)),
            ],
            options={
                "verbose_name": "showback rollup month",
            },
        ),
        migrations.CreateModel(
            name="ShowbackStaleTeam",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("team_id", models.BigIntegerField()),
                (
                    "since",
                    models.DateField(help_text="The first month that may have changed; empty: every month.", null=True),
                ),
            ],
            options={
                "verbose_name": "showback stale team",
            },
        ),
        migrations.CreateModel(
            name="TeamMonthlyShowback",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "tier",
                    models.CharField(
                        choices=[
                            ("performance", "Performance (flash)"),
                            ("capacity", "Capacity"),
                            ("scratch", "Scratch"),
                            ("archive", "Archive"),
                        ],
                        max_length=20,
                    ),
                ),
                ("month", models.DateField(help_text="The month's first day.")),
                ("allocated_byte_days", models.DecimalField(decimal_places=0, max_digits=40)),
                ("used_byte_days", models.DecimalField(decimal_places=0, max_digits=40)),
                ("not_reporting_days", models.BigIntegerField()),
                ("counted_days", models.BigIntegerField()),
                ("allocated_running", inventory.fields.RunningTotalsField(element="numeric", null=True)),
                ("used_running", inventory.fields.RunningTotalsField(element="numeric", null=True)),
                ("not_reporting_running", inventory.fields.RunningTotalsField(null=True)),
                ("counted_running", inventory.fields.RunningTotalsField(null=True)),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="inventory.team"
                    ),
                ),
            ],
            options={
                "verbose_name": "team monthly showback",
                "verbose_name_plural": "team monthly showback",
                "constraints": [
                    models.UniqueConstraint(fields=("month", "team", "tier"), name="team_monthly_showback_unique")
                ],
            },
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
