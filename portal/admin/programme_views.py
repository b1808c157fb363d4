"""Staff pages for programmes, their blocs and seminars."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.blueprint import bp, managed_or_404
from portal.admin.forms import BlocForm, ConfirmForm, CoordinatorForm, ProgrammeForm, SeminarForm
from portal.aftercommit import announce
from portal.extensions import db
from portal.models import Bloc, Programme, ProgrammeCoordinator, Seminar, User
from portal.permissions import is_admin, may_manage_programme
from portal.plugins import loaded_plugins
from portal.signals import programme_changed


@bp.route("/programmes")
def programmes():
    """The programmes one may edit."""
    rows = db.session.scalars(sa.select(Programme).order_by(Programme.title)).all()
    return render_template(
        "admin/programmes.html", programmes=[p for p in rows if may_manage_programme(current_user, p)]
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
def programme_new():
    """Create a programme (admins only)."""
    if not current_user.is_admin:
        abort(404)
    form = ProgrammeForm()
    if form.validate_on_submit():
        programme = Programme()
        form.populate_obj(programme)
        db.session.add(programme)
        db.session.commit()
        flash(_("La formation est créée."), "success")
        return redirect(url_for("admin.programme_detail", programme_id=programme.id), code=303)
    return render_template(
        "admin/form.html", form=form, title=_("Nouvelle formation"), back=url_for("admin.programmes")
    )


@bp.route("/programmes/<int:programme_id>")
def programme_detail(programme_id: int):
    """A programme's blocs and seminars with their hours."""
    programme = managed_or_404(Programme, programme_id)
    blocs = db.session.scalars(
        sa.select(Bloc)
        .options(so.selectinload(Bloc.seminars))
        .where(Bloc.programme_id == programme.id)
        .order_by(Bloc.number)
    ).all()
    certifying_hours = sum(b.hours for b in blocs if b.is_certifying)
    coordinators = db.session.scalars(
        sa.select(User)
        .join(ProgrammeCoordinator, ProgrammeCoordinator.user_id == User.id)
        .where(ProgrammeCoordinator.programme_id == programme.id)
        .order_by(User.last_name, User.first_name)
    ).all()
    return render_template(
        "admin/programme_detail.html",
        programme=programme,
        blocs=blocs,
        certifying_hours=certifying_hours,
        coordinators=coordinators,
        coordinator_form=CoordinatorForm() if is_admin(current_user) else None,
    )


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def programme_edit(programme_id: int):
    """Edit a programme's title, code, level, hours and presentation."""
    programme = managed_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        form.populate_obj(programme)
        announce(programme_changed, programme)
        db.session.commit()
        flash(_("La formation est enregistrée."), "success")
        return redirect(url_for("admin.programme_detail", programme_id=programme.id), code=303)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Modifier la formation"),
        back=url_for("admin.programme_detail", programme_id=programme.id),
    )


def _bloc_number_taken(programme_id: int, number: int, except_id: int | None = None) -> bool:
    query = sa.select(Bloc.id).where(Bloc.programme_id == programme_id, Bloc.number == number)
    if except_id is not None:
        query = query.where(Bloc.id != except_id)
    return db.session.scalar(query) is not None


def _save_bloc(form: BlocForm, bloc: Bloc, programme: Programme):
    if _bloc_number_taken(programme.id, form.number.data, except_id=bloc.id):
        form.number.errors.append(_("Un autre bloc de cette formation porte ce numéro."))
        return None
    form.populate_obj(bloc)
    bloc.programme = programme
    db.session.add(bloc)
    announce(programme_changed, programme)
    db.session.commit()
    flash(_("Le bloc est enregistré."), "success")
    return redirect(url_for("admin.programme_detail", programme_id=programme.id), code=303)


@bp.route("/programmes/<int:programme_id>/blocs/new", methods=["GET", "POST"])
def bloc_new(programme_id: int):
    """Add a bloc to a programme."""
    programme = managed_or_404(Programme, programme_id)
    form = BlocForm()
    if form.validate_on_submit():
        response = _save_bloc(form, Bloc(), programme)
        if response is not None:
            return response
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Nouveau bloc"),
        back=url_for("admin.programme_detail", programme_id=programme.id),
    )


