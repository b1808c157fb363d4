"""Pages of the library: search and browse, a monograph, proposing and editing, review, the lists."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from plugins.library import queries, service
from plugins.library.blueprint import bp
from plugins.library.forms import ListEntryForm, MonographForm, ReviewForm
from plugins.library.indexing import FACETS, doc_id
from plugins.library.models import Attachment, LegalForm, Monograph, Sector, Status
from plugins.library.permissions import is_author, is_staff, may_delete, may_edit, may_read
from portal import search
from portal.extensions import db
from portal.routing import page_number
from portal.storage import UploadRefused

PAGE_SIZE = 10
#: Published monographs per page of the review page (thousands at a large site).
REVIEW_PAGE_SIZE = 50
SORTS = {"relevance", "year_desc", "year_asc"}


@bp.route("/")
def index():
    """Search and browse the published monographs, with facets, sort and pages."""
    q = request.args.get("q", "").strip()
    too_long = len(q) > search.MAX_QUERY_LENGTH
    q = q[: search.MAX_QUERY_LENGTH]
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    filters = {name: [v for v in request.args.getlist(name) if v][:20] for name in FACETS}
    page = page_number()
    found = search.search(
        current_user,
        q or "*",
        page=page,
        page_size=PAGE_SIZE,
        plugin="library",
        filters=filters,
        facet_names=FACETS,
        # Without words there is no relevance: the newest first.
        sort="year_desc" if sort == "relevance" and not q else sort,
    )
    if page > max(found.pages, 1):
        abort(404)
    # A value filtered by stays listed (checked) even when nothing matches it any more.
    facets = {}
    for name in FACETS:
        counts = dict(found.facets.get(name, []))
        values = list(counts.items()) + [(v, 0) for v in filters[name] if v not in counts]
        if name == "decade":
            values.sort(key=lambda item: item[0])
        facets[name] = values
    args = {"q": q, "sort": sort, **{name: values for name, values in filters.items() if values}}
    return render_template(
        "library/index.html",
        q=q,
        sort=sort,
        found=found,
        facets=facets,
        filters=filters,
        args=args,
        too_long=too_long,
        is_staff=is_staff(current_user),
    )


def _readable(monograph_id: int) -> Monograph:
    monograph = queries.load(monograph_id)
    if monograph is None or not may_read(current_user, monograph):
        abort(404)
    return monograph


@bp.route("/m/<int:monograph_id>")
def monograph(monograph_id: int):
    """A monograph, its attachments, and similar monographs the user may read."""
    return _monograph_page(_readable(monograph_id), ReviewForm())


def _monograph_page(found: Monograph, review_form: ReviewForm) -> str:
    """The page of a monograph the user may read, with the staff's review form."""
    similar = []
    if found.status == Status.PUBLISHED:
        similar = search.similar(
            current_user, doc_id(found.id), ("theme", "legal_form"), limit=5, plugin="library"
        )
    return render_template(
        "library/monograph.html",
        m=found,
        similar=similar,
        may_edit=may_edit(current_user, found),
        may_delete=may_delete(current_user, found),
        is_author=is_author(current_user, found),
        is_staff=is_staff(current_user),
        review_form=review_form,
    )


