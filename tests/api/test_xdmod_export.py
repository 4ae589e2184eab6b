"""The day's usage as Open XDMoD storage JSON; importing the export gives back the same samples."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import UsageImport, UsageSample
from tests.api.conftest import bearer
from tests.dashboard.conftest import build_estate

FIELDS = (
    "allocation_id",
    "measured_at",
    "used_bytes",
    "physical_used_bytes",
    "file_count",
    "soft_limit_bytes",
    "hard_limit_bytes",
)


def _samples(day: datetime.date) -> list[tuple]:
    return sorted(UsageSample.objects.filter(measured_at__date=day).values_list(*FIELDS))


def test_round_trip_through_the_xdmod_import(client, reader, estate, tmp_path):
    day = estate.today - datetime.timedelta(days=2)
    # Every figure the format carries, on some samples of the day.
    for n, sample in enumerate(UsageSample.objects.filter(measured_at__date=day)):
        sample.file_count = 100 + n
        if n % 2:
            sample.physical_used_bytes = sample.used_bytes // 2
            sample.soft_limit_bytes, sample.hard_limit_bytes = 8 * 10**12, 10 * 10**12
        sample.save()
    before = _samples(day)
    assert before
    response = client.get("/api/v1/exports/xdmod-storage", {"date": day.isoformat()}, headers=bearer(reader))
    assert response.status_code == 200
    records = response.json()
    assert len(records) == len(before)
    assert {"resource", "mountpoint", "user", "pi", "dt", "file_count", "logical_usage"} <= set(records[0])
    assert all(record["dt"].endswith("Z") for record in records)

    # A fresh start: the day's samples gone, then the export imported with the command.
    UsageSample.objects.filter(measured_at__date=day).delete()
    UsageImport.objects.all().delete()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records))
    call_command("import_usage", str(path), "--format", "xdmod", stdout=io.StringIO())
    assert _samples(day) == before


def test_a_day_without_usage_is_an_empty_array(client, reader, estate):
    response = client.get("/api/v1/exports/xdmod-storage", {"date": "2001-01-01"}, headers=bearer(reader))
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("value", ["", "2026-02-30", "yesterday"])
def test_the_date_is_required_and_checked(client, reader, value):
    response = client.get("/api/v1/exports/xdmod-storage", {"date": value}, headers=bearer(reader))
    assert response.status_code == 400 and "date" in response.json()


def test_export_runs_a_fixed_number_of_queries(client, reader):
    client.force_login(reader)
    counts = []
    for teams in (1, 8):
        estate = build_estate(teams=teams, sample_days=2)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/exports/xdmod-storage", {"date": estate.today.isoformat()})
        assert response.status_code == 200 and response.json()
        counts.append(len(captured))
    assert counts[0] == counts[1]
