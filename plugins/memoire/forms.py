"""Forms of the memoire plugin."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from plugins.memoire.labels import DECISION_LABELS, KIND_LABELS, LEVEL_LABELS, LOG_KIND_LABELS, TYPE_LABELS
from portal.forms import PortalForm, choices, strip_filter

REQUIRED = _l("Ce champ est obligatoire.")
DATE_FORMAT = "%Y-%m-%dT%H:%M"


class AssignmentForm(PortalForm):
    """An assignment of a cohort; dates typed in Paris time."""

    kind = SelectField(_l("Type"), validators=[DataRequired(REQUIRED)])
    bloc_id = SelectField(
        _l("Bloc évalué"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        description=_l("Pour un écrit de contrôle continu."),
    )
    title = StringField(
        _l("Titre"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    instructions = TextAreaField(_l("Consignes (Markdown)"), validators=[Length(max=100_000)])
    open_dt = DateTimeLocalField(
        _l("Ouverture du dépôt"),
        validators=[Optional()],
        format=DATE_FORMAT,
        description=_l("Vide : ouvert dès maintenant."),
    )
    due_dt = DateTimeLocalField(
        _l("Date de remise"), validators=[InputRequired(REQUIRED)], format=DATE_FORMAT
    )
    cutoff_dt = DateTimeLocalField(
        _l("Date limite (plus aucun dépôt ensuite)"),
        validators=[Optional()],
        format=DATE_FORMAT,
        description=_l("Vide : les dépôts en retard restent possibles."),
    )
    allowed_types = SelectMultipleField(
        _l("Types de fichiers acceptés"),
        validators=[DataRequired(_l("Choisissez au moins un type de fichier."))],
    )
    max_files = IntegerField(
        _l("Nombre maximal de fichiers"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(0, 20, _l("Entre 0 et 20 fichiers."))],
    )
    max_size_mb = IntegerField(
        _l("Taille maximale par fichier (Mo)"),
        default=20,
        validators=[InputRequired(REQUIRED), NumberRange(1, 500, _l("Entre 1 et 500 Mo."))],
    )
    text_answer = BooleanField(_l("Réponse écrite en ligne possible"))
    statement_required = BooleanField(_l("Déclaration sur l'honneur (travail original) à cocher"))

    def __init__(self, *args, blocs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(KIND_LABELS.items())
        self.bloc_id.choices = choices(
            [("", _l("— aucun —"))] + [(b.id, f"Bloc {b.number} — {b.title}") for b in blocs]
        )
        self.allowed_types.choices = choices(TYPE_LABELS.items())

    def validate_due_dt(self, field):
        """The due date comes after the opening."""
        if field.data and self.open_dt.data and field.data <= self.open_dt.data:
            raise ValidationError(_l("La date de remise doit être postérieure à l'ouverture."))

    def validate_cutoff_dt(self, field):
        """The cut-off is not before the due date."""
        if field.data and self.due_dt.data and field.data < self.due_dt.data:
            raise ValidationError(_l("La date limite ne peut pas précéder la date de remise."))

    def validate_max_files(self, field):
        """Something must be handed in: files or a text answer."""
        if field.data == 0 and not self.text_answer.data:
            raise ValidationError(_l("Sans fichier, autorisez au moins la réponse écrite."))


class OverrideForm(PortalForm):
    """Other dates for an atelier or a learner."""

    target = SelectField(_l("Pour"), validators=[DataRequired(REQUIRED)])
    due_dt = DateTimeLocalField(
        _l("Nouvelle date de remise"), validators=[InputRequired(REQUIRED)], format=DATE_FORMAT
    )
    cutoff_dt = DateTimeLocalField(
        _l("Nouvelle date limite"),
        validators=[Optional()],
        format=DATE_FORMAT,
        description=_l("Vide : pas de date limite."),
    )

    def validate_cutoff_dt(self, field):
        """The cut-off is not before the due date."""
        if field.data and self.due_dt.data and field.data < self.due_dt.data:
            raise ValidationError(_l("La date limite ne peut pas précéder la date de remise."))


class SubmissionForm(PortalForm):
    """The learner's draft: files to add, the text answer, the statement; the button says save or send."""

    files = MultipleFileField(_l("Ajouter des fichiers"))
    text = TextAreaField(_l("Réponse écrite (Markdown)"), validators=[Length(max=200_000)])
    statement = BooleanField(
        _l(
            "Je déclare sur l'honneur que ce travail est personnel et original, "
            "et que toute source utilisée est citée."
        )
    )
    #: "draft" or "send"; set by the button pressed
    action = HiddenField()


class FrenchDecimalField(DecimalField):
    """A decimal typed with a comma, as French users type it, or a point (a text input: a number input
    would refuse the comma in some browsers)."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        """Read "14,5" as 14.5."""
        super().process_formdata([v.replace(",", ".").strip() for v in valuelist])


class FeedbackForm(PortalForm):
    """The tutor's feedback on a version."""

    comment = TextAreaField(_l("Commentaire (Markdown)"), validators=[Length(max=100_000)])
    distanciation = RadioField(_l("Distanciation"), validators=[Optional()])
    argumentation = RadioField(_l("Argumentation"), validators=[Optional()])
    coherence = RadioField(_l("Cohérence"), validators=[Optional()])
    pertinence = RadioField(_l("Pertinence"), validators=[Optional()])
    decision = SelectField(_l("Décision"))
    mark = FrenchDecimalField(
        _l("Note sur 20"),
        places=2,
        validators=[Optional(), NumberRange(0, 20, _l("La note va de 0 à 20."))],
        description=_l("Facultative ; décimales acceptées (ex. 14,5)."),
        render_kw={"inputmode": "decimal"},
    )
    files = MultipleFileField(_l("Fichiers de retour"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("distanciation", "argumentation", "coherence", "pertinence"):
            self[name].choices = choices(LEVEL_LABELS.items())
        self.decision.choices = choices([("", _l("— pas encore —")), *DECISION_LABELS.items()])


class LogEntryForm(PortalForm):
    """A supervision log entry."""

    entry_date = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    kind = SelectField(_l("Type d'entrée"), validators=[DataRequired(REQUIRED)])
    text = TextAreaField(
        _l("Contenu (Markdown)"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=20_000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(LOG_KIND_LABELS.items())


class ConfirmForm(PortalForm):
    """A button whose POST carries the CSRF token."""
