"""Form building blocks shared by the core and the plugins."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email

from portal.passwords import password_problem


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


#: The interface languages, each named in its own language.
LOCALE_CHOICES = choices([("fr", "Français"), ("en", "English")])


def strip_filter(value):
    """Trim surrounding blanks from text input."""
    return value.strip() if isinstance(value, str) else value


def email_filter(value):
    """Trim and lower-case an email address (logins are case-insensitive)."""
    return value.strip().lower() if isinstance(value, str) else value


def valid_email():
    """An email validator with a French message that does not look the domain up."""
    return Email(message=_l("Saisissez une adresse électronique valide."), check_deliverability=False)


class StrongPassword:
    """Refuses passwords that the policy refuses, with its reason.

    The policy also refuses passwords close to the form's `personal_fields` and to the strings a view puts
    in `form.personal_inputs` (the user's own name and address).
    """

    def __init__(self, *personal_fields: str):
        self.personal_fields = personal_fields

    def __call__(self, form, field):
        """Run the policy on the field's data."""
        personal = [getattr(form, name).data or "" for name in self.personal_fields if hasattr(form, name)]
        personal += list(getattr(form, "personal_inputs", ()))
        problem = password_problem(field.data or "", personal)
        if problem:
            raise ValidationError(problem)
