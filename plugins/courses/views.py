"""Pages of the courses plugin: programme, bloc, item; editing for lecturers and staff; progress."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plugins.courses import indexing
from plugins.courses.blueprint import bp
from plugins.courses.forms import ConfirmForm, ItemForm
from plugins.courses.models import CourseItem, CourseItemCohort, CourseItemFile, CourseProgress, ItemKind
from plugins.courses.permissions import may_edit, may_read, may_view_programme, programme_of, reader_of
from plugins.courses.queries import done_ids, items_of_seminars, lecturers_of, progress_by_bloc
from plugins.courses.service import (
    delete_item,
    folder_zip,
    forget_file,
    mark_visit,
    paris_to_utc,
    utc_to_paris,
)
from portal.extensions import db
from portal.models import Bloc, Cohort, Programme, Seminar, utcnow
from portal.permissions import memberships, programme_cohorts
from portal.storage import UploadRefused, save_upload


@bp.route("/")
def index():
    """The programmes of the user; straight to the programme when there is one."""
    ids = _programme_ids()
    if len(ids) == 1:
        return redirect(url_for("courses.programme", programme_id=ids.pop()))
    programmes = db.session.scalars(
        sa.select(Programme).where(Programme.id.in_(ids)).order_by(Programme.title)
    )
    return render_template("courses/index.html", programmes=list(programmes))


def _programme_ids() -> set[int]:
    if current_user.is_admin:
        return set(db.session.scalars(sa.select(Programme.id)))
    return set(memberships(current_user).cohort_programme.values())


@bp.route("/programme/<int:programme_id>")
def programme(programme_id: int):
    """A programme's blocs with their hours and the learner's progress in each."""
    found = db.get_or_404(Programme, programme_id)
    if not may_view_programme(current_user, found.id):
        abort(404)
    progress = progress_by_bloc(found.id, reader_of(current_user, found.id), current_user.id, utcnow())
    blocs = db.session.scalars(
        sa.select(Bloc).where(Bloc.programme_id == found.id).order_by(Bloc.number)
    ).all()
    is_learner = any("learner" in roles for roles in programme_cohorts(current_user, found.id).values())
    return render_template(
        "courses/programme.html", programme=found, blocs=blocs, progress=progress, is_learner=is_learner
    )


@bp.route("/bloc/<int:bloc_id>")
def bloc(bloc_id: int):
    """A bloc's seminars in order, each with its description, lecturers and material."""
    found = db.get_or_404(Bloc, bloc_id)
    if not may_view_programme(current_user, found.programme_id):
        abort(404)
    # The visit is recorded (and committed) first: a commit after loading would expire every item loaded.
    mark_visit(current_user, found.programme_id)
    now = utcnow()
    reader = reader_of(current_user, found.programme_id)
    seminars = db.session.scalars(
        sa.select(Seminar).where(Seminar.bloc_id == found.id).order_by(Seminar.position, Seminar.id)
    ).all()
    seminar_ids = [s.id for s in seminars]
    visible = items_of_seminars(seminar_ids, reader, now)
    items: dict[int, list[CourseItem]] = {}
    for item in visible:
        items.setdefault(item.seminar_id, []).append(item)
    # Editors read every item and mark none: their counts would only say "0 of n".
    done = set() if reader.editor else done_ids(current_user.id, [i.id for i in visible])
    return render_template(
        "courses/bloc.html",
        bloc=found,
        seminars=seminars,
        items=items,
        done=done,
        editor=reader.editor,
        now=now,
        lecturers=lecturers_of(seminar_ids),
        counts=(sum(i.id in done for i in visible), len(visible)),
    )


def _readable_item_or_404(item_id: int) -> CourseItem:
    item = db.get_or_404(CourseItem, item_id)
    if not may_read(current_user, item, utcnow()):
        abort(404)
    return item


def _editable_item_or_404(item_id: int) -> CourseItem:
    item = db.get_or_404(CourseItem, item_id)
    if not may_edit(current_user, programme_of(item)):
        abort(404)
    return item


@bp.route("/item/<int:item_id>")
def item(item_id: int):
    """An item: a page's text, a file or folder's files, a link."""
    found = _readable_item_or_404(item_id)
    done = bool(done_ids(current_user.id, [found.id]))
    return render_template(
        "courses/item.html",
        item=found,
        done=done,
        editor=may_edit(current_user, programme_of(found)),
        now=utcnow(),
    )


