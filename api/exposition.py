"""Gauge families written in the Prometheus text format by PostgreSQL, for families with a sample per allocation.

prometheus-client builds a Sample object per value and formats each through generic code, and even a plain
Python loop over tens of thousands of rows costs most of a scrape (bench/ANALYSIS.md). These families have
fixed, known labels and integer byte values, so the database writes their lines itself (text format 0.0.4):
one ``name{label="value",...} value`` line per row, label values escaped as the format requires (backslash,
double quote, newline), and values as exact integers (byte counts above 2^53 would lose digits as floats).
The tests parse the whole scrape with prometheus-client's own parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet


def _escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")


def _escaped(column: str) -> str:
    """SQL for a label value as the text format wants it: NULL as empty, then \\ → \\\\, newline → \\n, " → \\"."""
    return f"replace(replace(replace(coalesce(a.\"{column}\"::text, ''), '\\', '\\\\'), E'\\n', '\\n'), '\"', '\\\"')"


@dataclass(frozen=True)
class GaugeColumn:
    """One gauge family: its name, its HELP text and the row's column that holds its (integer) value."""

    name: str
    documentation: str
    value_column: str

    def header(self) -> str:
        return f"# HELP {self.name} {_escape_help(self.documentation)}\n# TYPE {self.name} gauge\n"


def gauge_text(rows: QuerySet, labels: Mapping[str, str], gauges: Sequence[GaugeColumn]) -> str:
    """The families *gauges*, one line per row of *rows*: a ``.values()`` queryset with the gauges' value columns
    and, for each label name in *labels*, the column that holds its value.

    One query: the rows' SQL wrapped in a ``string_agg`` per family. A row whose value is NULL has no line.
    """
    inner, params = rows.query.sql_with_params()
    label_sql = " || ',' || ".join(f"'{label}=\"' || {_escaped(column)} || '\"'" for label, column in labels.items())
    aggregates = ", ".join(
        f"coalesce(string_agg('{gauge.name}{{' || labels || '}} ' || a.\"{gauge.value_column}\"::text || E'\\n', ''"
        f") FILTER (WHERE a.\"{gauge.value_column}\" IS NOT NULL), '')"
        for gauge in gauges
    )
    sql = f"SELECT {aggregates} FROM (SELECT *, {label_sql} AS labels FROM ({inner}) AS a) AS a"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        bodies = cursor.fetchone()
    return "".join(gauge.header() + body for gauge, body in zip(gauges, bodies, strict=True))
