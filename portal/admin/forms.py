"""Forms of the staff pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import (
    LOCALE_CHOICES,
    MultiLine,
    PortalForm,
    choices,
    email_filter,
    strip_filter,
    valid_email,
)
from portal.labels import ROLE_LABELS, SEMINAR_KIND_LABELS
from portal.models import Role, SeminarKind

REQUIRED = _l("Ce champ est obligatoire.")


def role_choices():
    """Every role, with its French label."""
    return choices((role.value, label) for role, label in ROLE_LABELS.items())


class UserForm(PortalForm):
    """A user's account, as staff edit it."""

    email = EmailField(
        _l("Adresse électronique"),
        filters=[email_filter],
        validators=[DataRequired(REQUIRED), valid_email(), Length(max=254)],
    )
    first_name = StringField(
        _l("Prénom"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    last_name = StringField(
        _l("Nom"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    locale = SelectField(_l("Langue de l'interface"), choices=LOCALE_CHOICES)
    is_admin = BooleanField(_l("Administrateur·rice du site"))


class NewUserForm(UserForm):
    """A new account; the person chooses their password through the welcome mail's link."""

    send_welcome = BooleanField(
        _l("Envoyer un message de bienvenue avec un lien pour choisir le mot de passe"), default=True
    )


class EnrolUserForm(PortalForm):
    """Give the user a role in one of the cohorts the staff member manages."""

    cohort_id = SelectField(_l("Promotion"), coerce=int, validators=[InputRequired(REQUIRED)])
    role = SelectField(_l("Rôle"), choices=role_choices, validators=[InputRequired(REQUIRED)])


class EnrolByEmailForm(PortalForm):
    """Give an existing account a role in this cohort."""

    email = EmailField(
        _l("Adresse électronique du compte"),
        filters=[email_filter],
        validators=[DataRequired(REQUIRED), valid_email(), Length(max=254)],
    )
    role = SelectField(_l("Rôle"), choices=role_choices, validators=[InputRequired(REQUIRED)])


class CohortForm(PortalForm):
    """A promotion."""

    programme_id = SelectField(_l("Formation"), coerce=int, validators=[InputRequired(REQUIRED)])
    name = StringField(
        _l("Nom de la promotion"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    centre = StringField(
        _l("Centre"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=80)],
        description=_l("Paris, Lille, Dijon, Guéret, Angers…"),
    )
    start_date = DateField(_l("Début"), validators=[InputRequired(_l("Saisissez une date valide."))])
    end_date = DateField(_l("Fin"), validators=[InputRequired(_l("Saisissez une date valide."))])

    def validate_end_date(self, field):
        """The end comes after the start."""
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError(_l("La fin doit être postérieure au début."))


class AtelierForm(PortalForm):
    """An atelier's name."""

    name = StringField(
        _l("Nom de l'atelier"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=120)]
    )


class AtelierMemberForm(PortalForm):
    """Add a learner or a tutor of the cohort to the atelier."""

    user_id = SelectField(_l("Personne"), coerce=int, validators=[InputRequired(REQUIRED)])
    role = SelectField(
        _l("Rôle dans l'atelier"),
        choices=choices((r.value, ROLE_LABELS[r]) for r in (Role.LEARNER, Role.TUTOR)),
        validators=[InputRequired(REQUIRED)],
    )


class ProgrammeForm(PortalForm):
    """A programme (diploma)."""

    title = StringField(
        _l("Intitulé"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=255)]
    )
    rncp_code = StringField(_l("Code RNCP"), filters=[strip_filter], validators=[Optional(), Length(max=20)])
    level = IntegerField(_l("Niveau"), validators=[Optional(), NumberRange(1, 8, _l("Entre 1 et 8."))])
    hours = IntegerField(
        _l("Volume horaire total (heures)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 10000, _l("Entre 0 et 10 000."))],
    )
    description = TextAreaField(_l("Présentation"), validators=[Length(max=20000)])


class BlocForm(PortalForm):
    """A bloc of competences."""

    number = IntegerField(
        _l("Numéro"), validators=[InputRequired(REQUIRED), NumberRange(1, 99, _l("Entre 1 et 99."))]
    )
    title = StringField(
        _l("Intitulé"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=255)]
    )
    hours = IntegerField(
        _l("Heures"), validators=[InputRequired(REQUIRED), NumberRange(0, 5000, _l("Entre 0 et 5 000."))]
    )
    is_certifying = BooleanField(_l("Bloc certifiant"), default=True)


class SeminarForm(PortalForm):
    """A seminar of a bloc."""

    title = StringField(
        _l("Intitulé"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=255)]
    )
    kind = SelectField(
        _l("Type"),
        choices=choices((k.value, label) for k, label in SEMINAR_KIND_LABELS.items()),
        default=SeminarKind.THEMATIC.value,
    )
    hours = IntegerField(_l("Heures"), validators=[Optional(), NumberRange(0, 1000, _l("Entre 0 et 1 000."))])
    position = IntegerField(
        _l("Ordre dans le bloc"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 999, _l("Entre 0 et 999."))],
        default=0,
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])


class ConfirmForm(PortalForm):
    """An empty form: a button whose POST carries the CSRF token."""


class CsvUploadForm(PortalForm):
    """A CSV file of users, in Moodle's upload-user format."""

    csv_file = FileField(
        _l("Fichier CSV"),
        validators=[
            FileRequired(_l("Choisissez un fichier.")),
            FileAllowed(["csv", "txt"], _l("Le fichier doit être au format CSV (.csv).")),
        ],
    )
    send_welcome = BooleanField(_l("Envoyer un message de bienvenue aux nouveaux comptes"), default=True)


class CsvConfirmForm(PortalForm):
    """The previewed file, sent back to be checked again and imported."""

    content = HiddenField(validators=[DataRequired(), MultiLine()])
    send_welcome = HiddenField()


class CoordinatorForm(PortalForm):
    """Make an existing account a coordinator of the programme."""

    email = EmailField(
        _l("Adresse électronique de la personne"),
        filters=[email_filter],
        validators=[DataRequired(REQUIRED), valid_email(), Length(max=254)],
    )


class EnrolmentAccessForm(PortalForm):
    """When an enrolment ends, and an extension of the access it gives."""

    ends_on = DateField(
        _l("Fin de l'inscription"),
        validators=[Optional()],
        description=_l(
            "Vide : la fin de la promotion pour un·e auditeur·rice, aucune fin pour les autres rôles."
        ),
    )
    access_until = DateField(
        _l("Accès prolongé jusqu'au"),
        validators=[Optional()],
        description=_l("Vide : l'accès s'arrête à la fin de l'inscription, après le délai de grâce du site."),
    )
