"""Staff pages for users, cohorts, enrolments and ateliers."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import people
from portal.admin.access_views import access_end
from portal.admin.blueprint import bp, managed_or_404
from portal.admin.forms import (
    AtelierForm,
    AtelierMemberForm,
    CohortForm,
    ConfirmForm,
    EnrolByEmailForm,
    EnrolUserForm,
    NewUserForm,
    UserForm,
)
from portal.aftercommit import announce
from portal.auth.views import send_reset_mail
from portal.dates import today
from portal.extensions import db
from portal.forms import choices
from portal.labels import ROLE_LABELS
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Programme, Role, User
from portal.permissions import (
    editable_people,
    managed_cohort_ids,
    may_edit_user,
    may_manage_cohort,
    may_manage_people,
    may_manage_programme,
)
from portal.routing import paginate
from portal.signals import atelier_changed, atelier_deleted, user_changed


@bp.route("/")
def index():
    """The staff home: the cohorts one manages and links to every staff page."""
    return render_template("admin/index.html", cohorts=_managed_cohorts())


def _managed_cohorts() -> list[Cohort]:
    ids = managed_cohort_ids(current_user)
    query = sa.select(Cohort).options(so.joinedload(Cohort.programme)).order_by(Cohort.start_date.desc())
    if ids is not None:
        query = query.where(Cohort.id.in_(ids))
    return list(db.session.scalars(query))


def _editable_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not may_edit_user(current_user, user):
        abort(404)
    return user


# -- users -----------------------------------------------------------------------------------------
@bp.route("/users")
def users():
    """Users the current staff member may manage, searchable by name or address, 50 a page."""
    q = request.args.get("q", "").strip()[:100]
    query = (
        sa.select(User)
        .options(so.selectinload(User.enrolments).joinedload(Enrolment.cohort))
        .order_by(User.last_name, User.first_name, User.id)
    )
    editable = editable_people(current_user)
    if editable is not None:
        query = query.where(editable)
    if q:
        # What the person typed is matched literally: % and _ are not wildcards.
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                sa.func.lower(User.email).like(pattern, escape="\\"),
                sa.func.lower(User.first_name + " " + User.last_name).like(pattern, escape="\\"),
                sa.func.lower(User.last_name + " " + User.first_name).like(pattern, escape="\\"),
            )
        )
    page = paginate(query, per_page=current_app.config["USER_LIST_PAGE_SIZE"])
    return render_template(
        "admin/users.html", page=page, q=q, visible_cohorts=managed_cohort_ids(current_user)
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Open an account; the person sets a password from the welcome mail."""
    form = NewUserForm()
    if not current_user.is_admin:
        del form.is_admin
    if form.validate_on_submit():
        if db.session.scalar(sa.select(User.id).where(User.email == form.email.data)) is not None:
            form.email.errors.append(_("Un compte utilise déjà cette adresse."))
        else:
            user = people.create_user(
                form.email.data,
                form.first_name.data,
                form.last_name.data,
                locale=form.locale.data,
                is_admin=bool(form.is_admin.data) if "is_admin" in form else False,
            )
            if form.send_welcome.data:
                send_reset_mail(user, welcome=True)
            db.session.commit()
            flash(_("Le compte de %(name)s est créé.", name=user.full_name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Edit an account and see its enrolments."""
    user = _editable_user_or_404(user_id)
    form = UserForm(obj=user)
    if not current_user.is_admin:
        del form.is_admin
    if form.validate_on_submit():
        taken = db.session.scalar(sa.select(User.id).where(User.email == form.email.data, User.id != user.id))
        if taken is not None:
            form.email.errors.append(_("Un compte utilise déjà cette adresse."))
        elif user.id == current_user.id and "is_admin" in form and not form.is_admin.data:
            form.is_admin.errors.append(_("Vous ne pouvez pas retirer vos propres droits d'administration."))
        else:
            form.populate_obj(user)
            announce(user_changed, user)
            db.session.commit()
            flash(_("Le compte est enregistré."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    enrol_form = EnrolUserForm(prefix="enrol")
    enrol_form.cohort_id.choices = choices((c.id, f"{c.name} ({c.centre})") for c in _managed_cohorts())
    # Staff see and change only the enrolments of the cohorts they manage.
    visible = managed_cohort_ids(current_user)
    enrolments = [e for e in user.enrolments if visible is None or e.cohort_id in visible]
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        enrol_form=enrol_form,
        enrolments=enrolments,
        access={e.id: access_end(e) for e in enrolments},
        today=today(),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int):
    """Deactivate an account: no more login, every session ends."""
    user = _editable_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("Vous ne pouvez pas désactiver votre propre compte."), "error")
    else:
        people.deactivate(user)
        flash(_("Le compte de %(name)s est désactivé.", name=user.full_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
def user_activate(user_id: int):
    """Reactivate an account."""
    user = _editable_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user.active = True
    announce(user_changed, user)
    db.session.commit()
    flash(_("Le compte de %(name)s est réactivé.", name=user.full_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


@bp.route("/users/<int:user_id>/send-reset", methods=["POST"])
def user_send_reset(user_id: int):
    """Mail the person a link to choose a new password."""
    user = _editable_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(_("Ce compte est désactivé : réactivez-le d'abord."), "error")
    else:
        send_reset_mail(user)
        db.session.commit()
        flash(
            _("Un lien pour choisir un mot de passe a été envoyé à %(email)s.", email=user.email), "success"
        )
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


@bp.route("/users/<int:user_id>/enrol", methods=["POST"])
def user_enrol(user_id: int):
    """Give the user a role in a cohort the current staff member manages."""
    user = _editable_user_or_404(user_id)
    form = EnrolUserForm(prefix="enrol")
    form.cohort_id.choices = choices((c.id, c.name) for c in _managed_cohorts())
    if form.validate_on_submit():
        cohort = managed_or_404(Cohort, form.cohort_id.data)
        _enrol_and_report(user, cohort, Role(form.role.data))
    else:
        flash(_("Choisissez une promotion et un rôle."), "error")
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


def _enrol_and_report(user: User, cohort: Cohort, role: Role) -> None:
    enrolment = people.enrol(user, cohort, role)
    if enrolment is None:
        flash(_("%(name)s a déjà ce rôle dans cette promotion.", name=user.full_name), "info")
        return
    db.session.commit()
    flash(
        _(
            "%(name)s est inscrit·e dans « %(cohort)s » comme %(role)s.",
            name=user.full_name,
            cohort=cohort.name,
            role=ROLE_LABELS[role],
        ),
        "success",
    )


@bp.route("/enrolments/<int:enrolment_id>/delete", methods=["POST"])
def enrolment_delete(enrolment_id: int):
    """Remove a role in a cohort (and the matching atelier places)."""
    enrolment = managed_or_404(Enrolment, enrolment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = request.form.get("back") == "user"
    user_id, cohort_id = enrolment.user_id, enrolment.cohort_id
    people.unenrol(enrolment)
    flash(_("L'inscription est retirée."), "success")
    if back and may_edit_user(current_user, db.session.get(User, user_id)):
        return redirect(url_for("admin.user_edit", user_id=user_id), code=303)
    if not may_manage_cohort(current_user, cohort_id):
        # A staff member who removed their own staff role no longer reaches the cohort's page.
        home = "admin.index" if may_manage_people(current_user) else "dashboard.index"
        return redirect(url_for(home), code=303)
    return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id), code=303)


# -- cohorts ---------------------------------------------------------------------------------------
def _programme_choices() -> list[SelectChoice]:
    programmes = db.session.scalars(sa.select(Programme).order_by(Programme.title)).all()
    return choices((p.id, p.title) for p in programmes if may_manage_programme(current_user, p))


@bp.route("/cohorts")
def cohorts():
    """The cohorts one manages."""
    return render_template(
        "admin/cohorts.html", cohorts=_managed_cohorts(), may_create=bool(_programme_choices())
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_new():
    """Open a cohort of a programme one coordinates (or any, for an admin)."""
    form = CohortForm()
    form.programme_id.choices = _programme_choices()
    if not form.programme_id.choices:
        abort(404)
    if form.validate_on_submit():
        cohort = Cohort()
        form.populate_obj(cohort)
        db.session.add(cohort)
        # Only admins and the programme's coordinators open cohorts, and both manage every cohort of it.
        db.session.commit()
        flash(_("La promotion « %(name)s » est créée.", name=cohort.name), "success")
        return redirect(url_for("admin.cohort_detail", cohort_id=cohort.id), code=303)
    return render_template(
        "admin/form.html", form=form, title=_("Nouvelle promotion"), back=url_for("admin.cohorts")
    )


@bp.route("/cohorts/<int:cohort_id>")
def cohort_detail(cohort_id: int):
    """A cohort's people by role and its ateliers."""
    return _cohort_page(managed_or_404(Cohort, cohort_id))


def _cohort_page(
    cohort: Cohort, enrol_form: EnrolByEmailForm | None = None, atelier_form: AtelierForm | None = None
) -> str:
    """The cohort page; a refused form is shown again with its errors and what was typed."""
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .options(so.joinedload(Enrolment.user))
        .where(Enrolment.cohort_id == cohort.id)
        .join(User)
        .order_by(User.last_name, User.first_name)
    ).all()
    by_role = {role: [e for e in enrolments if e.role == role] for role in Role}
    counts = dict(
        db.session.execute(
            sa.select(AtelierMember.atelier_id, sa.func.count())
            .join(Atelier)
            .where(Atelier.cohort_id == cohort.id, AtelierMember.role == Role.LEARNER)
            .group_by(AtelierMember.atelier_id)
        ).all()
    )
    return render_template(
        "admin/cohort_detail.html",
        cohort=cohort,
        by_role=by_role,
        counts=counts,
        enrol_form=enrol_form or EnrolByEmailForm(prefix="enrol"),
        atelier_form=atelier_form or AtelierForm(prefix="atelier"),
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def cohort_edit(cohort_id: int):
    """Edit a cohort's name, centre and dates."""
    cohort = managed_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    form.programme_id.choices = choices([(cohort.programme_id, cohort.programme.title)])
    if form.validate_on_submit():
        form.populate_obj(cohort)
        db.session.commit()
        flash(_("La promotion est enregistrée."), "success")
        return redirect(url_for("admin.cohort_detail", cohort_id=cohort.id), code=303)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Modifier la promotion"),
        back=url_for("admin.cohort_detail", cohort_id=cohort.id),
    )


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["POST"])
def cohort_enrol(cohort_id: int):
    """Give an existing account a role in this cohort."""
    cohort = managed_or_404(Cohort, cohort_id)
    form = EnrolByEmailForm(prefix="enrol")
    if not form.validate_on_submit():
        return _cohort_page(cohort, enrol_form=form)
    user = db.session.scalar(sa.select(User).where(User.email == form.email.data))
    if user is None or not may_edit_user(current_user, user):
        form.email.errors.append(_("Aucun compte que vous gérez n'a cette adresse : créez-le d'abord."))
        return _cohort_page(cohort, enrol_form=form)
    _enrol_and_report(user, cohort, Role(form.role.data))
    return redirect(url_for("admin.cohort_detail", cohort_id=cohort.id), code=303)