@bp.route("/item/<int:item_id>/zip")
def item_zip(item_id: int):
    """A folder's files as one ZIP download."""
    found = _readable_item_or_404(item_id)
    if found.kind != ItemKind.FOLDER:
        abort(404)
    if not found.files:
        flash(_("Ce dossier est vide : il n'y a rien à télécharger."), "error")
        return redirect(url_for("courses.item", item_id=found.id), code=303)
    return folder_zip(found)


@bp.route("/item/<int:item_id>/done", methods=["POST"])
def item_done(item_id: int):
    """Mark an item as done, or not done any more."""
    found = _readable_item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    existing = db.session.get(CourseProgress, (found.id, current_user.id))
    if existing is None:
        db.session.add(CourseProgress(item_id=found.id, user_id=current_user.id))
        flash(_("« %(title)s » est marqué comme fait.", title=found.title), "success")
    else:
        db.session.delete(existing)
        flash(_("« %(title)s » n'est plus marqué comme fait.", title=found.title), "info")
    db.session.commit()
    if request.form.get("back") == "bloc":
        return redirect(
            url_for("courses.bloc", bloc_id=found.seminar.bloc_id, _anchor=f"item-{found.id}"), code=303
        )
    return redirect(url_for("courses.item", item_id=found.id), code=303)


def _cohort_choices(programme_id: int):
    from portal.forms import choices

    cohorts = db.session.scalars(
        sa.select(Cohort).where(Cohort.programme_id == programme_id).order_by(Cohort.start_date.desc())
    )
    return choices((c.id, f"{c.name} ({c.centre})") for c in cohorts)


def _save(form: ItemForm, item: CourseItem) -> None:
    """Apply a valid form to the item (flushed); raises UploadRefused when an upload is refused."""
    item.title = form.title.data
    item.description = form.description.data or ""
    item.hidden = form.hidden.data
    item.available_from = paris_to_utc(form.available_from.data)
    item.available_until = paris_to_utc(form.available_until.data)
    if "url" in form:
        item.url = form.url.data
    if "body" in form:
        item.body = form.body.data
    # The field only accepts its choices: the cohorts of the item's programme.
    item.cohorts = [CourseItemCohort(cohort_id=c) for c in form.cohorts.data or []]
    replaced: list[int] = []
    if "files" in form:
        uploads = [f for f in form.files.data or [] if getattr(f, "filename", "")]
        if item.kind == ItemKind.FILE and uploads:
            for old in list(item.files):
                replaced.append(old.file_id)
                item.files.remove(old)
        for upload in uploads:
            item.files.append(CourseItemFile(stored=save_upload(upload, "courses", current_user)))
    db.session.add(item)
    db.session.flush()
    # A replaced file goes once nothing else uses it, as on deletion.
    for file_id in replaced:
        forget_file(file_id)
    indexing.reindex_later(item)


@bp.route("/seminar/<int:seminar_id>/new/<kind>", methods=["GET", "POST"])
def item_new(seminar_id: int, kind: str):
    """Add an item of the given kind to a seminar."""
    seminar = db.get_or_404(Seminar, seminar_id)
    programme_id = seminar.bloc.programme_id
    if not may_edit(current_user, programme_id) or kind not in ItemKind._value2member_map_:
        abort(404)
    form = ItemForm(kind=kind, creating=True)
    form.cohorts.choices = _cohort_choices(programme_id)
    if form.validate_on_submit():
        position = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(CourseItem.position), 0)).where(
                CourseItem.seminar_id == seminar.id
            )
        )
        item = CourseItem(
            seminar=seminar, kind=ItemKind(kind), position=position + 1, created_by_id=current_user.id
        )
        try:
            _save(form, item)
        except UploadRefused as refusal:
            db.session.rollback()
            form.files.errors.append(str(refusal))
            return render_template(
                "courses/item_form.html", form=form, seminar=seminar, item=None
            ), refusal.status
        db.session.commit()
        flash(_("« %(title)s » est ajouté.", title=item.title), "success")
        return redirect(
            url_for("courses.bloc", bloc_id=seminar.bloc_id, _anchor=f"seminar-{seminar.id}"), code=303
        )
    return render_template("courses/item_form.html", form=form, seminar=seminar, item=None)


@bp.route("/item/<int:item_id>/edit", methods=["GET", "POST"])
def item_edit(item_id: int):
    """Edit an item."""
    found = _editable_item_or_404(item_id)
    programme_id = programme_of(found)
    form = ItemForm(obj=found, kind=found.kind.value, creating=False)
    form.cohorts.choices = _cohort_choices(programme_id)
    if not form.is_submitted():
        form.cohorts.data = [c.cohort_id for c in found.cohorts]
        form.available_from.data = utc_to_paris(found.available_from)
        form.available_until.data = utc_to_paris(found.available_until)
    if form.validate_on_submit():
        try:
            _save(form, found)
        except UploadRefused as refusal:
            db.session.rollback()
            form.files.errors.append(str(refusal))
            return render_template(
                "courses/item_form.html", form=form, seminar=found.seminar, item=found
            ), refusal.status
        db.session.commit()
        flash(_("« %(title)s » est enregistré.", title=found.title), "success")
        return redirect(url_for("courses.item", item_id=found.id), code=303)
    return render_template("courses/item_form.html", form=form, seminar=found.seminar, item=found)


