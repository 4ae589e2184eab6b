"""Institutions become records (teams belong to one) and pool tiers get a price per TB-month (showback).

``Team.institution`` was free text: every distinct non-empty name becomes one Institution (names that
differ only in surrounding spaces are one), and each team points at its own. Empty text becomes no
institution. Infrastructure admins may edit both new models; allocation managers may view them.
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.utils.text import slugify

INFRASTRUCTURE_ADMINS = "Infrastructure admins"
ALLOCATION_MANAGERS = "Allocation managers"
MODELS = ("institution", "tierprice")


def institutions_from_text(apps, schema_editor):
    Institution = apps.get_model("inventory", "Institution")
    Team = apps.get_model("inventory", "Team")
    names = sorted({t.strip() for t in Team.objects.values_list("institution", flat=True) if t and t.strip()})
    taken: set[str] = set()
    by_name = {}
    for name in names:
        base = slugify(name)[:90] or "institution"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        by_name[name] = Institution.objects.create(name=name, slug=slug)
    for team in Team.objects.exclude(institution=""):
        institution = by_name.get(team.institution.strip())
        if institution is not None:
            Team.objects.filter(pk=team.pk).update(institution_link=institution)
    # The foreign key's checks are deferred; the column drop that follows needs none pending.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def institutions_to_text(apps, schema_editor):
    Team = apps.get_model("inventory", "Team")
    for team in Team.objects.filter(institution_link__isnull=False).select_related("institution_link"):
        Team.objects.filter(pk=team.pk).update(institution=team.institution_link.name)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the roles need these now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    mine = Permission.objects.filter(content_type__app_label="inventory", content_type__model__in=MODELS)
    for group in Group.objects.filter(name=INFRASTRUCTURE_ADMINS):
        group.permissions.add(*mine)
    for group in Group.objects.filter(name=ALLOCATION_MANAGERS):
        group.permissions.add(*mine.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0011_hardening_role_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Institution",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True)),
                ("slug", models.SlugField(max_length=100, unique=True)),
                (
                    "short_name",
                    models.CharField(blank=True, help_text="For example UiO, NTNU, UiB, UiT.", max_length=50),
                ),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="team",
            name="institution_link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="teams",
                to="inventory.institution",
            ),
        ),
        migrations.RunPython(institutions_from_text, institutions_to_text),
        migrations.RemoveField(model_name="team", name="institution"),
        migrations.RenameField(model_name="team", old_name="institution_link", new_name="institution"),
        migrations.CreateModel(
            name="TierPrice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "tier",
                    models.CharField(
                        choices=[
                            ("performance", "Performance (flash)"),
                            ("capacity", "Capacity"),
                            ("scratch", "Scratch"),
                            ("archive", "Archive"),
                        ],
                        max_length=20,
                        unique=True,
                    ),
                ),
                (
                    "price_per_tb_month",
                    models.DecimalField(
                        decimal_places=4,
                        help_text="Per decimal terabyte (10^12 bytes) allocated for a whole month.",
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="price per TB-month",
                    ),
                ),
                ("currency", models.CharField(default="NOK", help_text="ISO 4217 code, e.g. NOK, EUR.", max_length=3)),
            ],
            options={
                "verbose_name": "tier price",
                "ordering": ["tier"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("price_per_tb_month__gte", 0)), name="tier_price_non_negative"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
