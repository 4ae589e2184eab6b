"""Reading moments (ISO 8601 / RFC 3339 date and time with a zone) wherever they come from.

One parser for every place a person or a report hands us a moment: report fields (XDMoD ``dt``, CSV
``measured_at``), ``import_usage --measured-at`` and the admin upload's "Measured at". A moment without a
zone is refused rather than guessed: a report read as UTC on one machine and local time on another would
move samples by hours. Every moment comes back in UTC.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

EXAMPLE = "2026-11-28T00:00:00Z"

# Fractions of a second beyond microseconds (RFC 3339 allows any number of digits): Python keeps six.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_moment(text: str, *, utc_only: bool = False) -> datetime.datetime:
    """The moment ``text`` names, in UTC. Raises ValueError with a message that says what is wrong.

    Accepts ISO 8601 with ``T`` or a space, any number of fraction digits, and a zone written ``Z``/``z``,
    ``+hh:mm``, ``+hhmm`` or `` UTC``. With ``utc_only`` (XDMoD: its schema says UTC) an offset other than
    zero is refused too.
    """
    candidate = text.strip()
    if candidate[-1:] == "z":
        candidate = candidate[:-1] + "Z"
    elif candidate[-4:].upper() in (" UTC", " GMT"):
        candidate = candidate[:-4] + "Z"
    if candidate[10:11] == "t":
        candidate = f"{candidate[:10]}T{candidate[11:]}"
    candidate = _LONG_FRACTION.sub(r"\1", candidate, count=1)
    try:
        moment = datetime.datetime.fromisoformat(candidate)
    except ValueError:
        raise ValueError(
            gettext("%(text)s is not an ISO 8601 date and time such as %(example)s")
            % {"text": repr(text), "example": EXAMPLE}
        ) from None
    if len(candidate) < 11 or candidate[10] not in "Tt ":
        raise ValueError(
            gettext("%(text)s is a date without a time of day: write it like %(example)s")
            % {"text": repr(text), "example": EXAMPLE}
        )
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(
            gettext("%(text)s has no time zone: add Z for UTC or an offset such as +01:00") % {"text": repr(text)}
        )
    if utc_only and offset:
        raise ValueError(
            gettext("%(text)s is not in UTC: write it like %(example)s") % {"text": repr(text), "example": EXAMPLE}
        )
    return moment.astimezone(datetime.UTC)


def format_moment(moment: datetime.datetime) -> str:
    """A moment as people and reports write it in UTC: ``2026-11-28T00:00:00Z``."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def clock_skew() -> datetime.timedelta:
    """How far in the future a reported moment may lie (the storage system's clock may run a little ahead)."""
    return datetime.timedelta(seconds=getattr(settings, "CAPACITY_CLOCK_SKEW_SECONDS", 300))


def latest_acceptable(now: datetime.datetime | None = None) -> datetime.datetime:
    """The last moment a report may name: now plus the allowed clock skew."""
    return (now or timezone.now()) + clock_skew()


def future_reason(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> str:
    """Why ``moment`` is refused as lying in the future."""
    now = now or timezone.now()
    skew = int(clock_skew().total_seconds())
    return (
        f"{format_moment(moment)} is in the future (it is now {format_moment(now.replace(microsecond=0))}; "
        f"at most {_duration(skew)} of clock skew is allowed)"
    )


def _duration(seconds: int) -> str:
    if seconds % 60 == 0 and seconds >= 60:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