@bp.route("/blocs/<int:bloc_id>/edit", methods=["GET", "POST"])
def bloc_edit(bloc_id: int):
    """Edit a bloc."""
    bloc = managed_or_404(Bloc, bloc_id)
    form = BlocForm(obj=bloc)
    if form.validate_on_submit():
        response = _save_bloc(form, bloc, bloc.programme)
        if response is not None:
            return response
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Modifier le bloc"),
        back=url_for("admin.programme_detail", programme_id=bloc.programme_id),
    )


def _dependents(bloc_ids: list[int], seminar_ids: list[int]) -> list[str]:
    """What every plugin holds, in any cohort, that hangs off these blocs or seminars."""
    found: list[str] = []
    for plugin in loaded_plugins(current_app):
        found.extend(plugin.structure_dependents(bloc_ids, seminar_ids))
    return found


def _refused_while_used(what: str, dependents: list[str], programme_id: int):
    flash(
        _(
            "%(what)s ne peut pas être supprimé : %(dependents)s en dépendent, dans une ou plusieurs "
            "promotions. Déplacez ou supprimez-les d'abord.",
            what=what,
            dependents=", ".join(dependents),
        ),
        "error",
    )
    return redirect(url_for("admin.programme_detail", programme_id=programme_id), code=303)


@bp.route("/blocs/<int:bloc_id>/delete", methods=["POST"])
def bloc_delete(bloc_id: int):
    """Delete a bloc and its seminars, unless material, sessions or assignments of any cohort use them."""
    bloc = managed_or_404(Bloc, bloc_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programme = bloc.programme
    dependents = _dependents([bloc.id], [seminar.id for seminar in bloc.seminars])
    if dependents:
        return _refused_while_used(_("Le bloc %(number)d", number=bloc.number), dependents, programme.id)
    db.session.delete(bloc)
    announce(programme_changed, programme)
    db.session.commit()
    flash(_("Le bloc est supprimé."), "success")
    return redirect(url_for("admin.programme_detail", programme_id=programme.id), code=303)


@bp.route("/blocs/<int:bloc_id>/seminars/new", methods=["GET", "POST"])
def seminar_new(bloc_id: int):
    """Add a seminar to a bloc."""
    bloc = managed_or_404(Bloc, bloc_id)
    form = SeminarForm()
    if not form.is_submitted():
        form.position.data = len(bloc.seminars) + 1
    if form.validate_on_submit():
        seminar = Seminar(bloc=bloc)
        form.populate_obj(seminar)
        db.session.add(seminar)
        announce(programme_changed, bloc.programme)
        db.session.commit()
        flash(_("Le séminaire est ajouté."), "success")
        return redirect(url_for("admin.programme_detail", programme_id=bloc.programme_id), code=303)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Nouveau séminaire"),
        back=url_for("admin.programme_detail", programme_id=bloc.programme_id),
    )


@bp.route("/seminars/<int:seminar_id>/edit", methods=["GET", "POST"])
def seminar_edit(seminar_id: int):
    """Edit a seminar."""
    seminar = managed_or_404(Seminar, seminar_id)
    form = SeminarForm(obj=seminar)
    if form.validate_on_submit():
        form.populate_obj(seminar)
        announce(programme_changed, seminar.bloc.programme)
        db.session.commit()
        flash(_("Le séminaire est enregistré."), "success")
        return redirect(url_for("admin.programme_detail", programme_id=seminar.bloc.programme_id), code=303)
    return render_template(
        "admin/form.html",
        form=form,
        title=_("Modifier le séminaire"),
        back=url_for("admin.programme_detail", programme_id=seminar.bloc.programme_id),
    )


@bp.route("/seminars/<int:seminar_id>/delete", methods=["POST"])
def seminar_delete(seminar_id: int):
    """Delete a seminar, unless material or sessions of any cohort use it."""
    seminar = managed_or_404(Seminar, seminar_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programme = seminar.bloc.programme
    dependents = _dependents([], [seminar.id])
    if dependents:
        return _refused_while_used(_("Le séminaire"), dependents, programme.id)
    db.session.delete(seminar)
    announce(programme_changed, programme)
    db.session.commit()
    flash(_("Le séminaire est supprimé."), "success")
    return redirect(url_for("admin.programme_detail", programme_id=programme.id), code=303)
