"""Admin forms that apply the capacity rules and put every refusal next to the field it is about.

Three layers refuse bad capacity figures, and each must reach the person as a
message on the form, never as a server error:

1. the model's check and unique constraints (validated by every ModelForm;
   :class:`RulesFormMixin` moves their messages from the top of the form to the
   field concerned);
2. the lock-and-check functions of ``inventory.services.capacity``, called from
   ``clean()``: the admin's change view runs in one transaction, so the row lock
   they take lasts until the object is saved;
3. the PostgreSQL triggers, which only fire on a race; the admin's
   ``changeform_view`` turns their IntegrityError into a :class:`DatabaseRefusal`
   shown by the re-validated form (see ``inventory.admin.base``).

Inline formsets add one more check: the rows of one submit are checked together
(two new allocations may each fit a pool and still overfill it together).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet, construct_instance
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory import figures
from inventory.models import Allocation, StorageArray, StoragePool
from inventory.services.capacity import check_allocation_fits, check_array_holds_pools, check_pool_fits
from inventory.units import format_capacity

# Which form field a constraint or trigger is about, by constraint name; the
# first of the candidates that the form shows (and does not hide) gets the message.
FIELDS_FOR_CONSTRAINT: dict[str, tuple[str, ...]] = {
    "array_raw_non_negative": ("raw_bytes",),
    "array_usable_non_negative": ("usable_bytes",),
    "array_usable_within_raw": ("usable_bytes",),
    "array_holds_pools": ("usable_bytes",),
    "pool_capacity_non_negative": ("capacity_bytes",),
    "pool_oversubscription_positive": ("max_oversubscription",),
    "pool_thresholds_ordered": ("warning_threshold", "critical_threshold"),
    "pool_name_unique_per_array": ("name",),
    "pool_fits_array": ("capacity_bytes",),
    "pool_holds_allocations": ("capacity_bytes", "max_oversubscription"),
    "project_ends_after_start": ("end_date",),
    "allocation_quota_non_negative": ("quota_bytes",),
    "allocation_enforced_quota_non_negative": ("enforced_quota_bytes",),
    "allocation_ends_after_start": ("end_date",),
    "one_active_allocation_per_project_and_pool": ("pool", "project", "status"),
    "quota_id_unique_per_pool": ("quota_id",),
    "allocation_fits_pool": ("quota_bytes",),
    "membership_unique": ("user", "team"),
    "sample_unique_per_moment": ("measured_at",),
    "sample_used_non_negative": ("used_bytes",),
    "sample_soft_within_hard": ("soft_limit_bytes", "hard_limit_bytes"),
}


# What a check constraint without a message of its own means, in words (Django would say
# "Constraint “array_usable_within_raw” is violated.").
CONSTRAINT_MESSAGES: dict[str, str] = {
    "array_raw_non_negative": _("The raw capacity cannot be negative."),
    "array_usable_non_negative": _("The usable capacity cannot be negative."),
    "array_usable_within_raw": _("The usable capacity cannot be more than the raw capacity."),
    "pool_capacity_non_negative": _("The capacity cannot be negative."),
    "pool_oversubscription_positive": _("The maximum oversubscription must be more than 0 (1.00 means none)."),
    "allocation_quota_non_negative": _("The quota cannot be negative."),
    "allocation_used_non_negative": _("The used capacity cannot be negative."),
    "allocation_physical_used_non_negative": _("The physical used capacity cannot be negative."),
    "allocation_file_count_non_negative": _("The file count cannot be negative."),
    "allocation_enforced_quota_non_negative": _("The enforced hard limit cannot be negative."),
    "sample_used_non_negative": _("The used capacity cannot be negative."),
    "sample_physical_used_non_negative": _("The physical used capacity cannot be negative."),
    "sample_file_count_non_negative": _("The file count cannot be negative."),
    "sample_soft_limit_non_negative": _("The soft limit cannot be negative."),
    "sample_hard_limit_non_negative": _("The hard limit cannot be negative."),
}


def readable_constraint_message(constraint) -> str:
    """The constraint's own violation message, or ours where it has none (never its bare name)."""
    if (
        constraint.violation_error_message == constraint.default_violation_error_message
        and constraint.name in CONSTRAINT_MESSAGES
    ):
        return str(CONSTRAINT_MESSAGES[constraint.name])
    try:
        return str(constraint.get_violation_error_message())
    except (TypeError, ValueError):
        # A message with a bare "%" cannot be formatted (Django formats it with the name).
        return str(constraint.violation_error_message)


