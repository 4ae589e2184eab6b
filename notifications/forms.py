"""The preferences form of /me/notifications/: which kinds of event a person receives, and how."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Preference
from notifications.registry import kind_choices


class PreferenceForm(forms.ModelForm):
    """Ticked kinds are received; the model stores the unticked ones (new kinds are then received by default)."""

    kinds = forms.MultipleChoiceField(
        label=_("Tell me when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=kind_choices,
    )

    class Meta:
        model = Preference
        fields = ["email_enabled", "digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        muted = set(self.instance.muted_kinds or [])
        self.fields["kinds"].initial = [kind for kind, _label in kind_choices() if kind not in muted]
        self.fields["digest"].help_text = _("Collected and sent once a day, in the morning (UTC).")

    def save(self, commit=True):
        received = set(self.cleaned_data["kinds"])
        self.instance.muted_kinds = [kind for kind, _label in kind_choices() if kind not in received]
        return super().save(commit=commit)
