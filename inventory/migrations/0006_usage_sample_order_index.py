"""Index the usage samples in the admin list's order: measured_at DESC, id DESC.

The list (newest first, ties broken by id) read the 34,000 samples that share the newest
moment through the old index on measured_at alone and sorted them; with the composite
index it reads the 100 rows of the page (timings: bench/ANALYSIS.md). The composite
index serves ranges of measured_at as the old one did, so the old one goes.

Built and dropped CONCURRENTLY (outside a transaction): the table takes millions of rows
and imports keep writing to it.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inventory", "0005_threshold_message"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="usagesample",
            index=models.Index(fields=["-measured_at", "-id"], name="sample_measured_at_id"),
        ),
        RemoveIndexConcurrently(model_name="usagesample", name="sample_measured_at"),
    ]
