"""Requests for storage: researchers ask (a new allocation, a larger quota, a later end date) and follow them;
allocation managers approve or deny, through approvals.services with the queue's rules and locks.

A capacity refusal on approval answers 409 with the sentence the queue shows (api.errors); who may ask is
the service's rule (the project's principal investigator, or its team's members by setting): 403 otherwise.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.permissions import HasPermission, TokenScope
from api.serializers.allocations import DecisionSerializer
from api.serializers.requests import AllocationRequestSerializer, AllocationRequestWriteSerializer
from api.views.base import ApiViewMixin
from approvals import selectors, services
from approvals.models import AllocationRequest
from approvals.rules import APPROVE_PERMISSION
from inventory.services.conflicts import retry_on_conflict


class AllocationRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AllocationRequest.Status.choices)
    kind = django_filters.ChoiceFilter(choices=AllocationRequest.Kind.choices)
    project = django_filters.CharFilter(field_name="allocation__project__code", label="Project (code)")
    team = django_filters.CharFilter(field_name="allocation__project__team__slug", label="Team (slug)")

    class Meta:
        model = AllocationRequest
        fields = []


class AllocationRequestViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Requests, newest first: all of them for the admin roles, otherwise those of the caller's teams and projects."""

    queryset = AllocationRequest.objects.none()
    serializer_class = AllocationRequestSerializer
    filterset_class = AllocationRequestFilterSet
    write_fields = tuple(AllocationRequestWriteSerializer().fields)

    def get_queryset(self):
        return selectors.visible_requests(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AllocationRequestWriteSerializer
        if self.action in ("approve", "deny"):
            return DecisionSerializer
        return AllocationRequestSerializer

    def get_permissions(self):
        if self.action in ("approve", "deny"):
            self.required_permission = APPROVE_PERMISSION
            return [HasPermission(), TokenScope()]
        # Anyone signed in may ask; approvals.services decides whether they may ask for *this* project.
        return [permissions.IsAuthenticated(), TokenScope()]

    def _answer(self, allocation_request: AllocationRequest, code: int = status.HTTP_200_OK) -> Response:
        row = selectors.visible_requests(self.request.user).get(pk=allocation_request.pk)
        return Response(AllocationRequestSerializer(row, context=self.get_serializer_context()).data, status=code)

    def _reason(self, request) -> str:
        """The decision's note, read by the schema's own DecisionSerializer (empty when not sent)."""
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        return decision.validated_data["reason"]

    @extend_schema(request=AllocationRequestWriteSerializer, responses={201: AllocationRequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AllocationRequestWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == AllocationRequest.Kind.NEW:
            created = retry_on_conflict(
                lambda: services.request_allocation(
                    project=data["project"],
                    pool=data["pool"],
                    quota_bytes=data["quota_bytes"],
                    end_date=data.get("end_date"),
                    justification=data["justification"],
                    requested_by=request.user,
                )
            )
        else:
            created = retry_on_conflict(
                lambda: services.request_change(
                    allocation=data["allocation"],
                    quota_bytes=data.get("quota_bytes"),
                    end_date=data.get("end_date"),
                    justification=data["justification"],
                    requested_by=request.user,
                )
            )
        return self._answer(created, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=AllocationRequestSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Approve: a new allocation becomes active, a change is applied (409 with the numbers if it does not fit)."""
        allocation_request = generics.GenericAPIView.get_object(self)
        reason = self._reason(request)
        decided = retry_on_conflict(
            lambda: services.approve_request(
                allocation_request=allocation_request, decided_by=request.user, reason=reason
            )
        )
        return self._answer(decided)

    @extend_schema(request=DecisionSerializer, responses=AllocationRequestSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def deny(self, request, pk=None):
        """Deny with a reason the requester reads (400 naming ``reason`` without one)."""
        allocation_request = generics.GenericAPIView.get_object(self)
        reason = self._reason(request)
        decided = retry_on_conflict(
            lambda: services.deny_request(allocation_request=allocation_request, decided_by=request.user, reason=reason)
        )
        return self._answer(decided)
