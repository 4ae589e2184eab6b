"""Teams and projects with the figures of their pages (dashboard.selectors), and each team's daily usage."""

from __future__ import annotations

from functools import cached_property

from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action

from api.filtersets import ProjectFilterSet, TeamFilterSet
from api.serializers.people import ProjectSerializer, TeamSerializer
from api.serializers.usage import TeamDayUsageSerializer
from api.views.base import ApiViewMixin
from api.views.series import DATE_RANGE_PARAMETERS, daily_series
from dashboard.selectors.projects import project_rows
from dashboard.selectors.teams import team_rows
from dashboard.selectors.usage import latest_sample_day
from inventory.models import ResearchProject, Team, TeamDailyUsage


class TeamViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Teams with allocated, used, % used and growth over 7 and 30 days (growth up to the newest sample's day)."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    lookup_field = "slug"
    queryset = Team.objects.none()  # for the permission class's model; rows come from the selector

    @cached_property
    def latest_day(self):
        # Once per request: the permission check asks for the queryset too.
        return latest_sample_day()

    def get_queryset(self):
        if self.action == "usage":
            return Team.objects.all()
        return team_rows(latest_day=self.latest_day)

    @extend_schema(parameters=DATE_RANGE_PARAMETERS, responses=TeamDayUsageSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=TeamDayUsageSerializer, filterset_class=None)
    def usage(self, request, slug=None):
        """The team's usage per UTC day, from the daily team rollup (what the growth columns read)."""
        team = generics.GenericAPIView.get_object(self)
        return daily_series(self, TeamDailyUsage.objects.filter(team=team))


class ProjectViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Research projects with their active allocations' count, allocated, used and % used."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = ResearchProject.objects.none()

    def get_queryset(self):
        return project_rows()
