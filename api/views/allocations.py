"""Allocations: read as on the allocation list; created, changed, approved and denied through the services.

The service's capacity check answers 409 with the admin's own sentence; other refusals 400 under their
field (api.errors). A trigger that fires on a race is explained as in the admin, never a 500.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError
from django.db.models import DateField, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filtersets import AllocationFilterSet
from api.pagination import SeriesCursorPagination
from api.permissions import HasPermission, TokenScope
from api.serializers.allocations import (
    AllocationSerializer,
    AllocationWriteSerializer,
    DecisionSerializer,
    StaffAllocationSerializer,
)
from api.serializers.usage import AllocationDayUsageSerializer
from api.views.base import ApiViewMixin
from api.views.series import DATE_RANGE_PARAMETERS, date_range
from dashboard.selectors.allocations import allocation_rows
from inventory.admin.base import refusal_from
from inventory.models import Allocation, UsageSample
from inventory.services.allocations import approve_allocation, deny_allocation, save_allocation
from inventory.services.conflicts import retry_on_conflict

APPROVE_PERMISSION = "inventory.approve_allocation"


class AllocationViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Allocations with project, team, pool, % used and threshold state (staff also see requester and approver)."""

    filterset_class = AllocationFilterSet
    queryset = Allocation.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    #: Where constraint messages go (api.errors): the fields a client sends.
    write_fields = tuple(AllocationWriteSerializer().fields)

    def get_queryset(self):
        if self.action == "usage":
            return Allocation.objects.all()
        return allocation_rows(staff=self.request.user.is_staff)

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return AllocationWriteSerializer
        if self.action in ("approve", "deny"):
            return DecisionSerializer
        if self.action == "usage":
            return AllocationDayUsageSerializer
        return StaffAllocationSerializer if self.request.user.is_staff else AllocationSerializer

    def get_permissions(self):
        if self.action in ("approve", "deny"):
            self.required_permission = APPROVE_PERMISSION
            return [HasPermission(), TokenScope()]
        return super().get_permissions()

    def _answer(self, allocation: Allocation, code: int = status.HTTP_200_OK) -> Response:
        row = allocation_rows(staff=self.request.user.is_staff).get(pk=allocation.pk)
        serializer_class = StaffAllocationSerializer if self.request.user.is_staff else AllocationSerializer
        return Response(serializer_class(row, context=self.get_serializer_context()).data, status=code)

    def _refused_by_database(self, error: IntegrityError) -> Response:
        """A trigger or constraint refused the write after a race: 409 with the admin's sentence.

        A lost race itself (deadlock, serialization failure) is retried once by retry_on_conflict and then
        answers 409 through api.errors (code ``concurrent_change``).
        """
        return Response({"detail": refusal_from(error).message}, status=status.HTTP_409_CONFLICT)

    @extend_schema(request=AllocationWriteSerializer, responses={201: StaffAllocationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AllocationWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = {"start_date": timezone.localdate(), **serializer.validated_data}
        allocation = Allocation(**data, requested_by=request.user)
        if allocation.status == Allocation.Status.ACTIVE:
            # Creating an active allocation is approving it (as the admin's save does).
            allocation.approved_by, allocation.approved_at = request.user, timezone.now()
        allocation._history_user = request.user
        try:
            retry_on_conflict(lambda: save_allocation(allocation=allocation))
        except IntegrityError as error:
            return self._refused_by_database(error)
        return self._answer(allocation, status.HTTP_201_CREATED)

    @extend_schema(request=AllocationWriteSerializer, responses=StaffAllocationSerializer)
    def partial_update(self, request, *args, **kwargs):
        allocation = generics.GenericAPIView.get_object(self)
        serializer = AllocationWriteSerializer(
            allocation, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        was_active = allocation.status == Allocation.Status.ACTIVE
        instance = Allocation.objects.get(pk=allocation.pk)
        for field, value in serializer.validated_data.items():
            setattr(instance, field, value)
        if instance.status == Allocation.Status.ACTIVE and not was_active and instance.approved_by_id is None:
            instance.approved_by = request.user
            instance.approved_at = timezone.now()
        instance._history_user = request.user
        try:
            retry_on_conflict(lambda: save_allocation(allocation=instance))
        except IntegrityError as error:
            return self._refused_by_database(error)
        return self._answer(instance)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=DecisionSerializer, responses=StaffAllocationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Make a requested allocation active (it must fit its pool: 409 with the numbers if not)."""
        allocation = generics.GenericAPIView.get_object(self)
        try:
            allocation = retry_on_conflict(lambda: approve_allocation(allocation=allocation, approved_by=request.user))
        except IntegrityError as error:
            return self._refused_by_database(error)
        return self._answer(allocation)

    @extend_schema(request=DecisionSerializer, responses=StaffAllocationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def deny(self, request, pk=None):
        """Deny a requested allocation."""
        allocation = generics.GenericAPIView.get_object(self)
        allocation = retry_on_conflict(lambda: deny_allocation(allocation=allocation, denied_by=request.user))
        return self._answer(allocation)

    @extend_schema(parameters=DATE_RANGE_PARAMETERS, responses=AllocationDayUsageSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def usage(self, request, pk=None):
        """The allocation's last sample of each UTC day (the rule the daily rollups use)."""
        allocation = generics.GenericAPIView.get_object(self)
        bounds = date_range(request)
        samples = _last_of_day(allocation.pk)
        if "start" in bounds:
            samples = samples.filter(day__gte=bounds["start"])
        if "end" in bounds:
            samples = samples.filter(day__lte=bounds["end"])
        paginator = SeriesCursorPagination()
        page = paginator.paginate_queryset(samples, request, view=self)
        return paginator.get_paginated_response(AllocationDayUsageSerializer(page, many=True).data)


def _utc_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=datetime.UTC, output_field=DateField())


def _last_of_day(allocation_id: int):
    """The allocation's samples that have no later sample on the same UTC day, with that ``day``."""
    samples = UsageSample.objects.filter(allocation_id=allocation_id).annotate(day=_utc_day("measured_at"))
    later_same_day = UsageSample.objects.filter(
        allocation_id=allocation_id,
        measured_at__gt=OuterRef("measured_at"),
    ).annotate(sample_day=_utc_day("measured_at"))
    later_same_day = later_same_day.filter(sample_day=OuterRef("day"))
    return samples.filter(~Exists(later_same_day))
