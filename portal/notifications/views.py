"""The notifications centre: the list, opening one, marking read, and the preferences per kind."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, SelectField

from portal.extensions import db
from portal.forms import PortalForm, choices
from portal.notifications.kinds import MailMode, NotificationKind, notification_kinds
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.service import mark_all_read, mark_read
from portal.routing import paginate
from portal.rows import insert_or_update
from portal.urls import safe_path

bp = Blueprint("notifications", __name__)

#: Notifications per page of the centre.
PAGE_SIZE = 30
MAIL_LABELS = {
    MailMode.NOW: _l("Par courriel, tout de suite"),
    MailMode.DIGEST: _l("Dans le résumé quotidien"),
    MailMode.NONE: _l("Pas de courriel"),
}


def _mine_or_404(notification_id: int) -> Notification:
    found = db.get_or_404(Notification, notification_id)
    if found.user_id != current_user.id or not found.in_app:
        abort(404)
    return found


@bp.route("/")
@login_required
def index():
    """The user's notifications, newest first, unread ones marked."""
    query = (
        sa.select(Notification)
        .where(Notification.user_id == current_user.id, Notification.in_app.is_(True))
        .order_by(Notification.created_dt.desc(), Notification.id.desc())
    )
    labels = {name: kind.label for name, kind in notification_kinds().items()}
    return render_template("notifications/index.html", page=paginate(query, PAGE_SIZE), labels=labels)


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    """Mark a notification read and go to what it is about."""
    found = _mine_or_404(notification_id)
    if not PortalForm().validate_on_submit():
        abort(400)
    mark_read(current_user, found)
    db.session.commit()
    return redirect(safe_path(found.url), code=303)


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every notification read."""
    if not PortalForm().validate_on_submit():
        abort(400)
    count = mark_all_read(current_user)
    db.session.commit()
    flash(
        _("Toutes vos notifications sont marquées comme lues.") if count else _("Rien de nouveau."), "success"
    )
    return redirect(url_for("notifications.index"), code=303)


def _field_key(kind: NotificationKind) -> str:
    return kind.name.replace(".", "__")


def _preferences_form(kinds: dict[str, NotificationKind]) -> PortalForm:
    """A form with, for each kind, the mail choice and the in-app box, filled with the user's choices."""
    rows = db.session.execute(
        sa.select(
            NotificationPreference.kind, NotificationPreference.mail, NotificationPreference.in_app
        ).where(NotificationPreference.user_id == current_user.id)
    )
    chosen = {kind: (MailMode(mail), in_app) for kind, mail, in_app in rows}

    class PreferencesForm(PortalForm):
        """How each kind of notification reaches the user."""

    mail_choices = choices((mode.value, label) for mode, label in MAIL_LABELS.items())
    for kind in kinds.values():
        mail, in_app = chosen.get(kind.name, (kind.mail, kind.in_app))
        key = _field_key(kind)
        setattr(
            PreferencesForm, f"mail_{key}", SelectField(kind.label, choices=mail_choices, default=mail.value)
        )
        setattr(PreferencesForm, f"app_{key}", BooleanField(_l("Dans le portail"), default=in_app))
    return PreferencesForm()


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    """Choose, for each kind, mail at once, in the daily digest or none, and in-app or not."""
    kinds = notification_kinds()
    form = _preferences_form(kinds)
    if form.validate_on_submit():
        for kind in kinds.values():
            key = _field_key(kind)
            values = {
                "user_id": current_user.id,
                "kind": kind.name,
                "mail": MailMode(form[f"mail_{key}"].data),
                "in_app": bool(form[f"app_{key}"].data),
            }
            insert_or_update(NotificationPreference, values, ["user_id", "kind"])
        db.session.commit()
        flash(_("Vos préférences de notification sont enregistrées."), "success")
        return redirect(url_for("notifications.preferences_page"), code=303)
    rows = [
        (kind, form[f"mail_{_field_key(kind)}"], form[f"app_{_field_key(kind)}"]) for kind in kinds.values()
    ]
    return render_template("notifications/preferences.html", form=form, rows=rows)
