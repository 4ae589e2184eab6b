"""Recording a single usage sample by hand (the admin); the imports have their own bulk path."""

import datetime

from django.db import transaction
from django.db.models import Q

from inventory.models import Allocation, UsageSample
from inventory.services.rollups import refresh_daily_usage


def save_usage_sample(*, sample: UsageSample) -> UsageSample:
    """Validate and save a sample, then keep the allocation's latest usage and the daily rollups true.

    The same rules as an import: the allocation's latest usage changes only when this sample is
    at least as new as what it shows, and the rollups are recomputed for the day (and for the day
    it moved from, when an existing sample's moment changed).
    """
    with transaction.atomic():
        previous_day = None
        if sample.pk:
            before = UsageSample.objects.filter(pk=sample.pk).values_list("measured_at", flat=True).first()
            previous_day = before.astimezone(datetime.UTC).date() if before else None
        sample.full_clean()
        sample.save()
        Allocation.objects.filter(pk=sample.allocation_id).filter(
            Q(usage_measured_at__isnull=True) | Q(usage_measured_at__lte=sample.measured_at)
        ).update(
            used_bytes=sample.used_bytes,
            physical_used_bytes=sample.physical_used_bytes,
            file_count=sample.file_count,
            usage_measured_at=sample.measured_at,
        )
        days = {sample.measured_at.astimezone(datetime.UTC).date()}
        if previous_day:
            days.add(previous_day)
        refresh_daily_usage(days=days)
    return sample
