"""Markup built in Python for the rows tables draw many times: Django's format_html, without its overhead.

format_html escapes every argument through conditional_escape, whose lazy-string checks (keep_lazy) cost
more than the escaping itself; a table of allocations calls it a dozen times a row. html_format gives the
same output: arguments with ``__html__`` (safe strings) go in as they are, anything else is escaped with
html.escape, which is what django.utils.html.escape does.
"""

from __future__ import annotations

import unicodedata
from html import escape

from django.utils.safestring import SafeString
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length


def escape_cell(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def html_format(template: str, *args) -> SafeString:
    """``template.format(*args)`` with every argument escaped unless already safe (as format_html)."""
    # SafeString rather than mark_safe: the same for a str, without mark_safe's lazy-string check per cell.
    return SafeString(template.format(*map(escape_cell, args)))


class Truncation:
    """``Truncator(text).chars(length)`` for the many cells of a table: the ending ("…", translated in Django's
    catalog) looked up once for the table instead of twice per cell, text short enough left as it is, and text
    without combining characters (where every character counts as one) cut in one step."""

    def __init__(self) -> None:
        # Django's ending with its placeholder left in ("%(truncated_text)s…"): what Truncator wraps text in.
        self.ending = add_truncation_text("%(truncated_text)s")
        self._kept: dict[int, int] = {}

    def chars(self, text, length: int) -> str:
        text = unicodedata.normalize("NFC", str(text))
        if len(text) <= length:
            return text  # what Truncator gives: no more characters than the length
        if length <= 0 or any(map(unicodedata.combining, text)):
            return Truncator(text).chars(length, truncate=self.ending)
        # Truncator keeps the characters the ending leaves room for, then adds the ending.
        kept = self._kept.get(length)
        if kept is None:
            kept = self._kept[length] = calculate_truncate_chars_length(length, self.ending)
        return add_truncation_text(text[:kept], self.ending)