@dataclass(frozen=True)
class DatabaseRefusal:
    """What PostgreSQL refused on the last attempt to save (a trigger or constraint), for the form to show."""

    constraint: str
    message: str


class RulesFormMixin:
    """For ModelForms: constraint messages on their fields, capacity checks in clean(), database refusals.

    Subclasses set ``capacity_check`` to one of the lock-and-check functions; it
    receives an unsaved copy of the instance with the form's values.
    """

    capacity_check = None
    #: Set by the ModelAdmin when the previous attempt to save was refused by the database.
    database_refusal: DatabaseRefusal | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_model_range_validators()

    def _add_model_range_validators(self) -> None:
        """The model fields' bounds (e.g. oversubscription 0.01-10) checked with the form's fields.

        Django runs model validators only after clean(); the capacity checks in clean() would
        otherwise compute with an out-of-range figure (a negative oversubscription gave
        "-500 TB allowed") before the field said what is wrong.
        """
        model_options = self._meta.model._meta
        for name, field in self.fields.items():
            try:
                model_field = model_options.get_field(name)
            except FieldDoesNotExist:
                continue
            for validator in getattr(model_field, "validators", ()):
                if isinstance(validator, MinValueValidator | MaxValueValidator) and validator not in field.validators:
                    field.validators.append(validator)

    # -- where messages go -------------------------------------------------
    def field_for_constraint(self, name: str) -> str | None:
        for field in FIELDS_FOR_CONSTRAINT.get(name, ()):
            if field in self.fields and not self.fields[field].widget.is_hidden:
                return field
        return None

    def _constraint_messages(self) -> dict[str, tuple[str | None, str]]:
        """Each model constraint's violation message as Django words it -> (its field, the message to show)."""
        placed = {}
        for constraint in self._meta.model._meta.constraints:
            field = self.field_for_constraint(constraint.name)
            try:
                text = str(constraint.get_violation_error_message())
            except (TypeError, ValueError):
                text = str(constraint.violation_error_message)
            placed[text] = (field, readable_constraint_message(constraint))
        return placed

    @staticmethod
    def _text(error: ValidationError) -> str:
        try:
            return str(error.message % error.params if error.params else error.message)
        except (TypeError, ValueError, KeyError):
            return str(error.message)

    def _field_for_message(self, error: ValidationError, by_message: dict) -> str | None:
        text = self._text(error)
        if text in by_message:
            return by_message[text][0]
        if error.code == "unique_together" and error.params:
            # Unconditional multi-field unique constraints: the last visible field named.
            for field in reversed(error.params.get("unique_check", ())):
                if field in self.fields and not self.fields[field].widget.is_hidden:
                    return field
        return None

    def add_error(self, field, error):
        """Like Form.add_error, but a constraint's message lands on its field; unknown fields go on top."""
        if field is None:
            if not isinstance(error, ValidationError):
                error = ValidationError(error)
            by_message = self._constraint_messages()
            source = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
            placed: dict[str, list] = defaultdict(list)
            for name, errors in source.items():
                for item in errors:
                    target = name
                    if name == NON_FIELD_ERRORS:
                        target = self._field_for_message(item, by_message) or NON_FIELD_ERRORS
                    elif name not in self.fields:
                        target = NON_FIELD_ERRORS
                    readable = by_message.get(self._text(item), (None, None))[1]
                    if readable is not None and readable != self._text(item):
                        item = ValidationError(readable, code=item.code)
                    placed[target].append(item)
            error = ValidationError(dict(placed))
        super().add_error(field, error)

    # -- checks --------------------------------------------------------------
    def candidate(self):
        """An unsaved copy of the instance carrying this form's cleaned values."""
        return construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)

    def clean(self):
        cleaned_data = super().clean()
        if self.database_refusal is not None:
            field = self.field_for_constraint(self.database_refusal.constraint)
            self.add_error(field, self.database_refusal.message)
        # Only figures that parsed are worth checking (a failed field is already reported).
        if type(self).capacity_check is not None and not self.errors:
            try:
                type(self).capacity_check(self.candidate())
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class StorageArrayForm(RulesFormMixin, forms.ModelForm):
    capacity_check = check_array_holds_pools


