"""Staff pages for who may act where: a programme's coordinators (admins only), and when each enrolment's
access ends (its own end date, and extensions granted by the cohort's staff)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.blueprint import bp, managed_or_404
from portal.admin.forms import ConfirmForm, CoordinatorForm, EnrolmentAccessForm
from portal.dates import today
from portal.extensions import db
from portal.models import Enrolment, Programme, ProgrammeCoordinator, User, utcnow
from portal.permissions import access_ends_on, forget_memberships, grace_days, is_admin, may_edit_user
from portal.rows import insert_or_ignore


def _programme_for_admin(programme_id: int) -> Programme:
    if not is_admin(current_user):
        abort(404)
    return db.get_or_404(Programme, programme_id)


@bp.route("/programmes/<int:programme_id>/coordinators", methods=["POST"])
def coordinator_add(programme_id: int):
    """Give an existing account the coordination of the programme."""
    programme = _programme_for_admin(programme_id)
    form = CoordinatorForm()
    back = redirect(url_for("admin.programme_detail", programme_id=programme.id) + "#coordination", code=303)
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.email.errors), "error")
        return back
    user = db.session.scalar(sa.select(User).where(User.email == form.email.data))
    if user is None or not user.active:
        flash(
            _("Aucun compte actif n'utilise l'adresse %(email)s : créez-le d'abord.", email=form.email.data),
            "error",
        )
        return back
    values = {"programme_id": programme.id, "user_id": user.id, "created_dt": utcnow()}
    if not insert_or_ignore(ProgrammeCoordinator, values, ["programme_id", "user_id"]):
        flash(_("%(name)s coordonne déjà cette formation.", name=user.full_name), "info")
        return back
    db.session.commit()
    forget_memberships()
    flash(_("%(name)s coordonne maintenant la formation.", name=user.full_name), "success")
    return back


@bp.route("/programmes/<int:programme_id>/coordinators/<int:user_id>/remove", methods=["POST"])
def coordinator_remove(programme_id: int, user_id: int):
    """Take the coordination of the programme away from someone."""
    programme = _programme_for_admin(programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    place = db.get_or_404(ProgrammeCoordinator, (programme.id, user_id))
    name = place.user.full_name
    db.session.delete(place)
    db.session.commit()
    forget_memberships()
    flash(_("%(name)s ne coordonne plus la formation.", name=name), "success")
    return redirect(url_for("admin.programme_detail", programme_id=programme.id) + "#coordination", code=303)


def access_end(enrolment: Enrolment):
    """The last day the enrolment gives access (None: no end)."""
    return access_ends_on(
        enrolment.role, enrolment.ends_on, enrolment.cohort.end_date, enrolment.access_until, grace_days()
    )


@bp.route("/enrolments/<int:enrolment_id>/access", methods=["GET", "POST"])
def enrolment_access(enrolment_id: int):
    """See and change when an enrolment ends and until when its access lasts."""
    enrolment = managed_or_404(Enrolment, enrolment_id)
    form = EnrolmentAccessForm(obj=enrolment)
    if form.validate_on_submit():
        if form.ends_on.data and form.ends_on.data < enrolment.cohort.start_date:
            form.ends_on.errors.append(_("La fin de l'inscription précède le début de la promotion."))
        else:
            form.populate_obj(enrolment)
            db.session.commit()
            forget_memberships()
            flash(_("L'accès de %(name)s est enregistré.", name=enrolment.user.full_name), "success")
            if may_edit_user(current_user, enrolment.user):
                return redirect(url_for("admin.user_edit", user_id=enrolment.user_id), code=303)
            return redirect(url_for("admin.cohort_detail", cohort_id=enrolment.cohort_id), code=303)
    last = access_end(enrolment)
    return render_template(
        "admin/enrolment_access.html",
        enrolment=enrolment,
        form=form,
        last=last,
        ended=last is not None and last < today(),
        grace=grace_days(),
    )
