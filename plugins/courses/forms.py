"""Forms of the courses plugin."""

from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.forms import PortalForm, strip_filter

REQUIRED = _l("Ce champ est obligatoire.")


class ItemForm(PortalForm):
    """An item of material; which fields count depends on its kind (set by the view in `kind`)."""

    title = StringField(
        _l("Titre"), filters=[strip_filter], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    description = TextAreaField(_l("Présentation courte"), validators=[Length(max=2000)])
    url = StringField(
        _l("Adresse du lien"),
        filters=[strip_filter],
        validators=[Length(max=2000)],
        description=_l("Commence par https:// ou http://"),
    )
    body = TextAreaField(_l("Contenu de la page (Markdown)"), validators=[Length(max=200_000)])
    files = MultipleFileField(_l("Fichiers"))
    hidden = BooleanField(_l("Masqué pour les auditeurs"))
    available_from = DateTimeLocalField(
        _l("Visible à partir du"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    available_until = DateTimeLocalField(
        _l("Visible jusqu'au"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    cohorts = SelectMultipleField(
        _l("Réservé aux promotions"),
        coerce=int,
        description=_l("Aucune promotion choisie : toutes les promotions de la formation."),
    )

    def __init__(self, *args, kind: str, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.creating = creating
        if kind != "link":
            del self.url
        if kind != "page":
            del self.body
        if kind not in ("file", "folder"):
            del self.files

    def validate_url(self, field):
        """A link needs an http or https address."""
        parsed = urlparse(field.data or "")
        if (
            parsed.scheme not in ("http", "https")
            or not parsed.netloc
            or any(c.isspace() for c in field.data)
        ):
            raise ValidationError(
                _l("Saisissez une adresse web complète commençant par https:// ou http://.")
            )

    def validate_body(self, field):
        """A page needs text."""
        if not (field.data or "").strip():
            raise ValidationError(REQUIRED)

    def validate_files(self, field):
        """A new file item needs exactly one file; a folder may start empty."""
        chosen = [f for f in (field.data or []) if getattr(f, "filename", "")]
        if self.kind == "file" and self.creating and len(chosen) != 1:
            raise ValidationError(_l("Choisissez un fichier."))
        if self.kind == "file" and len(chosen) > 1:
            raise ValidationError(_l("Un élément « fichier » n'a qu'un fichier : créez plutôt un dossier."))

    def validate_available_until(self, field):
        """The end of the window comes after its start."""
        if field.data and self.available_from.data and field.data <= self.available_from.data:
            raise ValidationError(_l("La fin doit être postérieure au début."))


class ConfirmForm(PortalForm):
    """A button whose POST carries the CSRF token."""


class LecturersForm(PortalForm):
    """The lecturers of a seminar, among the programme's lecturers."""

    lecturers = SelectMultipleField(_l("Intervenant·e·s du séminaire"), coerce=int)