class ThresholdsMixin:
    """Warning below critical, checked here so that the field gets the message.

    Once a threshold field has an error, ModelForm skips the database constraint
    `pool_thresholds_ordered` for this form; that also keeps Django from formatting
    the constraint's message, whose "(1-100 %)" is not a valid %-format.
    """

    def clean(self):
        warning = self.cleaned_data.get("warning_threshold")
        critical = self.cleaned_data.get("critical_threshold")
        if warning is not None and critical is not None and warning >= critical:
            self.add_error(
                "warning_threshold",
                gettext(
                    "The warning threshold must be below the critical threshold (1-100 %%): "
                    "%(warning)s %% is not below %(critical)s %%."
                )
                % {"warning": warning, "critical": critical},
            )
        return super().clean()


class StoragePoolForm(ThresholdsMixin, RulesFormMixin, forms.ModelForm):
    capacity_check = check_pool_fits


class ApprovalRuleMixin:
    """Making an allocation active is approving it: only people with the approve permission may.

    The ModelAdmin sets ``can_approve`` from the user's permissions; without it, a
    user who may change allocations (but not approve them) could bypass approval
    by editing the status.
    """

    can_approve = True

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        was_active = self.instance.pk is not None and self.initial.get("status") == Allocation.Status.ACTIVE
        if not self.can_approve and status == Allocation.Status.ACTIVE and not was_active:
            self.add_error("status", gettext("Only users allowed to approve allocations can make one active."))
        return cleaned_data


class AllocationForm(ApprovalRuleMixin, RulesFormMixin, forms.ModelForm):
    capacity_check = check_allocation_fits


class RulesForm(RulesFormMixin, forms.ModelForm):
    """Constraint messages on their fields, no capacity check (sites, teams, projects, ...)."""


def _form_rows(formset) -> list:
    """The forms of a validated formset that will be saved: not deleted, not blank extras."""
    rows = []
    for form in formset.forms:
        if not getattr(form, "cleaned_data", None):
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        rows.append(form)
    return rows


def _existing_pks(formset) -> list[int]:
    return [form.instance.pk for form in formset.initial_forms if form.instance.pk]


