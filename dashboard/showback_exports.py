"""The showback report as CSV and XLSX: one line per month and project, exact byte-days and TB-months.

TB-months and costs are rounded here, at the edge (6 and 2 decimals); byte-days are exact integers
(text in the XLSX file, where a spreadsheet's 15 significant digits would round them).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.http import HttpResponse

from dashboard.selectors.showback import ExportRow, Figures, ShowbackReport
from dashboard.tables import csv_response
from dashboard.xlsx import xlsx_response


def decimal(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half up to *places* decimals."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _figure_columns(report: ShowbackReport, get, *, byte_days_as_text: bool) -> list:
    as_bytes = str if byte_days_as_text else int
    columns = [
        ("allocated_tb_months", lambda r: decimal(get(r).allocated, 6)),
        ("used_tb_months", lambda r: decimal(get(r).used, 6)),
        ("allocated_byte_days", lambda r: as_bytes(get(r).allocated_byte_days)),
        ("used_byte_days", lambda r: as_bytes(get(r).used_byte_days)),
        ("not_reporting_allocation_days", lambda r: get(r).not_reporting_days),
    ]
    if report.currency:
        columns.append((f"cost_{report.currency}", lambda r: decimal(get(r).cost, 2)))
    return columns


def _row_columns(report: ShowbackReport, *, byte_days_as_text: bool) -> list:
    def figures(row: ExportRow) -> Figures:
        return row.figures

    return [
        ("month", lambda r: str(r.month)),
        ("institution", lambda r: r.institution),
        ("team", lambda r: r.team),
        ("project", lambda r: r.project_code),
        ("project_title", lambda r: r.project_title),
        *_figure_columns(report, figures, byte_days_as_text=byte_days_as_text),
    ]


def _filename(report: ShowbackReport, extension: str) -> str:
    first, last = report.months[0], report.months[-1]
    span = str(first) if first == last else f"{first}_{last}"
    return f"showback-{span}.{extension}"


def showback_csv(report: ShowbackReport) -> HttpResponse:
    return csv_response(_filename(report, "csv"), _row_columns(report, byte_days_as_text=False), report.export_rows)


def showback_xlsx(report: ShowbackReport) -> HttpResponse:
    month_columns = [
        ("month", lambda r: str(r[0])),
        *_figure_columns(report, lambda r: r[1], byte_days_as_text=True),
    ]
    return xlsx_response(
        _filename(report, "xlsx"),
        [
            ("Showback", _row_columns(report, byte_days_as_text=True), report.export_rows),
            ("Months", month_columns, report.per_month),
        ],
    )