# -- ateliers --------------------------------------------------------------------------------------
@bp.route("/cohorts/<int:cohort_id>/ateliers", methods=["POST"])
def atelier_new(cohort_id: int):
    """Create an atelier in the cohort."""
    cohort = managed_or_404(Cohort, cohort_id)
    form = AtelierForm(prefix="atelier")
    if not form.validate_on_submit():
        return _cohort_page(cohort, atelier_form=form)
    if _atelier_name_taken(cohort.id, form.name.data):
        form.name.errors.append(_("Un atelier de cette promotion porte déjà ce nom."))
        return _cohort_page(cohort, atelier_form=form)
    atelier = Atelier(cohort=cohort, name=form.name.data)
    db.session.add(atelier)
    announce(atelier_changed, atelier, added=[], removed=[])
    db.session.commit()
    flash(_("L'atelier « %(name)s » est créé.", name=atelier.name), "success")
    return redirect(url_for("admin.atelier_detail", atelier_id=atelier.id), code=303)


def _atelier_name_taken(cohort_id: int, name: str, except_id: int | None = None) -> bool:
    query = sa.select(Atelier.id).where(
        Atelier.cohort_id == cohort_id, sa.func.lower(Atelier.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Atelier.id != except_id)
    return db.session.scalar(query) is not None


def _member_form(atelier: Atelier) -> AtelierMemberForm:
    form = AtelierMemberForm(prefix="member")
    placed = (
        sa.select(AtelierMember.user_id)
        .join(Atelier)
        .where(Atelier.cohort_id == atelier.cohort_id, AtelierMember.role == Role.LEARNER)
    )
    here = sa.select(AtelierMember.user_id).where(AtelierMember.atelier_id == atelier.id)
    candidates = db.session.execute(
        sa.select(User, Enrolment.role)
        .join(Enrolment)
        .where(
            Enrolment.cohort_id == atelier.cohort_id,
            Enrolment.role.in_([Role.LEARNER, Role.TUTOR]),
            User.id.not_in(here),
            sa.or_(Enrolment.role == Role.TUTOR, User.id.not_in(placed)),
        )
        .order_by(User.last_name, User.first_name)
    ).all()
    seen: dict[int, str] = {}
    for user, role in candidates:
        label = f"{user.sort_name} — {ROLE_LABELS[role]}"
        seen[user.id] = f"{seen[user.id]}, {ROLE_LABELS[role]}" if user.id in seen else label
    form.user_id.choices = choices(seen.items())
    return form


@bp.route("/ateliers/<int:atelier_id>", methods=["GET", "POST"])
def atelier_detail(atelier_id: int):
    """An atelier's members; rename it."""
    atelier = managed_or_404(Atelier, atelier_id)
    form = AtelierForm(obj=atelier)
    if form.validate_on_submit():
        if _atelier_name_taken(atelier.cohort_id, form.name.data, except_id=atelier.id):
            form.name.errors.append(_("Un atelier de cette promotion porte déjà ce nom."))
        else:
            atelier.name = form.name.data
            announce(atelier_changed, atelier, added=[], removed=[])
            db.session.commit()
            flash(_("L'atelier est renommé."), "success")
            return redirect(url_for("admin.atelier_detail", atelier_id=atelier.id), code=303)
    members = db.session.scalars(
        sa.select(AtelierMember)
        .options(so.joinedload(AtelierMember.user))
        .where(AtelierMember.atelier_id == atelier.id)
        .join(User)
        .order_by(User.last_name, User.first_name)
    ).all()
    return render_template(
        "admin/atelier_detail.html",
        atelier=atelier,
        form=form,
        members=members,
        member_form=_member_form(atelier),
    )


@bp.route("/ateliers/<int:atelier_id>/members", methods=["POST"])
def atelier_member_add(atelier_id: int):
    """Put a learner or a tutor of the cohort in the atelier."""
    atelier = managed_or_404(Atelier, atelier_id)
    form = _member_form(atelier)
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        try:
            people.add_to_atelier(atelier, user, Role(form.role.data))
        except people.MembershipError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s rejoint l'atelier.", name=user.full_name), "success")
    else:
        flash(_("Choisissez une personne de la promotion et son rôle."), "error")
    return redirect(url_for("admin.atelier_detail", atelier_id=atelier.id), code=303)


@bp.route("/ateliers/<int:atelier_id>/members/<int:user_id>/remove", methods=["POST"])
def atelier_member_remove(atelier_id: int, user_id: int):
    """Take someone out of the atelier."""
    atelier = managed_or_404(Atelier, atelier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    member = db.get_or_404(AtelierMember, (atelier.id, user_id))
    name = member.user.full_name
    people.remove_from_atelier(member)
    flash(_("%(name)s a quitté l'atelier.", name=name), "success")
    return redirect(url_for("admin.atelier_detail", atelier_id=atelier.id), code=303)


@bp.route("/ateliers/<int:atelier_id>/delete", methods=["POST"])
def atelier_delete(atelier_id: int):
    """Delete an atelier; its members stay enrolled in the cohort."""
    atelier = managed_or_404(Atelier, atelier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cohort_id, name = atelier.cohort_id, atelier.name
    atelier_deleted.send(atelier)
    db.session.delete(atelier)
    db.session.commit()
    flash(_("L'atelier « %(name)s » est supprimé.", name=name), "success")
    return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id), code=303)