class AllocationInlineFormSet(BaseInlineFormSet):
    """Allocations on a project or on a pool: the rows of one submit must fit their pools together."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = _form_rows(self)
        self._check_unique_within_submit(rows)
        self._check_pools(rows)

    def _check_unique_within_submit(self, rows) -> None:
        # Conditional unique constraints are not checked across the rows of a formset by Django.
        seen_active: dict[tuple, object] = {}
        seen_quota_ids: dict[tuple, object] = {}
        for form in rows:
            data = form.cleaned_data
            project, pool = data.get("project"), data.get("pool")
            key = (getattr(project, "pk", id(project)), getattr(pool, "pk", id(pool)))
            if data.get("status") == Allocation.Status.ACTIVE:
                if key in seen_active:
                    field = form.field_for_constraint("one_active_allocation_per_project_and_pool")
                    form.add_error(
                        field, gettext("Another row makes this project's allocation on this pool active too.")
                    )
                seen_active[key] = form
            if data.get("quota_id"):
                quota_key = (key[1], data["quota_id"])
                if quota_key in seen_quota_ids:
                    form.add_error("quota_id", gettext("Another row uses this quota identifier on the same pool."))
                seen_quota_ids[quota_key] = form

    def _check_pools(self, rows) -> None:
        parent_is_pool = isinstance(self.instance, StoragePool)
        by_pool: dict[object, list] = defaultdict(list)
        for form in rows:
            pool = self.instance if parent_is_pool else form.cleaned_data.get("pool")
            if pool is not None:
                by_pool[pool.pk if pool.pk else "new"].append((pool, form))
        excluded = _existing_pks(self)
        for entries in by_pool.values():
            pool = entries[0][0]
            if pool.pk:
                # Lock the pool (until the admin's transaction ends) so the totals below stay true.
                locked = StoragePool.objects.select_for_update().get(pk=pool.pk)
                if not parent_is_pool:
                    pool = locked
            allowed = figures.allowed_bytes(pool.capacity_bytes, pool.max_oversubscription)
            if allowed is None:
                continue
            active = Allocation.objects.filter(pool_id=pool.pk, status=Allocation.Status.ACTIVE) if pool.pk else None
            before = (active.aggregate(total=Sum("quota_bytes"))["total"] or 0) if active is not None else 0
            others = (
                (active.exclude(pk__in=excluded).aggregate(total=Sum("quota_bytes"))["total"] or 0)
                if active is not None
                else 0
            )
            active_rows = [f for _key, f in entries if f.cleaned_data.get("status") == Allocation.Status.ACTIVE]
            requested = sum(f.cleaned_data.get("quota_bytes") or 0 for f in active_rows)
            after = others + requested
            # Like the database trigger: a submit that does not grow the total always passes.
            if after <= allowed or after <= before:
                continue
            message = gettext(
                "Pool %(pool)s cannot take these allocations together: %(others)s is "
                "allocated outside this form and the active rows here total %(requested)s, "
                "but only %(allowed)s is allowed (%(capacity)s capacity "
                "× %(oversubscription)s maximum oversubscription)."
            ) % {
                "pool": pool.name,
                "others": format_capacity(others),
                "requested": format_capacity(requested),
                "allowed": format_capacity(allowed),
                "capacity": format_capacity(pool.capacity_bytes),
                "oversubscription": pool.max_oversubscription,
            }
            for form in active_rows:
                if form.has_changed():
                    form.add_error("quota_bytes", message)


class AllocationInlineForm(ApprovalRuleMixin, RulesFormMixin, forms.ModelForm):
    """One row of an allocation inline: checked alone against the database, then with its formset."""

    capacity_check = check_allocation_fits


class PoolInlineFormSet(BaseInlineFormSet):
    """Pools on an array: the rows of one submit must fit the array's usable capacity together."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        array: StorageArray = self.instance
        if array.usable_bytes is None:
            return
        rows = _form_rows(self)
        pooled_before = 0
        others = 0
        if array.pk:
            StorageArray.objects.select_for_update().filter(pk=array.pk).exists()
            pools = StoragePool.objects.filter(array_id=array.pk)
            pooled_before = pools.aggregate(total=Sum("capacity_bytes"))["total"] or 0
            others = pools.exclude(pk__in=_existing_pks(self)).aggregate(total=Sum("capacity_bytes"))["total"] or 0
        requested = sum(form.cleaned_data.get("capacity_bytes") or 0 for form in rows)
        after = others + requested
        if after <= array.usable_bytes or after <= pooled_before:
            return
        message = gettext(
            "The array cannot hold these pools together: its other pools take %(others)s and "
            "the rows here ask for %(requested)s, but the array has only "
            "%(usable)s usable."
        ) % {
            "others": format_capacity(others),
            "requested": format_capacity(requested),
            "usable": format_capacity(array.usable_bytes),
        }
        for form in rows:
            if form.has_changed():
                form.add_error("capacity_bytes", message)


class PoolInlineForm(ThresholdsMixin, RulesFormMixin, forms.ModelForm):
    capacity_check = check_pool_fits
