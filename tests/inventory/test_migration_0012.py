"""Migration 0012: the free-text institutions of teams become Institution records, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("inventory", "0011_hardening_role_permissions")]
AFTER = [("inventory", "0012_institutions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# serialized_rollback: the flush after a transactional test would otherwise drop the roles the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_institution_per_distinct_name_and_back():
    apps = _migrate(BEFORE)
    try:
        Team = apps.get_model("inventory", "Team")
        for slug, institution in [("a", "NTNU"), ("b", " NTNU "), ("c", ""), ("d", "University of Bergen")]:
            Team.objects.create(name=slug.upper(), slug=slug, institution=institution)
        apps = _migrate(AFTER)
        Team = apps.get_model("inventory", "Team")
        Institution = apps.get_model("inventory", "Institution")
        assert sorted(Institution.objects.values_list("slug", "name")) == [
            ("ntnu", "NTNU"),
            ("university-of-bergen", "University of Bergen"),
        ]
        linked = dict(Team.objects.values_list("slug", "institution__name"))
        assert linked == {"a": "NTNU", "b": "NTNU", "c": None, "d": "University of Bergen"}
        Group = apps.get_model("auth", "Group")
        infra = Group.objects.get(name="Infrastructure admins").permissions
        assert infra.filter(codename__in=["change_institution", "change_tierprice"]).count() == 2
        managers = Group.objects.get(name="Allocation managers").permissions
        assert list(managers.filter(codename__endswith="institution").values_list("codename", flat=True)) == [
            "view_institution"
        ]
        apps = _migrate(BEFORE)
        Team = apps.get_model("inventory", "Team")
        assert dict(Team.objects.values_list("slug", "institution")) == {
            "a": "NTNU",
            "b": "NTNU",
            "c": "",
            "d": "University of Bergen",
        }
        Team.objects.all().delete()
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