def _form(**kwargs) -> MonographForm:
    form = MonographForm(**kwargs)
    form.legal_form.choices = queries.list_choices(LegalForm)
    form.sector.choices = queries.list_choices(Sector)
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Propose a monograph: saved as a draft only its author sees."""
    form = _form()
    if form.validate_on_submit():
        found = Monograph(created_by_id=current_user.id, status=Status.DRAFT)
        try:
            service.apply_form(form, found, current_user)
        except UploadRefused as refusal:
            db.session.rollback()
            form.attachments.errors = [*form.attachments.errors, str(refusal)]
            return render_template("library/form.html", form=form, m=None), refusal.status
        db.session.commit()
        flash(_("Votre brouillon est enregistré. Soumettez-le à l'équipe quand il est prêt."), "success")
        return redirect(url_for("library.monograph", monograph_id=found.id), code=303)
    return render_template("library/form.html", form=form, m=None), 400 if form.errors else 200


@bp.route("/m/<int:monograph_id>/edit", methods=["GET", "POST"])
def edit(monograph_id: int):
    """Edit a monograph (its author while a draft, staff afterwards)."""
    found = _readable(monograph_id)
    if not may_edit(current_user, found):
        abort(403)
    form = _form(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.legal_form.data = found.legal_form_id
        form.sector.data = found.sector_id
        form.themes.data = ", ".join(found.theme_names)
        form.visibility.data = found.visibility.value
    if form.validate_on_submit():
        try:
            service.apply_form(form, found, current_user)
        except UploadRefused as refusal:
            db.session.rollback()
            form.attachments.errors = [*form.attachments.errors, str(refusal)]
            return render_template("library/form.html", form=form, m=found), refusal.status
        db.session.commit()
        flash(_("Les modifications sont enregistrées."), "success")
        return redirect(url_for("library.monograph", monograph_id=found.id), code=303)
    return render_template("library/form.html", form=form, m=found), 400 if form.errors else 200


def _acting_on(monograph_id: int, allowed) -> Monograph:
    """A monograph the user may read (else 404) and act on (else 403)."""
    found = _readable(monograph_id)
    if not allowed(found):
        abort(403)
    return found


@bp.post("/m/<int:monograph_id>/submit")
def submit(monograph_id: int):
    """The author submits their draft to staff."""
    found = _acting_on(monograph_id, lambda m: is_author(current_user, m) and m.status == Status.DRAFT)
    service.submit(found)
    db.session.commit()
    flash(_("Votre monographie est soumise à l'équipe pédagogique."), "success")
    return redirect(url_for("library.monograph", monograph_id=found.id), code=303)


@bp.post("/m/<int:monograph_id>/publish")
def publish(monograph_id: int):
    """Staff publish a submitted monograph."""
    found = _acting_on(monograph_id, lambda m: is_staff(current_user) and m.status == Status.SUBMITTED)
    service.publish(found)
    db.session.commit()
    flash(_("« %(title)s » est publiée.", title=found.title), "success")
    return redirect(url_for("library.monograph", monograph_id=found.id), code=303)


@bp.post("/m/<int:monograph_id>/unpublish")
def unpublish(monograph_id: int):
    """Staff withdraw a published monograph (back in the review queue)."""
    found = _acting_on(monograph_id, lambda m: is_staff(current_user) and m.status == Status.PUBLISHED)
    service.unpublish(found)
    db.session.commit()
    flash(_("« %(title)s » n'est plus publiée.", title=found.title), "success")
    return redirect(url_for("library.monograph", monograph_id=found.id), code=303)


@bp.post("/m/<int:monograph_id>/request-changes")
def request_changes(monograph_id: int):
    """Staff send a submitted monograph back to its author with a comment."""
    found = _acting_on(monograph_id, lambda m: is_staff(current_user) and m.status == Status.SUBMITTED)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _monograph_page(found, form), 400
    service.request_changes(found, form.comment.data)
    db.session.commit()
    flash(_("La demande de modifications est envoyée à l'auteur."), "success")
    return redirect(url_for("library.review"), code=303)


@bp.route("/m/<int:monograph_id>/delete", methods=["GET", "POST"])
def delete(monograph_id: int):
    """Delete a monograph after confirmation."""
    found = _acting_on(monograph_id, lambda m: may_delete(current_user, m))
    if request.method == "POST":
        title = found.title
        service.delete(found)
        db.session.commit()
        flash(_("« %(title)s » est supprimée.", title=title), "success")
        return redirect(url_for("library.mine"), code=303)
    return render_template("library/delete.html", m=found)


@bp.post("/m/<int:monograph_id>/attachments/<int:attachment_id>/remove")
def remove_attachment(monograph_id: int, attachment_id: int):
    """Remove one attachment of a monograph the user may edit."""
    found = _acting_on(monograph_id, lambda m: may_edit(current_user, m))
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.monograph_id != found.id:
        abort(404)
    name = attachment.stored.name
    service.remove_attachment(attachment)
    db.session.commit()
    flash(_("« %(name)s » est retiré.", name=name), "success")
    return redirect(url_for("library.edit", monograph_id=found.id), code=303)


@bp.route("/mine")
def mine():
    """The monographs the user proposed, whatever their status."""
    return render_template("library/mine.html", monographs=queries.proposals_of(current_user.id))


@bp.route("/review")
def review():
    """Staff: monographs waiting for review, and a page of those published."""
    if not is_staff(current_user):
        abort(404)
    page = page_number()
    published = queries.published_page(page, REVIEW_PAGE_SIZE)
    if page > max(published.pages, 1):
        abort(404)
    return render_template("library/review.html", submitted=queries.submitted(), published=published)


LISTS = {"legal_form": LegalForm, "sector": Sector}


@bp.route("/lists", methods=["GET", "POST"])
def lists():
    """Staff: the legal forms and sectors monographs are filed under."""
    if not is_staff(current_user):
        abort(404)
    forms = {name: ListEntryForm(prefix=name) for name in LISTS}
    status = 200
    if request.method == "POST":
        name = request.form.get("list")
        form = forms.get(name)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            db.session.add(LISTS[name](name=form.name.data))
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.name.errors = [_("« %(name)s » est déjà dans la liste.", name=form.name.data)]
                status = 400
            else:
                flash(_("« %(name)s » est ajouté.", name=form.name.data), "success")
                return redirect(url_for("library.lists"), code=303)
        else:
            status = 400
    entries = {name: queries.list_entries(model) for name, model in LISTS.items()}
    return render_template("library/lists.html", forms=forms, entries=entries), status


@bp.post("/lists/<name>/<int:entry_id>/delete")
def list_delete(name: str, entry_id: int):
    """Staff: remove an entry no monograph uses."""
    if not is_staff(current_user) or name not in LISTS:
        abort(404)
    entry = db.get_or_404(LISTS[name], entry_id)
    column = Monograph.legal_form_id if name == "legal_form" else Monograph.sector_id
    used = db.session.scalar(db.select(db.func.count(Monograph.id)).where(column == entry.id))
    if used:
        flash(
            _("« %(name)s » est utilisé par des monographies : il reste dans la liste.", name=entry.name),
            "error",
        )
    else:
        db.session.delete(entry)
        db.session.commit()
        flash(_("« %(name)s » est retiré de la liste.", name=entry.name), "success")
    return redirect(url_for("library.lists"), code=303)
