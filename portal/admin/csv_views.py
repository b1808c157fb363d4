"""The CSV import of users: upload, preview with every error, then import all or nothing."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.blueprint import bp
from portal.admin.csv_import import apply_plan, decode, plan_import
from portal.admin.forms import CsvConfirmForm, CsvUploadForm
from portal.auth.views import send_reset_mail
from portal.extensions import db

#: A CSV of users is small; anything larger is refused before it is read.
MAX_CSV_BYTES = 2 * 1024 * 1024


@bp.route("/users/import", methods=["GET", "POST"])
def users_import():
    """Upload a file and see what importing it would do, with every bad line and its reason."""
    form = CsvUploadForm()
    if form.validate_on_submit():
        data = form.csv_file.data.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            form.csv_file.errors.append(_("Le fichier dépasse 2 Mo."))
        else:
            text = decode(data)
            plan = plan_import(text, current_user, current_app.config["CSV_IMPORT_MAX_ROWS"])
            confirm = CsvConfirmForm(content=text, send_welcome="1" if form.send_welcome.data else "")
            return render_template("admin/users_import_preview.html", plan=plan, confirm=confirm)
    return render_template("admin/users_import.html", form=form)


@bp.route("/users/import/confirm", methods=["POST"])
def users_import_confirm():
    """Check the previewed file again and import it in one transaction, or nothing at all."""
    form = CsvConfirmForm()
    if not form.validate_on_submit():
        flash(_("Le fichier n'a pas été transmis : recommencez l'import."), "error")
        return redirect(url_for("admin.users_import"), code=303)
    plan = plan_import(form.content.data, current_user, current_app.config["CSV_IMPORT_MAX_ROWS"])
    if not plan.ok:
        return render_template("admin/users_import_preview.html", plan=plan, confirm=form), 422
    created, enrolments = apply_plan(plan)
    if form.send_welcome.data:
        for user in created:
            send_reset_mail(user, welcome=True)
    db.session.commit()
    flash(
        _(
            "Import terminé : %(users)d compte(s) créé(s), %(enrolments)d inscription(s) ajoutée(s).",
            users=len(created),
            enrolments=len(enrolments),
        ),
        "success",
    )
    return redirect(url_for("admin.users"), code=303)
