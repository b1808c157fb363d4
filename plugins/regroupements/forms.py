"""Forms of the regroupements plugin."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import PortalForm, choices, strip_filter

REQUIRED = _l("Ce champ est obligatoire.")


def _web_address(form, field):
    """An address must be a complete http or https address."""
    if not field.data:
        return
    parsed = urlparse(field.data)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in field.data):
        raise ValidationError(_l("Saisissez une adresse web complète commençant par https:// ou http://."))


class WeekForm(PortalForm):
    """A regroupement week."""

    number = IntegerField(
        _l("Numéro"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=99, message=_l("Un numéro entre 1 et 99.")),
        ],
    )
    start_date = DateField(_l("Premier jour"), validators=[InputRequired(REQUIRED)])
    end_date = DateField(_l("Dernier jour"), validators=[InputRequired(REQUIRED)])
    theme = StringField(_l("Thème"), filters=[strip_filter], validators=[Length(max=255)])

    def validate_end_date(self, field):
        """A week ends on or after its first day."""
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("La semaine doit se terminer le jour où elle commence ou après."))


class SessionForm(PortalForm):
    """A session of a week."""

    kind = SelectField(
        _l("Type"),
        choices=choices(
            [
                ("seminar", _l("Séminaire")),
                ("atelier", _l("Atelier mémoire")),
                ("methodology", _l("Méthodologie")),
            ]
        ),
    )
    day = DateField(_l("Jour"), validators=[InputRequired(REQUIRED)])
    start = TimeField(_l("Début (heure de Paris)"), validators=[InputRequired(REQUIRED)])
    end = TimeField(_l("Fin (heure de Paris)"), validators=[InputRequired(REQUIRED)])
    bloc = SelectField(_l("Bloc"), coerce=int, validators=[Optional()])
    seminar = SelectField(_l("Séminaire"), coerce=int, validators=[Optional()])
    title = StringField(
        _l("Intitulé"),
        filters=[strip_filter],
        validators=[Length(max=255)],
        description=_l("Facultatif quand un séminaire est choisi : son titre est repris."),
    )
    lecturers = SelectMultipleField(_l("Intervenant·e·s"), coerce=int)
    link = StringField(
        _l("Lien de visioconférence"),
        filters=[strip_filter],
        validators=[Length(max=2000), _web_address],
        description=_l("Commence par https:// ou http://"),
    )
    room = StringField(_l("Salle"), filters=[strip_filter], validators=[Length(max=255)])
    status = SelectField(
        _l("État"),
        choices=choices(
            [("scheduled", _l("Prévue")), ("moved", _l("Déplacée")), ("cancelled", _l("Annulée"))]
        ),
    )
    status_note = StringField(
        _l("Note visible (déplacement, annulation)"), filters=[strip_filter], validators=[Length(max=500)]
    )

    def validate_title(self, field):
        """A session needs a title or a seminar."""
        if not field.data and not self.seminar.data:
            raise ValidationError(_l("Donnez un intitulé ou choisissez un séminaire."))

    def validate_seminar(self, field):
        """The seminar must belong to the chosen bloc."""
        if field.data and self.bloc.data and self.seminar_bloc.get(field.data) != self.bloc.data:
            raise ValidationError(_l("Ce séminaire n'appartient pas au bloc choisi."))

    def validate_status_note(self, field):
        """A moved or cancelled session says why."""
        if self.status.data in ("moved", "cancelled") and not field.data:
            raise ValidationError(_l("Indiquez la raison du déplacement ou de l'annulation."))

    def validate_room(self, field):
        """A session takes place somewhere."""
        if not field.data and not self.link.data:
            raise ValidationError(_l("Indiquez un lien de visioconférence ou une salle."))

    def validate_end(self, field):
        """A session ends after it starts."""
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("La séance doit se terminer après son début."))


class EventForm(PortalForm):
    """A personal event."""

    title = StringField(
        _l("Titre"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    day = DateField(_l("Jour"), validators=[InputRequired(REQUIRED)])
    start = TimeField(_l("Début"), validators=[InputRequired(REQUIRED)])
    end = TimeField(_l("Fin"), validators=[InputRequired(REQUIRED)])
    location = StringField(_l("Lieu"), filters=[strip_filter], validators=[Length(max=255)])
    description = TextAreaField(_l("Notes"), validators=[Length(max=5000)])

    def validate_end(self, field):
        """An event ends after it starts."""
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("La fin doit être après le début."))


class JustificationForm(PortalForm):
    """A learner's justification of an absence."""

    text = TextAreaField(_l("Motif de l'absence"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    file = FileField(_l("Justificatif (PDF, image ou document)"))
