"""The request forms on a project's page and the managers' decision form; capacities typed with units."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.formfields import CapacityField
from inventory.models import Allocation, ResearchProject, StoragePool
from inventory.units import format_capacity

JUSTIFICATION_HELP = _("What the storage is for, and why this much: the allocation managers read it.")


class _DateInput(forms.DateInput):
    input_type = "date"


class NewAllocationRequestForm(forms.Form):
    """Ask for a new allocation on a pool that takes requests."""

    pool = forms.ModelChoiceField(
        label=_("Pool"),
        queryset=StoragePool.objects.filter(open_for_requests=True).select_related("array"),
        empty_label=_("Choose a pool"),
        help_text=_("Only pools that take requests are listed."),
    )
    quota_bytes = CapacityField(label=_("Size"), min_value=1)
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=_DateInput, help_text=_("Empty: open-ended.")
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}), help_text=JUSTIFICATION_HELP
    )


class ChangeRequestForm(forms.Form):
    """Ask for a larger quota and/or a later end date on one of the project's active allocations."""

    allocation = forms.ModelChoiceField(
        label=_("Allocation"), queryset=Allocation.objects.none(), empty_label=_("Choose an allocation")
    )
    quota_bytes = CapacityField(label=_("New quota"), required=False, min_value=1, help_text=_("Empty: unchanged."))
    end_date = forms.DateField(
        label=_("New end date"), required=False, widget=_DateInput, help_text=_("Empty: unchanged.")
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}), help_text=JUSTIFICATION_HELP
    )

    def __init__(self, *args, project: ResearchProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = project.allocations.filter(status=Allocation.Status.ACTIVE).select_related(
            "pool__array", "project"
        )
        self.fields["allocation"].label_from_instance = _allocation_label


def _allocation_label(allocation: Allocation) -> str:
    ends = allocation.end_date.isoformat() if allocation.end_date else gettext("open-ended")
    return gettext("%(pool)s: %(quota)s, ends %(ends)s") % {
        "pool": allocation.pool,
        "quota": format_capacity(allocation.quota_bytes),
        "ends": ends,
    }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: under its field where the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
