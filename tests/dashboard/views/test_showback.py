"""The showback page and its CSV and XLSX downloads, through the test client."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.signals import request_started
from django.test import Client
from openpyxl import load_workbook

from inventory.models import Institution, TeamDailyUsage, TierPrice
from inventory.services.team_showback import refresh_team_showback
from inventory.showback import Month

TB = 10**12
URL = "/reports/showback/"
ROLLUP_REFRESH = "test-team-rollup"


@pytest.fixture(autouse=True, params=["worked out", "from the team rollup"])
def team_rollup(request):
    """Every test here runs twice: with every team stale (the writes of its setup mark them so, and the report
    works the figures out from the allocations), and with the worker's refresh run before each request (the
    report reads the team rollup), so that both readings must give the same page and files."""
    if request.param == "worked out":
        yield request.param
        return
    request.getfixturevalue("db")

    def refresh(**kwargs):
        refresh_team_showback()

    request_started.connect(refresh, dispatch_uid=ROLLUP_REFRESH)
    yield request.param
    request_started.disconnect(dispatch_uid=ROLLUP_REFRESH)


def full_month_before(today: datetime.date) -> Month:
    """The last whole month before *today*: every allocation of build_estate (started 1 January) held all of it."""
    return Month.of(today.replace(day=1) - datetime.timedelta(days=1))


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # every project's line, written as the query is read
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
def test_staff_see_every_team_per_institution(staff_client, estate_builder):
    estate = estate_builder(teams=3, projects_per_team=2, pools=2)
    month = full_month_before(estate.today)
    response = staff_client.get(URL, {"month": str(month)})
    assert response.status_code == 200
    html = response.content.decode()
    report = response.context["report"]
    [institution] = report.institutions
    assert institution.name == estate.teams[0].institution.name
    assert {line.name for line in report.lines} == {t.name for t in estate.teams}
    assert not report.lines_are_projects and "3 teams" in html
    # 6 projects × 2 pools × 10 TB held the whole month: 120 TB-months.
    assert report.total.allocated == 120
    assert "120.000" in html
    assert html.count('class="bar-allocated"') == 1 and html.count('class="bar-used"') == 1
    assert 'href="/reports/showback/"' in html  # the nav's link
    assert "Cost (" not in html  # no tier has a price


@pytest.mark.django_db
def test_researchers_see_their_own_teams_only(researcher_client, researcher, estate_builder):
    estate = estate_builder(teams=3, projects_per_team=1, members=[researcher])
    month = full_month_before(estate.today)
    rows = _csv(researcher_client.get(URL, {"month": str(month), "format": "csv"}))
    assert {r["team"] for r in rows} == {estate.teams[0].name}
    page = researcher_client.get(URL, {"month": str(month)}).content.decode()
    assert estate.teams[0].name in page and estate.teams[1].name not in page
    assert "You see the teams you are a member of" in page


@pytest.mark.django_db
def test_csv_has_exact_byte_days_per_month_and_project(staff_client, estate_builder):
    estate = estate_builder(teams=2, projects_per_team=1, pools=2)
    month = full_month_before(estate.today)
    rows = _csv(staff_client.get(URL, {"month": str(month), "format": "csv"}))
    assert [r["project"] for r in rows] == sorted(p.code for p in estate.projects)
    for row in rows:
        assert row["month"] == str(month)
        assert int(row["allocated_byte_days"]) == 2 * 10 * TB * month.days
        assert row["allocated_tb_months"] == "20.000000"
    assert "cost_NOK" not in rows[0]
    # Used: the same daily figures as the teams' daily rollups, summed over the month's days.
    rollup = TeamDailyUsage.objects.filter(day__gte=month.first_day, day__lte=month.last_day)
    assert sum(int(r["used_byte_days"]) for r in rows) == sum(rollup.values_list("used_bytes", flat=True)) > 0


@pytest.mark.django_db
def test_a_range_has_one_line_per_month_and_project_and_a_cost_with_prices(staff_client, estate_builder):
    estate = estate_builder(teams=1, projects_per_team=1, pools=1)
    TierPrice.objects.create(tier="performance", price_per_tb_month=Decimal("100"), currency="NOK")
    last = full_month_before(estate.today)
    first = full_month_before(last.first_day)
    rows = _csv(staff_client.get(URL, {"from": str(first), "to": str(last), "format": "csv"}))
    assert [r["month"] for r in rows] == [str(first), str(last)]
    assert [r["cost_NOK"] for r in rows] == ["1000.00", "1000.00"]  # 10 TB-months × 100
    page = staff_client.get(URL, {"from": str(first), "to": str(last)}).content.decode()
    assert "Cost (NOK)" in page and page.count('class="bar-allocated"') == 2


@pytest.mark.django_db
def test_xlsx_holds_the_same_lines_with_formulas_neutralised(staff_client, estate_builder):
    estate = estate_builder(teams=1, projects_per_team=1, pools=1)
    Institution.objects.filter(teams=estate.teams[0]).update(name='=HYPERLINK("http://evil.example","x")')
    month = full_month_before(estate.today)
    response = staff_client.get(URL, {"month": str(month), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="showback-{month}.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Showback", "Months"]
    sheet = workbook["Showback"]
    header, line = [[cell for cell in row] for row in sheet.iter_rows(min_row=1, max_row=2)]
    values = dict(zip([c.value for c in header], line, strict=True))
    assert values["institution"].value == "'" + '=HYPERLINK("http://evil.example","x")'
    assert values["institution"].data_type == "s"  # text, never a formula
    assert values["project"].value == estate.projects[0].code
    assert values["allocated_tb_months"].value == 10  # a number, not text
    assert values["allocated_byte_days"].value == str(10 * TB * month.days)  # exact, as text
    months = list(workbook["Months"].iter_rows(min_row=2, values_only=True))
    assert months[0][0] == str(month) and months[0][1] == 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "2026-13"}, "“2026-13” is not a month"),
        ({"month": "last"}, "write it as YYYY-MM"),
        ({"month": "2026-10", "from": "2026-09"}, "either a month, or from and to"),
        ({"from": "2026-10", "to": "2026-08"}, "To (2026-08) is before from (2026-10)"),
        ({"from": "2025-01", "to": "2026-01"}, "at most 12 months"),
        ({"month": "2999-01"}, "2999-01 has not begun yet"),
    ],
)
def test_bad_months_are_refused_with_a_message(staff_client, query, message):
    response = staff_client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("export", "one_team"), [(None, False), (None, True), ("csv", False), ("xlsx", False)])
def test_query_count_is_flat(
    staff_client, estate_builder, django_assert_max_num_queries, export, one_team, team_rollup
):
    # The refresh runs before each count here, not inside it.
    from_rollup = request_started.disconnect(dispatch_uid=ROLLUP_REFRESH)
    small = estate_builder(teams=1, projects_per_team=1, pools=1)
    TierPrice.objects.create(tier="performance", price_per_tb_month=Decimal("1"), currency="NOK")
    last = full_month_before(small.today)
    query = {"from": str(full_month_before(last.first_day)), "to": str(Month.of(small.today))}
    if export:
        query["format"] = export
    if one_team:
        query["team"] = small.teams[0].slug

    def get() -> bytes:
        response = staff_client.get(URL, query)
        assert response.status_code == 200
        # A streamed file runs its query while it is read: read it inside the count.
        return b"".join(response.streaming_content) if response.streaming else response.content

    if from_rollup:
        refresh_team_showback()
    # Session and user, tier prices, savepoint, settings, the rollup's state, the report, release, units.
    with django_assert_max_num_queries(11) as small_run:
        small_body = get()
    big = estate_builder(teams=12, projects_per_team=3, pools=2)
    if one_team:
        for project in big.projects[:3]:
            project.team = small.teams[0]
            project.save()
    if from_rollup:
        refresh_team_showback()
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        big_body = get()
    assert len(big_body) > len(small_body)  # the bigger estate is in it


@pytest.mark.django_db
def test_one_team_and_teams_a_page_at_a_time(staff_client, estate_builder, monkeypatch):
    estate = estate_builder(teams=2, projects_per_team=2, pools=1)
    month = str(full_month_before(estate.today))
    team = estate.teams[1]
    rows = _csv(staff_client.get(URL, {"month": month, "team": team.slug, "format": "csv"}))
    assert {r["team"] for r in rows} == {team.name} and len(rows) == 2
    # Every team: a line each (each links to its own projects), no project lines.
    page = staff_client.get(URL, {"month": month}).content.decode()
    assert f"?month={month}&amp;team={team.slug}" in page
    assert estate.projects[0].code not in page
    # One team: its projects, with their TB-months (2 projects × 10 TB all month).
    response = staff_client.get(URL, {"month": month, "team": team.slug})
    page = response.content.decode()
    assert response.context["report"].lines_are_projects
    assert {line.key for line in response.context["report"].lines} == {p.code for p in team.projects.all()}
    assert all(line.figures.allocated == 10 for line in response.context["report"].lines)
    assert "2 projects" in page
    # A page at a time, in order; the files hold every project whatever the page.
    monkeypatch.setattr("dashboard.views.showback.LINES_PER_PAGE", 1)
    first = staff_client.get(URL, {"month": month}).content.decode()
    second = staff_client.get(URL, {"month": month, "page": "2"}).content.decode()
    names = sorted(t.name for t in estate.teams)
    assert names[0] in first and names[1] not in first and "page=2" in first and "Page 1 of 2" in first
    assert names[1] in second and names[0] not in second.split('id="lines"')[1] and "Page 2 of 2" in second
    beyond = staff_client.get(URL, {"month": month, "page": "99"}).content.decode()
    assert names[1] in beyond.split('id="lines"')[1] and "Page 2 of 2" in beyond
    # Totals do not depend on the page.
    assert first.split('id="lines"')[0].count("40.000") == second.split('id="lines"')[0].count("40.000") > 0
    assert len(_csv(staff_client.get(URL, {"month": month, "format": "csv"}))) == 4


@pytest.mark.django_db
def test_one_institutions_teams(staff_user, researcher_client, researcher, estate_builder):
    # researcher_client and staff_client are one client: the staff member gets their own.
    staff_client = Client()
    staff_client.force_login(staff_user)
    mine = estate_builder(teams=2, projects_per_team=1, pools=1, members=[researcher])
    estate_builder(teams=1, projects_per_team=1, pools=1)
    month = str(full_month_before(mine.today))
    institution = mine.teams[0].institution
    rows = _csv(staff_client.get(URL, {"month": month, "institution": institution.slug, "format": "csv"}))
    assert {r["team"] for r in rows} == {t.name for t in mine.teams}
    detail = staff_client.get(f"/institutions/{institution.slug}/").content.decode()
    assert f'href="/reports/showback/?institution={institution.slug}"' in detail
    # A researcher asking for another team's showback sees nothing of it.
    page = researcher_client.get(URL, {"month": month, "team": mine.teams[1].slug}).content.decode()
    assert "Nothing was allocated to your teams in these months" in page
    assert (
        f'href="/reports/showback/?team={mine.teams[0].slug}"'
        in researcher_client.get(mine.teams[0].get_absolute_url()).content.decode()
    )
