"""Forms of the auth blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms import LOCALE_CHOICES, PortalForm, StrongPassword, email_filter, strip_filter, valid_email

REQUIRED = _l("Ce champ est obligatoire.")


class LoginForm(PortalForm):
    """Email and password."""

    email = EmailField(
        _l("Adresse électronique"),
        filters=[email_filter],
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Rester connecté·e sur cet appareil"))


class NewPasswordMixin:
    """A new password typed twice and checked against the policy."""

    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(REQUIRED), StrongPassword()],
        description=_l("Au moins 8 caractères ; une phrase de passe de plusieurs mots est idéale."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[DataRequired(REQUIRED), EqualTo("new_password", _l("Les deux mots de passe diffèrent."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordMixin, PortalForm):
    """The current password, then the new one."""

    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(PortalForm):
    """The address to send a reset link to."""

    email = EmailField(
        _l("Adresse électronique"),
        filters=[email_filter],
        validators=[DataRequired(REQUIRED), valid_email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(NewPasswordMixin, PortalForm):
    """A new password, set through a reset link."""


class ProfileForm(PortalForm):
    """What a user may change about themselves."""

    first_name = StringField(
        _l("Prénom"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Nom"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    locale = SelectField(_l("Langue de l'interface"), choices=LOCALE_CHOICES)
