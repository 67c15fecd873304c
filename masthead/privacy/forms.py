from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .queries import normalise

CONTROL_CHARACTERS = {chr(code) for code in range(32)} | {"\x7f"}


class AddressForm(forms.Form):
    """The one field of /my-data/, and a trap field only bots fill in."""

    email = forms.CharField(
        label="Your email address", max_length=254, strip=False, required=False
    )
    homepage = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # clean_email names every control character, NUL included, in one message.
        field = self.fields["email"]
        field.validators = [
            v
            for v in field.validators
            if not isinstance(v, validators.ProhibitNullCharactersValidator)
        ]

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email") or ""
        if any(character in CONTROL_CHARACTERS for character in raw):
            # A line break here is how a mail header gets smuggled in.
            raise ValidationError(
                "An email address is one line with no spaces, line breaks or "
                "control characters."
            )
        email = normalise(raw)
        if not email:
            raise ValidationError("Please give your email address.")
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                "Please check your email address, e.g. name@example.org."
            ) from None
        return email

    def clean_homepage(self) -> str:
        if self.cleaned_data.get("homepage"):
            raise ValidationError("Please leave this field empty.")
        return ""
