"""Forms of the library: a monograph, a request for changes, a name of an editable list."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from plugins.library.models import Visibility
from plugins.library.service import REGIONS
from portal.forms import PortalForm, choices, strip_filter

REQUIRED = _l("Ce champ est obligatoire.")


def _none_or_int(value):
    return int(value) if value not in (None, "", "0", "None") else None


class MonographForm(PortalForm):
    """A monograph; the view fills the choices of the two editable lists."""

    title = StringField(
        _l("Titre"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    organisation = StringField(
        _l("Structure étudiée"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    legal_form = SelectField(_l("Forme juridique"), coerce=_none_or_int, validate_choice=True)
    sector = SelectField(_l("Secteur d'activité"), coerce=_none_or_int, validate_choice=True)
    region = SelectField(_l("Région"), choices=choices([("", "—"), *((r, r) for r in REGIONS)]))
    department = StringField(_l("Département"), filters=[strip_filter], validators=[Length(max=80)])
    town = StringField(_l("Commune"), filters=[strip_filter], validators=[Length(max=120)])
    year_founded = IntegerField(_l("Année de création"), validators=[Optional()])
    themes = StringField(
        _l("Thèmes"),
        filters=[strip_filter],
        validators=[Length(max=600)],
        description=_l("Séparés par des virgules, par exemple : habitat, circuits courts, insertion"),
    )
    summary = TextAreaField(_l("Résumé"), validators=[Length(max=3000)])
    body = TextAreaField(_l("Texte de la monographie (Markdown)"), validators=[Length(max=300_000)])
    source = StringField(
        _l("Source"),
        filters=[strip_filter],
        validators=[Length(max=300)],
        description=_l("Par exemple : mémoire, promotion Paris 2024"),
    )
    authors = StringField(_l("Auteurs"), filters=[strip_filter], validators=[Length(max=300)])
    visibility = SelectField(
        _l("Visibilité une fois publiée"),
        choices=choices(
            [
                (Visibility.ALL.value, _l("Tous les utilisateurs du portail")),
                (Visibility.STAFF.value, _l("Équipe pédagogique seulement")),
            ]
        ),
        default=Visibility.ALL.value,
    )
    attachments = MultipleFileField(
        _l("Documents joints"),
        description=_l("PDF, DOCX ou ODT ; leur texte est pris en compte par la recherche."),
    )

    def validate_year_founded(self, field) -> None:
        """From 1800 to the current year, read when the form is checked (not when the module is imported)."""
        if field.data is not None and not 1800 <= field.data <= date.today().year:
            raise ValidationError(_l("Indiquez une année entre 1800 et l'année en cours."))


class ReviewForm(PortalForm):
    """What staff ask the author to change."""

    comment = TextAreaField(
        _l("Modifications demandées"),
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=5000)],
    )


class ListEntryForm(PortalForm):
    """A new entry of an editable list."""

    name = StringField(_l("Nom"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=80)])
