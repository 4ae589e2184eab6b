"""The allocation list: a filter narrows the table in place, Back restores it, and the CSV is the table."""

import csv
import datetime
import io
import re

from playwright.sync_api import expect

from dashboard.tables import PAGE_SIZE
from inventory.models import Allocation

ROW_CODES = "#results tbody th[scope=row] a"
# What a researcher's download holds (staff get requested_by, approved_by and justification too).
CSV_HEADER = [
    "project_code",
    "team",
    "array",
    "pool",
    "status",
    "quota_bytes",
    "used_bytes",
    "used_percent",
    "threshold_state",
    "warning_threshold_percent",
    "critical_threshold_percent",
    "usage_measured_at",
    "start_date",
    "end_date",
    "quota_id",
]


def count_text(count: int) -> re.Pattern:
    return re.compile(rf"\b{count} allocations\b")


def test_a_status_filter_narrows_the_table_and_back_restores_it(demo, log_in, page):
    total = Allocation.objects.count()
    expired = Allocation.objects.filter(status=Allocation.Status.EXPIRED)
    assert 0 < expired.count() < total
    log_in("researcher")
    page.goto(f"{demo.url}/allocations/")
    counter = page.locator("#results .pagination")
    expect(counter).to_contain_text(count_text(total))
    first_page = page.locator(ROW_CODES).all_inner_texts()
    page.evaluate("window.__marker = 1")

    page.get_by_label("Status").select_option("expired")

    expect(page).to_have_url(re.compile(r"/allocations/\?(.*&)?status=expired(&|$)"))
    expect(counter).to_contain_text(count_text(expired.count()))
    expect(page.locator(ROW_CODES)).to_have_count(expired.count())
    assert sorted(page.locator(ROW_CODES).all_inner_texts()) == sorted(expired.values_list("project__code", flat=True))
    expect(page.locator("#results tbody .badge")).to_have_text(["Expired"] * expired.count())
    assert page.evaluate("window.__marker") == 1

    page.go_back()

    expect(page).to_have_url(f"{demo.url}/allocations/")
    expect(counter).to_contain_text(count_text(total))
    expect(page.locator(ROW_CODES)).to_have_text(first_page)
    expect(page.get_by_label("Status")).to_have_value("")
    assert page.evaluate("window.__marker") == 1
    assert page.console_errors == []


def test_the_csv_download_holds_exactly_the_filtered_rows(demo, log_in, page):
    log_in("researcher")
    page.goto(f"{demo.url}/allocations/?status=expired&sort=-quota")
    shown = page.locator(ROW_CODES).all_inner_texts()
    assert len(shown) == Allocation.objects.filter(status=Allocation.Status.EXPIRED).count()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert (
        download.suggested_filename
        == f"allocations-{datetime.datetime.now(datetime.UTC).date().isoformat()}-status-expired.csv"
    )
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))

    assert rows[0] == CSV_HEADER
    assert len(rows) - 1 == len(shown)
    # The same rows in the same order as the table, in exact bytes.
    assert [row[0] for row in rows[1:]] == shown
    assert {row[4] for row in rows[1:]} == {"expired"}
    quotas = [int(row[5]) for row in rows[1:]]
    assert quotas == sorted(quotas, reverse=True)
    expected = dict(Allocation.objects.filter(status=Allocation.Status.EXPIRED).values_list("quota_id", "quota_bytes"))
    assert {row[14]: int(row[5]) for row in rows[1:]} == expected
    assert page.console_errors == []


def test_after_an_htmx_filter_the_csv_link_downloads_every_page_of_the_filtered_rows(demo, log_in, page):
    active = Allocation.objects.filter(status=Allocation.Status.ACTIVE).count()
    assert active > PAGE_SIZE  # more than one page, so "the table" means all its pages
    log_in("researcher")
    page.goto(f"{demo.url}/allocations/?sort=-quota")

    page.get_by_label("Status").select_option("active")  # htmx swaps the table and its download link

    expect(page.locator("#results .pagination")).to_contain_text(count_text(active))
    first_page = page.locator(ROW_CODES).all_inner_texts()
    assert len(first_page) == PAGE_SIZE
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))

    assert rows[0] == CSV_HEADER
    assert len(rows) - 1 == active
    assert {row[4] for row in rows[1:]} == {"active"}
    assert [row[0] for row in rows[1 : PAGE_SIZE + 1]] == first_page
    assert page.console_errors == []
