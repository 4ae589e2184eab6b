"""Shared pieces of the inventory's ModelAdmins: database refusals as form errors, capacity columns, history."""

from __future__ import annotations

import datetime
import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, OperationalError, connections, models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from inventory.admin.forms import CONSTRAINT_MESSAGES, FIELDS_FOR_CONSTRAINT, DatabaseRefusal
from inventory.fields import BytesField
from inventory.services.conflicts import BUSY_MESSAGE, is_concurrency_failure
from inventory.storage_search import array_condition, pool_condition
from inventory.units import NO_VALUE, format_capacity, format_capacity_exact

# The triggers of migration 0003 print byte counts: "... 900000000000000 bytes allocated + 500 requested > 1000 allowed".
_TRIGGER_BYTES = re.compile(
    r"(?<![\w.])(\d+)(?: bytes)?(?= (?:allocated|requested|allowed|usable|in (?:other )?pools)|$| >)"
)


def _in_units(text: str) -> str:
    return _TRIGGER_BYTES.sub(lambda match: format_capacity(int(match.group(1))), text)


def refusal_from(error: IntegrityError) -> DatabaseRefusal:
    """Name the rule PostgreSQL enforced (byte counts in units), and say that nothing was saved."""
    diag = getattr(error.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    detail = getattr(diag, "message_primary", None) or str(error)
    if constraint in {"allocation_fits_pool", "pool_fits_array", "pool_holds_allocations", "array_holds_pools"}:
        detail = _in_units(detail)
    if constraint in CONSTRAINT_MESSAGES:
        detail = str(CONSTRAINT_MESSAGES[constraint]).rstrip(".")
    elif constraint in FIELDS_FOR_CONSTRAINT:
        detail = gettext("%(detail)s (rule “%(constraint)s”)") % {"detail": detail, "constraint": constraint}
    return DatabaseRefusal(
        constraint=constraint,
        message=gettext(
            "The database refused to save this, probably because someone else changed the same capacity "
            "at the same moment: %(detail)s. Nothing was saved; check the figures and save again."
        )
        % {"detail": detail},
    )


BUSY_REFUSAL = DatabaseRefusal(constraint="", message=BUSY_MESSAGE)


def busy_refusal() -> DatabaseRefusal:
    """BUSY_REFUSAL in the active language."""
    return DatabaseRefusal(constraint="", message=gettext(BUSY_MESSAGE))


class DatabaseRulesAdmin(admin.ModelAdmin):
    """Shows a database refusal (trigger or constraint, e.g. after a race) on the form instead of a 500.

    The admin's change view runs in one transaction, which the IntegrityError has
    rolled back, so nothing was written. The same POST is validated again with the
    refusal attached to the form: the page shows the message and keeps every value typed.
    A deadlock or serialization failure is tried once more first, then shown the same way.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        retried = False
        while True:
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except IntegrityError as error:
                if request.method != "POST" or getattr(request, "capacity_database_refusal", None):
                    raise
                request.capacity_database_refusal = refusal_from(error)
            except OperationalError as error:
                if request.method != "POST" or not is_concurrency_failure(error):
                    raise
                if not retried:
                    # Nothing was written (the transaction rolled back): the same POST again, once.
                    retried = True
                    continue
                if getattr(request, "capacity_database_refusal", None):
                    raise
                request.capacity_database_refusal = busy_refusal()
            # Validate the same POST again with the refusal on the form: the page shows it, nothing is saved.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def action_checkbox(self, obj):
        """The same checkbox as Django's, without a form widget and its templates for every row.

        Rendering a CheckboxInput through the form renderer costs about a third of a big
        changelist's per-row time.
        """
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        extra = {"can_approve": can_approve(request)}
        refusal = getattr(request, "capacity_database_refusal", None)
        if refusal is not None:
            extra["database_refusal"] = refusal
        return type(form.__name__, (form,), extra)


def can_approve(request) -> bool:
    return request.user.has_perm("inventory.approve_allocation")


class ServiceFormsetMixin:
    """Inline rows are saved through the services, like the object's own form.

    For a parent admin (a project's or pool's page with allocation rows, an array's page with pool rows):
    an allocation made active in a row is approved by the user who saved it, with the time, and every
    rule of the service applies. Deleted rows are deleted as Django would.
    """

    def save_formset(self, request, form, formset, change):
        from inventory.models import Allocation, StoragePool
        from inventory.services.allocations import save_allocation
        from inventory.services.storage import save_pool

        savers = {
            Allocation: lambda obj: save_allocation(allocation=obj, user=request.user),
            StoragePool: lambda obj: save_pool(pool=obj),
        }
        saver = savers.get(formset.model)
        if saver is None:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            obj._history_user = request.user
            saver(obj)
        formset.save_m2m()
        return None


class AllocationInlineMixin:
    """Allocation inlines: the approval rule applies to their rows too."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"can_approve": can_approve(request)})
        return formset


class TextListFilter(admin.SimpleListFilter):
    """A filter typed in a text box rather than picked from links: one per pool or array was hundreds of
    links on every list page (the wide shape's 600 pools and 160 arrays; bench/ANALYSIS.md).

    Subclasses name ``parameter_name``, ``title``, a ``placeholder`` and ``condition(value)`` (a Q).
    The box submits with the list's other parameters (search, ordering, other filters) kept.
    """

    template = "admin/inventory/text_list_filter.html"
    placeholder = ""

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def condition(self, value: str):
        raise NotImplementedError

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(self.condition(value)) if value else queryset

    def choices(self, changelist):
        # One "choice": what the template needs to draw the box (Django's filter templates loop over these).
        kept = [(name, value) for name, value in changelist.get_filters_params().items() if name != self.parameter_name]
        for name in ("q", "o"):  # the search and the ordering are not filters but stay too
            if changelist.params.get(name):
                value = changelist.params[name]
                kept.append((name, value[-1] if isinstance(value, list) else value))
        yield {
            "name": self.parameter_name,
            "value": self.value() or "",
            "placeholder": self.placeholder,
            "kept": [(name, value[-1] if isinstance(value, list) else value) for name, value in kept],
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }


def pool_text_filter(path: str = "pool"):
    """A TextListFilter on the pool reached through *path* (``pool``, ``allocation__pool``): ``?pool=``."""

    class PoolTextFilter(TextListFilter):
        title = _("pool")
        parameter_name = "pool"
        placeholder = _("Pool slug or name")

        def condition(self, value):
            return pool_condition(value, path)

    return PoolTextFilter


class ArrayTextFilter(TextListFilter):
    """``?array=``: allocations on the array typed (slug, or words of its name)."""

    title = _("array")
    parameter_name = "array"
    placeholder = _("Array slug or name")

    def condition(self, value):
        return array_condition(value, "pool__array")


class RecentListFilter(admin.SimpleListFilter):
    """A filter on how recent a date or moment is, with fixed choices.

    Django's ``date_hierarchy`` (and a ``list_filter`` on the field itself) asks the
    database for every distinct month or value first, a full scan of a big table on
    every page view; these choices need no query at all.
    """

    field_name: str = ""
    #: (parameter value, label, how far back)
    periods: tuple[tuple[str, str, datetime.timedelta], ...] = (
        ("1d", _("Last 24 hours"), datetime.timedelta(days=1)),
        ("7d", _("Last 7 days"), datetime.timedelta(days=7)),
        ("30d", _("Last 30 days"), datetime.timedelta(days=30)),
        ("90d", _("Last 90 days"), datetime.timedelta(days=90)),
    )

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _period in self.periods]

    def queryset(self, request, queryset):
        for value, _label, period in self.periods:
            if self.value() == value:
                return queryset.filter(**{f"{self.field_name}__gte": self.since(queryset, period)})
        return queryset

    def since(self, queryset, period: datetime.timedelta):
        field = queryset.model._meta.get_field(self.field_name)
        if isinstance(field, models.DateTimeField):
            return timezone.now() - period
        return timezone.localdate() - period


class StartedListFilter(RecentListFilter):
    """Allocations and projects by how recently they started (in place of a date hierarchy)."""

    title = _("started")
    parameter_name = "started"
    field_name = "start_date"
    periods = (
        ("30d", _("In the last 30 days"), datetime.timedelta(days=30)),
        ("90d", _("In the last 90 days"), datetime.timedelta(days=90)),
        ("365d", _("In the last 12 months"), datetime.timedelta(days=365)),
    )


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except an unfiltered list of a big table: then PostgreSQL's own estimate.

    ``SELECT COUNT(*)`` of millions of rows reads them all (a tenth of a second and more,
    on every page view) only to print the total and the page links. When the list has no
    WHERE clause, the row estimate the planner keeps in ``pg_class.reltuples`` (refreshed
    by VACUUM, ANALYZE and autovacuum) is close enough for that; below ``exact_below``
    rows, or when the table was never analysed, the count is exact (and cheap).
    """

    exact_below = 100_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            estimate = self._estimate(self.object_list.db, self.object_list.model._meta.db_table)
            if estimate >= self.exact_below:
                return estimate
            # Every row of the table is listed once: count the table, not the list's query
            # (which may GROUP BY a join to compute figures, see FiguresAdminMixin).
            return self.object_list.model._default_manager.using(self.object_list.db).count()
        return super().count

    @staticmethod
    def _estimate(alias: str, table: str) -> int:
        with connections[alias].cursor() as cursor:
            # reltuples is -1 until the table is first analysed (PostgreSQL 14+).
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
        return row[0] if row else -1


class FiguresChangeList(ChangeList):
    """A changelist whose total ("N total") counts the rows without computing their figures."""

    def get_results(self, request):
        with_figures = self.root_queryset
        self.root_queryset = self.model_admin.get_queryset_without_figures(request)
        try:
            super().get_results(request)
        finally:
            self.root_queryset = with_figures


class FiguresAdminMixin:
    """For lists whose ``get_queryset`` adds figures aggregated over a join (GROUP BY each row).

    Django counts such a list by running the whole aggregation again, twice (the page
    links and the unfiltered total). The unfiltered list and the total count the table instead.
    """

    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return FiguresChangeList

    def get_queryset_without_figures(self, request):
        return super().get_queryset(request)


def capacity(value) -> str:
    """Bytes in decimal units for list columns and read-only fields ("2.00 PB", "—" when unknown)."""
    return format_capacity(value) if value is not None else NO_VALUE


def signed_capacity(value) -> str:
    """A difference in bytes: "+10.0 TB", "-1.00 TB"; "—" for none or zero."""
    if value is None or value == 0:
        return NO_VALUE
    text = format_capacity(value)
    return text if value < 0 else f"+{text}"


def ratio(value) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:.2f} : 1"


class CapacityHistoryContextHelper(HistoricalRecordContextHelper):
    """History diffs with capacities in units (exactly, so two different values never look the same)."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, BytesField) and isinstance(value, int):
            return format_capacity_exact(value)
        return super().prepare_delta_change_value(change, value)


class ReadOnlyMixin:
    """For records that only the product writes (imports, collection runs, notifications, requests): the admin
    shows them but adds or changes none. Deleting stays each admin's own choice."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class HistoryAdmin(DatabaseRulesAdmin, SimpleHistoryAdmin):
    """Who changed what and when, field by field (django-simple-history), with capacities in units.

    History is read-only here: simple-history's "Revert" saves an old version straight through
    the form, bypassing the services and their capacity rules, and checks only the view
    permission. SIMPLE_HISTORY_REVERT_DISABLED hides the button; a POST is refused with 403.
    """

    def _valid_id(self, value, field) -> bool:
        try:
            field.to_python(unquote(str(value)))
        except (ValidationError, ValueError, TypeError):
            return False
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not self._valid_id(object_id, self.model._meta.pk):
            raise Http404(gettext("No such object."))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not (
            self._valid_id(object_id, self.model._meta.pk)
            and self._valid_id(version_id, history_model._meta.get_field("history_id"))
        ):
            raise Http404(gettext("No such version."))
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(gettext("Reverting to an old version is switched off: change the object itself."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return CapacityHistoryContextHelper(self.model, historical_record)
