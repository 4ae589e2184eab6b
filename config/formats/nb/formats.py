"""ISO 8601 dates and times, as the rest of the app writes them: one definition for every language (iso.py)."""

from config.formats.iso import (  # noqa: F401 - Django reads these names from this module
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
