"""Usage imports (the audit list), pushing a report, and the day's usage as Open XDMoD storage JSON."""

from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filtersets import UsageImportFilterSet
from api.permissions import HasPermission, TokenScope, ViewModelPermissions
from api.serializers.usage import (
    UsageImportSerializer,
    UsageReportResultSerializer,
    UsageReportSerializer,
    XdmodQuerySerializer,
    XdmodRecordSerializer,
)
from api.views.base import ApiViewMixin
from inventory.admin.imports import IMPORT_PERMISSION
from inventory.models import UsageImport, UsageSample
from inventory.services.usage_import import import_usage_file


class UsageImportViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every usage import (command, admin upload or push), newest first: for those who may view imports."""

    queryset = UsageImport.objects.select_related("user", "pool").order_by("-created_at", "-id")
    serializer_class = UsageImportSerializer
    filterset_class = UsageImportFilterSet
    permission_classes = [ViewModelPermissions, TokenScope]


def _problem(item) -> dict:
    return {"record": item.position, "reason": getattr(item, "reason", None) or getattr(item, "message", "")}


class UsageReportView(ApiViewMixin, APIView):
    """Push a usage report: the same import as ``manage.py import_usage`` (atomic, idempotent).

    Answers 201 with what was added and skipped, or 400 with every error and its record (nothing written).
    Needs a read-write token (or session) of someone allowed to import usage.
    """

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [HasPermission, TokenScope]
    required_permission = IMPORT_PERMISSION

    @extend_schema(
        request={"multipart/form-data": UsageReportSerializer},
        responses={
            201: UsageReportResultSerializer,
            200: OpenApiResponse(UsageReportResultSerializer, description="A dry run, or nothing new."),
            400: OpenApiResponse(UsageReportResultSerializer, description="Errors: nothing was written."),
        },
    )
    def post(self, request):
        form = UsageReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        outcome = import_usage_file(
            path_or_file=upload,
            file_name=upload.name,
            format=data["format"],
            pool_slug=data.get("pool") or None,
            quota_trees=data.get("quota_trees"),
            measured_at=data.get("measured_at"),
            dry_run=data["dry_run"],
            user=request.user,
        )
        body = {
            "ok": outcome.ok,
            "import_id": outcome.usage_import.pk if outcome.usage_import else None,
            "file_name": outcome.file_name,
            "format": outcome.format,
            "dry_run": outcome.dry_run,
            "records": outcome.records,
            "added": outcome.added,
            "skipped": outcome.skipped,
            "warnings": [_problem(item) for item in outcome.warnings],
            "errors": [_problem(item) for item in outcome.errors],
            "summary": outcome.summary(),
        }
        if not outcome.ok:
            code = status.HTTP_400_BAD_REQUEST
        elif outcome.added and not outcome.dry_run:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response(body, status=code)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return start, start + datetime.timedelta(days=1)


def _xdmod_record(sample: UsageSample) -> dict:
    """One sample as an Open XDMoD storage-realm record (what ``import_usage --format xdmod`` reads back)."""
    allocation = sample.allocation
    record = {
        "resource": allocation.pool.slug,
        "mountpoint": allocation.quota_id,
        # XDMoD wants an owner and a PI (30 characters at most): the project and its investigator.
        "user": allocation.project.code[:30],
        "pi": allocation.project.principal_investigator.username[:30],
        "dt": sample.measured_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "file_count": sample.file_count or 0,
        "logical_usage": sample.used_bytes,
    }
    if sample.physical_used_bytes is not None:
        record["physical_usage"] = sample.physical_used_bytes
    if sample.soft_limit_bytes is not None:
        record["soft_threshold"] = sample.soft_limit_bytes
    if sample.hard_limit_bytes is not None:
        record["hard_threshold"] = sample.hard_limit_bytes
    return record


class XdmodExportView(ApiViewMixin, APIView):
    """Every usage sample measured on one UTC day, as an Open XDMoD storage-realm JSON array.

    Allocations without a quota identifier are left out: XDMoD (and our own import) match by it.
    """

    @extend_schema(parameters=[XdmodQuerySerializer], responses=XdmodRecordSerializer(many=True))
    def get(self, request):
        query = XdmodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = _day_bounds(query.validated_data["date"])
        samples = (
            UsageSample.objects.filter(measured_at__gte=start, measured_at__lt=end)
            .exclude(allocation__quota_id="")
            .select_related("allocation__pool", "allocation__project__principal_investigator")
            .only(
                "measured_at",
                "used_bytes",
                "physical_used_bytes",
                "file_count",
                "soft_limit_bytes",
                "hard_limit_bytes",
                "allocation__quota_id",
                "allocation__pool__slug",
                "allocation__project__code",
                "allocation__project__principal_investigator__username",
            )
            .order_by("allocation__pool__slug", "allocation__quota_id", "measured_at")
        )
        return Response([_xdmod_record(sample) for sample in samples.iterator(chunk_size=2000)])
