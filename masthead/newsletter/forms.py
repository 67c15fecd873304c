from django import forms
from django.core.exceptions import ValidationError

from .queries import signup_lists


class ListChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            # SQLite cannot compare an id past 64 bits (Django guards `=`, not IN).
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": "?"},
            ) from None


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")
    name = forms.CharField(max_length=200, required=False, label="Name (optional)")
    lists = ListChoiceField(
        queryset=signup_lists(),
        error_messages={"required": "Pick at least one newsletter."},
    )
    # Left empty by people; bots fill every field. Hidden by CSS, not by type.
    website = forms.CharField(required=False)

    def clean_name(self):
        # A name goes into a greeting and a mail header: one plain line only.
        return " ".join(self.cleaned_data["name"].split())


class PreferencesForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    lists = ListChoiceField(queryset=signup_lists(), required=False)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
