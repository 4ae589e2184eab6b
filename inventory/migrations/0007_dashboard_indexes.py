"""Index the active allocations by pool, carrying the figures the dashboard sums.

The overview and storage pages sum quota, logical and physical used over every active
allocation (29,000 of 40,000 at S500) per pool, per team (the teams using most) and pick
the allocations at or above their pool's warning threshold. Each read the whole wide
allocation table (2,200 pages: justification, quota ids, dates); with this partial covering
index they read ~29,000 narrow index entries instead (index-only scans; the measured gain is
in bench/ANALYSIS.md, "Indexes").

Index-only scans need the visibility map: right after an import updates used_bytes the
updated rows' pages are read from the table too until (auto)vacuum runs, as before this index.
The import's updates were not HOT before (other indexes), so this adds one index insertion
per updated allocation.

Built CONCURRENTLY (outside a transaction) so imports can keep writing meanwhile.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inventory", "0006_usage_sample_order_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="allocation",
            index=models.Index(
                condition=models.Q(status="active"),
                fields=["pool"],
                include=["id", "project", "quota_bytes", "used_bytes", "physical_used_bytes"],
                name="allocation_active_by_pool",
            ),
        ),
    ]
