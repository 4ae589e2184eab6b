"""Recording and removing single usage samples by hand (the admin); the imports have their own bulk path.

Both end in the usage-state service, which recomputes the allocation's latest usage, its enforced limit and
the daily rollups from the samples as they now are.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from inventory.models import UsageSample
from inventory.services.usage_state import refresh_usage_state


def save_usage_sample(*, sample: UsageSample) -> UsageSample:
    """Validate and save a sample (new or changed); the state follows, also when it moved or changed allocation."""
    with transaction.atomic():
        before = None
        if sample.pk:
            before = UsageSample.objects.filter(pk=sample.pk).values("allocation_id", "measured_at").first()
        sample.full_clean()
        sample.save()
        allocations = {sample.allocation_id}
        moments = {sample.measured_at}
        if before:
            allocations.add(before["allocation_id"])
            moments.add(before["measured_at"])
        refresh_usage_state(allocation_ids=allocations, moments=moments)
    return sample


def delete_usage_samples(*, samples: QuerySet[UsageSample]) -> int:
    """Delete these samples; every allocation they belonged to shows what its remaining samples say."""
    with transaction.atomic():
        touched = list(samples.order_by().values_list("allocation_id", "measured_at"))
        deleted, _by_model = UsageSample.objects.filter(pk__in=samples.values("pk")).delete()
        refresh_usage_state(
            allocation_ids={allocation_id for allocation_id, _moment in touched},
            moments={moment for _allocation, moment in touched},
        )
    return deleted
