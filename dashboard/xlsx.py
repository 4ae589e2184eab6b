"""XLSX downloads (openpyxl), with the CSV exports' rules: one header per column, and text that a spreadsheet
would run as a formula neutralised (dashboard.tables.csv_cell) and stored as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING

from dashboard.tables import csv_cell

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Columns = Sequence[tuple[str, Callable[[Any], Any]]]


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Columns, Iterable[Any]]]) -> HttpResponse:
    """A workbook with one sheet per (title, columns, rows); numbers stay numbers."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])  # Excel's limit on sheet names
        sheet.append([header for header, _ in columns])
        for row in rows:
            sheet.append([_cell(sheet, get(row)) for _, get in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(sheet, value: Any) -> Any:
    value = csv_cell(value)
    if not isinstance(value, str):
        return value
    # openpyxl reads any text starting with "=" as a formula: say it is text.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = TYPE_STRING
    return cell
