"""Forms of the forum plugin."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.forms import PortalForm, choices, strip_filter

REQUIRED = _l("Ce champ est obligatoire.")


class _MessageLength:
    """The message must not be empty or longer than FORUM_MAX_POST_LENGTH characters."""

    def __call__(self, form, field):
        """Refuse a blank or too long message."""
        limit = int(current_app.config.get("FORUM_MAX_POST_LENGTH", 20000))
        if not (field.data or "").strip():
            raise ValidationError(_l("Écrivez un message."))
        if len(field.data) > limit:
            raise ValidationError(
                _l(
                    "Le message est trop long : %(length)d caractères pour %(limit)d au plus.",
                    length=len(field.data),
                    limit=limit,
                )
            )


class _FileCount:
    """At most FORUM_MAX_ATTACHMENTS files per post."""

    def __call__(self, form, field):
        """Refuse too many files."""
        limit = int(current_app.config.get("FORUM_MAX_ATTACHMENTS", 5))
        chosen = [f for f in (field.data or []) if getattr(f, "filename", "")]
        if len(chosen) > limit:
            raise ValidationError(_l("Joignez au plus %(n)d fichiers.", n=limit))


def _files_field():
    return MultipleFileField(
        _l("Pièces jointes"),
        validators=[_FileCount()],
        description=_l("PDF, documents bureautiques, images ou texte."),
    )


class DiscussionForm(PortalForm):
    """A new discussion: its subject and first message."""

    subject = StringField(
        _l("Sujet"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Donnez un sujet à la discussion.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Message"), validators=[_MessageLength()], description=_l("Mise en forme Markdown acceptée.")
    )
    files = _files_field()


class ReplyForm(PortalForm):
    """An answer to a post."""

    body = TextAreaField(
        _l("Message"), validators=[_MessageLength()], description=_l("Mise en forme Markdown acceptée.")
    )
    files = _files_field()
    private = BooleanField(
        _l("Réponse privée (visible seulement par cette personne, les tuteurs et l'équipe)")
    )


class EditForm(PortalForm):
    """A post's new text, files to add and files to remove (and the subject of a first post)."""

    subject = StringField(
        _l("Sujet"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Donnez un sujet à la discussion.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Message"), validators=[_MessageLength()], description=_l("Mise en forme Markdown acceptée.")
    )
    remove_files = SelectMultipleField(_l("Retirer des pièces jointes"), coerce=int)
    files = _files_field()


class ConfirmForm(PortalForm):
    """A button whose POST carries the CSRF token."""


class SettingsForm(PortalForm):
    """A forum's subscription mode (moderators)."""

    subscription_mode = RadioField(
        _l("Abonnement"),
        choices=choices(
            [
                ("optional", _l("Facultatif : chacun choisit de s'abonner")),
                ("automatic", _l("Automatique : tous abonnés, chacun peut se désabonner")),
                ("forced", _l("Imposé : tous abonnés, sans désabonnement possible")),
                ("disabled", _l("Désactivé : aucun courriel")),
            ]
        ),
        validators=[DataRequired(REQUIRED)],
    )


class PreferencesForm(PortalForm):
    """A reader's forum settings."""

    display = RadioField(
        _l("Affichage des réponses"),
        choices=choices(
            [
                ("nested", _l("Imbriquées sous le message auquel elles répondent")),
                ("flat", _l("À plat, de la plus ancienne à la plus récente")),
            ]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    mail_mode = RadioField(
        _l("Courriels des forums"),
        choices=choices([("post", _l("Un courriel par message")), ("digest", _l("Un résumé quotidien"))]),
        validators=[DataRequired(REQUIRED)],
    )


class PeriodForm(PortalForm):
    """The period of the participation view (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    start = DateField(_l("Du"), validators=[Optional()])
    end = DateField(_l("Au (inclus)"), validators=[Optional()])

    def validate_end(self, field):
        """The period ends after it starts."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("La fin doit être postérieure au début."))
