"""Row markup helpers (dashboard/html.py) give what Django's own helpers give."""

import pytest
from django.utils import translation
from django.utils.text import Truncator

from dashboard.html import Truncation, html_format

TEXTS = [
    "",
    "Short",
    "x" * 40,
    "x" * 41,
    "A <b>bold</b> & very long title " + "x" * 60,
    "Språkmodeller for bokmål og nynorsk: trening, evaluering og deling",
    "Cafe\u0301 au lait " * 6,  # combining accents: not counted as characters
    "e\u0301" * 50,
    "Ends with an ellipsis already…" * 3,
]


@pytest.mark.parametrize("language", ["en-gb", "nb"])
@pytest.mark.parametrize("length", [0, 1, 10, 40, 60])
def test_truncation_cuts_as_truncator_does(language, length):
    with translation.override(language):
        truncation = Truncation()
        assert [truncation.chars(text, length) for text in TEXTS] == [Truncator(text).chars(length) for text in TEXTS]


def test_html_format_escapes_all_but_safe_arguments():
    assert html_format("<td>{}{}</td>", "<b>", html_format("<i>{}</i>", "&")) == "<td>&lt;b&gt;<i>&amp;</i></td>"
