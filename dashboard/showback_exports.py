"""The showback report as CSV and XLSX: one line per month and project, exact byte-days and TB-months.

The CSV streams every project's line as the query is read; the XLSX file is built whole (a workbook is).

TB-months and costs are rounded here, at the edge (6 and 2 decimals); byte-days are exact integers
(text in the XLSX file, where a spreadsheet's 15 significant digits would round them).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.http import HttpResponse, StreamingHttpResponse

from dashboard.selectors.showback import NO_INSTITUTION, ExportRow, Figures, ShowbackReport, tier_prices
from dashboard.tables import csv_cell
from dashboard.xlsx import xlsx_response
from inventory.showback import ByteDays, Month, iter_monthly_byte_days


def decimal(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half up to *places* decimals."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _figure_columns(currency: str | None, get, *, byte_days_as_text: bool) -> list:
    as_bytes = str if byte_days_as_text else int
    columns = [
        ("allocated_tb_months", lambda r: decimal(get(r).allocated, 6)),
        ("used_tb_months", lambda r: decimal(get(r).used, 6)),
        ("allocated_byte_days", lambda r: as_bytes(get(r).allocated_byte_days)),
        ("used_byte_days", lambda r: as_bytes(get(r).used_byte_days)),
        ("not_reporting_allocation_days", lambda r: get(r).not_reporting_days),
    ]
    if currency:
        columns.append((f"cost_{currency}", lambda r: decimal(get(r).cost, 2)))
    return columns


def _row_columns(currency: str | None, *, byte_days_as_text: bool) -> list:
    def figures(row: ExportRow) -> Figures:
        return row.figures

    return [
        ("month", lambda r: str(r.month)),
        ("institution", lambda r: r.institution),
        ("team", lambda r: r.team),
        ("project", lambda r: r.project_code),
        ("project_title", lambda r: r.project_title),
        *_figure_columns(currency, figures, byte_days_as_text=byte_days_as_text),
    ]


def _filename(months: list[Month], extension: str) -> str:
    first, last = months[0], months[-1]
    span = str(first) if first == last else f"{first}_{last}"
    return f"showback-{span}.{extension}"


class _Line:
    """A file-like that hands back what csv.writer writes: one line at a time, for a streamed response."""

    def write(self, value: str) -> str:
        return value


def showback_csv(months: list[Month], *, today: datetime.date, **scope) -> StreamingHttpResponse:
    """Every project's line (per month, every tier added up), streamed from the query as it is read."""
    prices, currency = tier_prices()
    columns = _row_columns(currency, byte_days_as_text=False)
    writer = csv.writer(_Line())

    def lines():
        yield writer.writerow([header for header, _ in columns])
        for row in _export_rows(iter_monthly_byte_days(months, today=today, **scope), prices):
            yield writer.writerow([csv_cell(get(row)) for _, get in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(months, "csv")}"'
    return response


def _export_rows(rows: Iterable[ByteDays], prices: dict) -> Iterator[ExportRow]:
    """One line per month and project from rows ordered by month and project (a project's tiers in a row)."""
    line, key = None, None
    for row in rows:
        if (row.month, row.project_id) != key:
            if line is not None:
                yield line
            key = (row.month, row.project_id)
            line = ExportRow(
                row.month,
                row.institution_name or NO_INSTITUTION,
                row.team_name,
                row.project_code,
                row.project_title,
                Figures(prices),
            )
        line.figures.add(row)
    if line is not None:
        yield line


def showback_xlsx(report: ShowbackReport) -> HttpResponse:
    month_columns = [
        ("month", lambda r: str(r[0])),
        *_figure_columns(report.currency, lambda r: r[1], byte_days_as_text=True),
    ]
    return xlsx_response(
        _filename(report.months, "xlsx"),
        [
            ("Showback", _row_columns(report.currency, byte_days_as_text=True), report.export_rows),
            ("Months", month_columns, report.per_month),
        ],
    )
