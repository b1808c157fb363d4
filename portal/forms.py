"""Form building blocks shared by the core and the plugins, and PortalForm, the base of every form."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email

from portal.passwords import password_problem

#: Characters no text field accepts: C0 and C1 controls (NUL among them: PostgreSQL refuses it in text), and
#: the Unicode line and paragraph separators. Multi-line fields also accept tab and line breaks.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def text_problem(value: str, multiline: bool) -> str | None:
    """Why a typed text is refused (control characters, or a line break in a one-line field), or None."""
    found = (_FORBIDDEN_IN_TEXT if multiline else _FORBIDDEN_IN_LINE).search(value)
    if found is None:
        return None
    if not multiline and found.group() in "\r\n\u2028\u2029":
        return str(_l("Ce champ tient sur une ligne : retirez les retours à la ligne."))
    return str(_l("Ce champ contient des caractères de contrôle invisibles : retirez-les."))


class MultiLine:
    """Marks a text field other than a TextAreaField (e.g. a hidden field carrying a file) as multi-line: it
    accepts tabs and line breaks."""

    field_flags = {"multiline": True}

    def __call__(self, form, field):
        """Nothing to check: the flag is what counts."""


class PortalForm(FlaskForm):
    """The base of every form of the site: CSRF (Flask-WTF), and text fields that refuse control characters
    (and line breaks, for one-line fields) with a message on the field, before any other check runs."""

    def validate(self, extra_validators=None) -> bool:
        """Check every text field for forbidden characters, then run the form's own validation; a field with
        forbidden characters reports only that problem."""
        refused = []
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                multiline = isinstance(field, TextAreaField) or bool(field.flags.multiline)
                problem = text_problem(field.data, multiline=multiline)
                if problem:
                    refused.append((field, problem))
        valid = super().validate(extra_validators)
        for field, problem in refused:
            field.errors = [problem]
        return valid and not refused


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
