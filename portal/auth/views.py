"""Login, logout, password change and reset, profile."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from portal.aftercommit import announce
from portal.auth.forms import ChangePasswordForm, LoginForm, ProfileForm, ResetPasswordForm, ResetRequestForm
from portal.auth.tokens import make_reset_token, user_for_reset_token
from portal.extensions import db, limiter
from portal.mail import queue_mail
from portal.models import User, utcnow
from portal.notifications.service import user_notifications
from portal.signals import user_changed
from portal.urls import absolute_url, safe_path

bp = Blueprint("auth", __name__, template_folder="../templates")

#: Compared against when the account does not exist, so that both answers take the same time.
_DUMMY_HASH = generate_password_hash("no such account, same cost")


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a success redirects.
    return response.status_code == 200


def _login_limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _login_limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit_per_account, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit_per_address, methods=["POST"], deduct_when=_failed)
def login():
    """Show the login form; log in on a matching email and password, with one answer for every failure."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).where(User.email == form.email.data))
        if user is None or not user.password_hash:
            check_password_hash(_DUMMY_HASH, form.password.data)
        elif user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            user.last_login_dt = utcnow()
            db.session.commit()
            return redirect(safe_path(request.args.get("next")), code=303)
        form.password.errors.append(_("Adresse électronique ou mot de passe incorrect."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session and every other session of the user."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; other sessions end, this one stays open."""
    form = ChangePasswordForm()
    form.personal_inputs = [current_user.email, current_user.first_name, current_user.last_name]
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Le mot de passe actuel est incorrect."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new_password.data)
            db.session.commit()
            # The session token changed: this session carries the new one, every other session ends.
            login_user(user)
            flash(_("Votre mot de passe a été changé ; vos autres sessions sont fermées."), "success")
            return redirect(url_for("auth.profile"), code=303)
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit_per_address, methods=["POST"])
def reset_request():
    """Mail a reset link if the address has an account; the answer is the same either way."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).where(User.email == form.email.data))
        if user is not None and user.active:
            send_reset_mail(user)
            db.session.commit()
        flash(
            _("Si un compte correspond à cette adresse, un message contenant un lien vient d'y être envoyé."),
            "info",
        )
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset_request.html", form=form)


def send_reset_mail(user: User, welcome: bool = False) -> None:
    """Queue a mail with a single-use link to set the user's password (sent when the transaction commits)."""
    link = absolute_url("auth.reset_password", token=make_reset_token(user))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600 or 1
    site = current_app.config["SITE_NAME"]
    if welcome:
        subject = _("Bienvenue sur %(site)s", site=site)
        intro = _("Un compte a été ouvert pour vous sur %(site)s. Choisissez votre mot de passe :", site=site)
    else:
        subject = _("Réinitialisation de votre mot de passe")
        intro = _("Pour choisir un nouveau mot de passe sur %(site)s, suivez ce lien :", site=site)
    body = "\n\n".join(
        [
            _("Bonjour %(name)s,", name=user.first_name),
            intro,
            link,
            _("Ce lien ne sert qu'une fois et expire dans %(hours)d heure(s).", hours=hours),
            _("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."),
        ]
    )
    queue_mail(user.email, subject, body)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through a valid reset link; the link then stops working."""
    user = user_for_reset_token(token)
    if user is None:
        flash(_("Ce lien n'est plus valable : demandez-en un nouveau."), "error")
        return redirect(url_for("auth.reset_request"), code=303)
    form = ResetPasswordForm()
    form.personal_inputs = [user.email, user.first_name, user.last_name]
    if form.validate_on_submit():
        user.set_password(form.new_password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Votre mot de passe est enregistré : vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Show and edit one's names and language; shows one's cohorts and ateliers."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        announce(user_changed, current_user._get_current_object())
        db.session.commit()
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("auth.profile"), code=303)
    return render_template("auth/profile.html", form=form)


@bp.route("/profile/export")
@login_required
def export_data():
    """Everything the portal holds about the user, as a JSON download (RGPD right of access)."""
    from portal.plugins import loaded_plugins

    user = current_user._get_current_object()
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "locale": user.locale,
            "created": user.created_dt.isoformat(),
            "last_login": user.last_login_dt.isoformat() if user.last_login_dt else None,
        },
        "enrolments": [
            {
                "cohort": e.cohort.name,
                "centre": e.cohort.centre,
                "role": e.role.value,
                "ends_on": e.ends_on.isoformat() if e.ends_on else None,
                "access_until": e.access_until.isoformat() if e.access_until else None,
            }
            for e in user.enrolments
        ],
        "notifications": user_notifications(user),
    }
    for plugin in loaded_plugins(current_app):
        contributed = plugin.user_data(user)
        if contributed:
            data[plugin.name] = contributed
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
    return response
