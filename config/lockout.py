"""The page django-axes shows a locked-out login (site or admin)."""

import math

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, *args, **kwargs):
    """429 with the lockout's length in minutes and how to get unlocked."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