@bp.route("/item/<int:item_id>/files/<int:file_id>/remove", methods=["POST"])
def item_file_remove(item_id: int, file_id: int):
    """Take one file out of a folder."""
    found = _editable_item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    link = next((f for f in found.files if f.id == file_id), None)
    if link is None:
        abort(404)
    found.files.remove(link)
    db.session.flush()
    forget_file(link.file_id)
    indexing.reindex_later(found)
    db.session.commit()
    flash(_("Le fichier est retiré."), "success")
    return redirect(url_for("courses.item_edit", item_id=found.id), code=303)


@bp.route("/item/<int:item_id>/move/<direction>", methods=["POST"])
def item_move(item_id: int, direction: str):
    """Move an item up or down in its seminar."""
    found = _editable_item_or_404(item_id)
    if direction not in ("up", "down") or not ConfirmForm().validate_on_submit():
        abort(400)
    siblings = db.session.scalars(
        sa.select(CourseItem)
        .where(CourseItem.seminar_id == found.seminar_id)
        .order_by(CourseItem.position, CourseItem.id)
    ).all()
    index = siblings.index(found)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        db.session.commit()
    return redirect(
        url_for("courses.bloc", bloc_id=found.seminar.bloc_id, _anchor=f"item-{found.id}"), code=303
    )


@bp.route("/item/<int:item_id>/visibility", methods=["POST"])
def item_toggle_hidden(item_id: int):
    """Hide an item from learners, or show it again."""
    found = _editable_item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    found.hidden = not found.hidden
    indexing.reindex_later(found)
    db.session.commit()
    message = (
        _("« %(title)s » est masqué.", title=found.title)
        if found.hidden
        else _("« %(title)s » est visible.", title=found.title)
    )
    flash(message, "success")
    return redirect(
        url_for("courses.bloc", bloc_id=found.seminar.bloc_id, _anchor=f"item-{found.id}"), code=303
    )


@bp.route("/item/<int:item_id>/delete", methods=["GET", "POST"])
def item_delete(item_id: int):
    """Ask, then delete an item (its files go when nothing else uses them)."""
    found = _editable_item_or_404(item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        bloc_id, title = found.seminar.bloc_id, found.title
        delete_item(found)
        db.session.commit()
        flash(_("« %(title)s » est supprimé.", title=title), "success")
        return redirect(url_for("courses.bloc", bloc_id=bloc_id), code=303)
    return render_template("courses/item_delete.html", item=found, form=form)


@bp.route("/seminar/<int:seminar_id>/lecturers", methods=["GET", "POST"])
def seminar_lecturers(seminar_id: int):
    """Choose who teaches a seminar, among the lecturers of the programme's cohorts."""
    from plugins.courses.forms import LecturersForm
    from plugins.courses.models import SeminarLecturer
    from portal.forms import choices
    from portal.members import programme_members
    from portal.models import Role

    seminar = db.get_or_404(Seminar, seminar_id)
    programme_id = seminar.bloc.programme_id
    if not may_edit(current_user, programme_id):
        abort(404)
    candidates = programme_members(programme_id, Role.LECTURER)
    form = LecturersForm()
    form.lecturers.choices = choices((u.id, u.sort_name) for u in candidates)
    current = db.session.scalars(
        sa.select(SeminarLecturer).where(SeminarLecturer.seminar_id == seminar.id)
    ).all()
    if not form.is_submitted():
        form.lecturers.data = [row.user_id for row in current]
    if form.validate_on_submit():
        chosen = set(form.lecturers.data or [])
        for row in current:
            if row.user_id not in chosen:
                db.session.delete(row)
        for user_id in chosen - {row.user_id for row in current}:
            db.session.add(SeminarLecturer(seminar_id=seminar.id, user_id=user_id))
        db.session.commit()
        flash(_("Les intervenant·e·s du séminaire sont enregistré·e·s."), "success")
        return redirect(
            url_for("courses.bloc", bloc_id=seminar.bloc_id, _anchor=f"seminar-{seminar.id}"), code=303
        )
    return render_template("courses/lecturers_form.html", form=form, seminar=seminar)
