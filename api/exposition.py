"""Gauges written straight in the Prometheus text format, for families with a sample per allocation.

prometheus-client builds a Sample object per value and formats each through generic code, which at tens of
thousands of allocations costs most of a scrape (bench/ANALYSIS.md). These families have fixed, known
labels and integer byte values, so their lines are formatted here directly in the same text format
(version 0.0.4): HELP and TYPE lines, then one ``name{label="value",...} value`` line per sample, label
values escaped as the format requires. Values are written as exact integers: byte counts above 2^53 would
lose digits as floats. The tests parse the whole scrape with prometheus-client's own parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _escape_label(value: str) -> str:
    if "\\" in value or "\n" in value or '"' in value:
        return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return value


def _escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")


class GaugeText:
    """One gauge family, collected sample by sample and written as text."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]):
        self.name = name
        self.documentation = documentation
        self.labels = tuple(labels)
        self.lines: list[str] = []

    def add(self, values: Sequence[str | None], value: int) -> None:
        pairs = ",".join(
            f'{label}="{_escape_label(item or "")}"' for label, item in zip(self.labels, values, strict=True)
        )
        self.lines.append(f"{self.name}{{{pairs}}} {int(value)}\n")

    def text(self) -> Iterable[str]:
        yield f"# HELP {self.name} {_escape_help(self.documentation)}\n"
        yield f"# TYPE {self.name} gauge\n"
        yield from self.lines
