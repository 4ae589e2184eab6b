"""The shared tags: usage bars coloured at each pool's thresholds, sortable column headers."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from dashboard.selectors.allocations import allocation_rows

TB = 10**12


def render(source, **context):
    return Template("{% load dashboard %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("used", "warning", "critical", "css", "text"),
    [
        (50 * TB // 100, 80, 90, 'class="fill"', "50.0 %"),
        (85 * TB // 100, 80, 90, "fill fill-warning", "85.0 %"),
        (95 * TB // 100, 80, 90, "fill fill-critical", "95.0 %"),
        (85 * TB // 100, 70, 84, "fill fill-critical", "85.0 %"),  # the pool's own thresholds
        (TB, 80, 90, "fill fill-critical", "100.0 %"),
        (11 * TB // 10, 80, 90, "fill fill-over", "110.0 %"),
    ],
)
def test_usage_bar_colours_at_the_pool_thresholds(used, warning, critical, css, text):
    html = render(
        "{% usage_bar used quota warning critical %}", used=used, quota=TB, warning=warning, critical=critical
    )
    assert css in html
    assert text in html
    assert 'role="img"' in html and "style=" not in html
    assert f'aria-label="{text} of quota used' in html


def test_usage_bar_caps_width_and_marks_over_quota():
    html = render("{% usage_bar used quota %}", used=3 * TB, quota=TB)
    assert 'width="100.0%"' in html
    assert "over quota" in html
    assert "300.0 %" in html


def test_usage_bar_uses_the_sql_percentage_when_given():
    html = render("{% usage_bar used quota percent=p %}", used=TB // 2, quota=TB, p="42.04")
    assert 'width="42.0%"' in html


def test_usage_bar_escapes_its_label_and_shows_no_threshold_lines_over_quota():
    html = render("{% usage_bar used quota label=label %}", used=TB // 2, quota=TB, label="<b>used</b> & more")
    assert 'aria-label="50.0 % &lt;b&gt;used&lt;/b&gt; &amp; more"' in html
    assert html.count('class="threshold"') == 2 and 'x1="80%"' in html and 'x1="90%"' in html
    over = render("{% usage_bar used quota %}", used=2 * TB, quota=TB)
    assert 'class="threshold"' not in over and "(over quota)" in over


def test_usage_bar_without_usage():
    assert "no usage reported" in render("{% usage_bar None quota %}", quota=TB)


def test_sort_header_keeps_other_parameters_and_flips_direction():
    request = RequestFactory().get("/teams/", {"q": "ai", "sort": "used", "page": "3"})
    html = render('{% sort_header "Used" "used" numeric=True %}', request=request)
    assert 'aria-sort="ascending"' in html
    assert 'href="?q=ai&amp;sort=-used"' in html
    assert 'hx-get="?q=ai&amp;sort=-used"' in html
    assert 'hx-push-url="true"' in html and 'hx-target="#results"' in html
    other = render('{% sort_header "Name" "name" %}', request=request)
    assert "aria-sort" not in other and "sort=name" in other
    first_desc = render('{% sort_header "Used" "allocated" first="desc" %}', request=request)
    assert "sort=-allocated" in first_desc


@pytest.mark.django_db
def test_allocation_row_cells_escaping_and_staff_columns(estate):
    allocation = allocation_rows(staff=True).get(pk=estate.allocations[0].pk)
    allocation.project.title = "A <b>bold</b> & very long title " + "x" * 60
    allocation.justification = "<script>no</script>"
    allocation.requested_by.first_name, allocation.requested_by.last_name = "", ""
    row = render("{% allocation_row a show_project=True show_team=True staff=True %}", a=allocation)
    assert row.startswith('<tr><th scope="row">') and row.endswith("</tr>")
    assert f'<a href="/projects/{allocation.project.code}/">' in row
    # Cut at 40 characters (the rows stay short enough for the staff columns), the last an ellipsis, then escaped.
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; very long title " + "x" * 7 + "…</span>" in row
    assert f'<a href="{allocation.project.team.get_absolute_url()}">{allocation.project.team.name}</a>' in row
    # Secondary cells are "opt" (hidden on phones); the details link leads to all of them.
    assert '<td class="num opt" title="10,000,000,000,000 bytes">10.0 TB</td>' in row
    assert '<td class="nowrap opt">—</td>' in row  # no end date
    assert f'href="/allocations/{allocation.pk}/">details' in row
    pool = allocation.pool
    assert f'<a href="/storage/{pool.array.slug}/{pool.slug}/">{pool.array.name} / {pool.name}</a>' in row
    # The report's age as text ("3 h ago", "just now"), the exact moment as its title.
    assert re.search(r'<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">[^<]+</time>', row)
    assert f'<td class="opt">{allocation.requested_by.username}</td>' in row  # no full name: the username
    assert '<td class="staff-only opt justification">&lt;script&gt;no&lt;/script&gt;</td>' in row
    researcher_row = render("{% allocation_row a binary=True %}", a=allocation)
    assert "<th" not in researcher_row and "staff-only" not in researcher_row and "9.09 TiB" in researcher_row
    allocation.usage_measured_at = None
    assert '<span class="muted">never</span>' in render("{% allocation_row a %}", a=allocation)


@pytest.mark.parametrize(
    ("used", "css", "text"),
    [
        (90 * TB // 100, "fill fill-critical", "90.0 %"),  # exactly at the critical threshold: critical
        (80 * TB // 100, "fill fill-warning", "80.0 %"),  # exactly at the warning threshold: warning
        (8996 * TB // 10000, "fill fill-warning", "89.9 %"),  # not critical: never shown as "90.0 %"
        (7996 * TB // 10000, 'class="fill"', "79.9 %"),
        (10004 * TB // 10000, "fill fill-over", "100.1 %"),  # over quota: never shown as "100.0 %"
        (8994 * TB // 10000, "fill fill-warning", "89.9 %"),  # ordinary rounding elsewhere
        (8966 * TB // 10000, "fill fill-warning", "89.7 %"),
    ],
)
def test_a_bar_shows_its_state_and_a_percentage_in_that_state(used, css, text):
    html = render("{% usage_bar used quota 80 90 %}", used=used, quota=TB)
    assert css in html and f">{text}</span>" in html


def test_a_pool_at_exactly_its_critical_threshold_is_critical_with_the_sql_percentage():
    # Pages pass the percentage SQL worked out; the state still comes from the exact bytes.
    html = render("{% usage_bar used quota 80 90 percent=p %}", used=900 * TB, quota=1000 * TB, p="90.000")
    assert "fill fill-critical" in html and "badge-critical" in html and ">90.0 %</span>" in html
