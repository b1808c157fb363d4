"""Pages of the forum plugin: forums, discussions, posting, moderation, subscriptions, preferences and the
tutor's participation view. Each view loads its objects, checks access (404 for what the user may not
read), then acts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from plugins.forum import queries, service
from plugins.forum.blueprint import bp
from plugins.forum.forms import (
    ConfirmForm,
    DiscussionForm,
    EditForm,
    PeriodForm,
    PreferencesForm,
    ReplyForm,
    SettingsForm,
)
from plugins.forum.models import (
    Discussion,
    DisplayMode,
    Forum,
    ForumKind,
    ForumRead,
    MailMode,
    Post,
    SubscriptionMode,
)
from plugins.forum.permissions import (
    edit_window,
    may_edit_post,
    may_moderate,
    may_post,
    may_read,
    may_see_post,
)
from portal.extensions import db
from portal.forms import choices
from portal.members import atelier_members
from portal.models import Role, utcnow
from portal.permissions import cohort_ids, managed_cohort_ids
from portal.routing import page_number
from portal.storage import UploadRefused
from portal.templating import local_date


# -- loading with access checks -----------------------------------------------------------------------
def _forum_or_404(forum_id: int) -> Forum:
    forum = db.get_or_404(Forum, forum_id)
    if not may_read(current_user, forum):
        abort(404)
    return forum


def _discussion_or_404(discussion_id: int) -> Discussion:
    discussion = db.get_or_404(Discussion, discussion_id)
    if not may_read(current_user, discussion.forum):
        abort(404)
    return discussion


def _post_or_404(post_id: int) -> Post:
    post = db.get_or_404(Post, post_id)
    if not may_see_post(current_user, post.discussion.forum, post):
        abort(404)
    return post


def _uploads(field) -> list:
    return [f for f in field.data or [] if getattr(f, "filename", "")]


def when(moment: datetime) -> str:
    """A date and time in the user's time zone and language, for lists."""
    if "_forum_tz" not in g:
        g._forum_tz = get_timezone()
    return f"{local_date(moment, 'short')} {moment.astimezone(g._forum_tz):%H:%M}"


class Stamps(dict):
    """The date and time of hundreds of posts (`stamps[post.created_dt]`): the time zone looked up once, each
    day formatted once for the user's language."""

    def __init__(self):
        super().__init__()
        self.tz = get_timezone()
        self.days: dict = {}

    def __missing__(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        day = local.date()
        if day not in self.days:
            self.days[day] = format_date(day, "short")
        value = self[moment] = f"{self.days[day]} {local:%H:%M}"
        return value


def forum_title(forum: Forum) -> str:
    """The name people see: the atelier's name, or the cohort's forum or announcements."""
    if forum.kind == ForumKind.ATELIER:
        return forum.title
    if forum.kind == ForumKind.ANNOUNCEMENTS:
        return _("Annonces — %(cohort)s", cohort=forum.title)
    return _("Forum de la promotion — %(cohort)s", cohort=forum.title)


@bp.app_context_processor
def _helpers():
    return {"forum_title": forum_title, "forum_when": when}


# -- forums ---------------------------------------------------------------------------------------
def _my_cohort_ids() -> list[int] | None:
    managed = managed_cohort_ids(current_user)
    if managed is None:
        return None
    return sorted(set(cohort_ids(current_user)) | managed)


@bp.route("/")
def index():
    """The forums the user may read, by cohort, with their unread posts."""
    service.ensure_and_commit(_my_cohort_ids())
    forums = queries.readable_forum_list(current_user)
    ids = [f.id for f in forums]
    return render_template(
        "forum/index.html",
        forums=forums,
        unread=queries.unread_by_forum(current_user, ids),
        counts=queries.discussion_counts(ids),
    )


@bp.route("/<int:forum_id>")
def forum(forum_id: int):
    """A forum's discussions, pinned first then by latest activity, a page at a time."""
    found = _forum_or_404(forum_id)
    wanted = page_number()
    page = queries.discussions_page(found, wanted)
    if wanted > max(page.pages, 1):
        abort(404)
    discussions = list(page.items)
    return render_template(
        "forum/forum.html",
        forum=found,
        page=page,
        discussions=discussions,
        unread=queries.unread_by_discussion(current_user, [d.id for d in discussions]),
        may_post=may_post(current_user, found),
        moderator=may_moderate(current_user, found),
        subscribed=service.forum_subscribed(current_user, found),
    )


@bp.route("/<int:forum_id>/new", methods=["GET", "POST"])
def discussion_new(forum_id: int):
    """Open a discussion."""
    found = _forum_or_404(forum_id)
    if not may_post(current_user, found):
        abort(403)
    form = DiscussionForm()
    if form.validate_on_submit():
        try:
            discussion = service.start_discussion(
                found, current_user, form.subject.data, form.body.data, _uploads(form.files)
            )
        except UploadRefused as refusal:
            db.session.rollback()
            form.files.errors = [*form.files.errors, str(refusal)]
            return render_template("forum/discussion_form.html", form=form, forum=found), refusal.status
        db.session.commit()
        flash(_("La discussion « %(s)s » est ouverte.", s=discussion.subject), "success")
        return redirect(url_for("forum.discussion", discussion_id=discussion.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("forum/discussion_form.html", form=form, forum=found), status


@bp.route("/<int:forum_id>/subscribe", methods=["POST"])
def forum_subscribe(forum_id: int):
    """Subscribe to the forum, or leave it (optional and automatic modes)."""
    found = _forum_or_404(forum_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if found.subscription_mode in (SubscriptionMode.FORCED, SubscriptionMode.DISABLED):
        flash(_("L'abonnement à ce forum ne se choisit pas."), "error")
    else:
        subscribed = not service.forum_subscribed(current_user, found)
        service.set_forum_subscription(current_user, found, subscribed)
        db.session.commit()
        flash(
            _("Vous êtes abonné·e à ce forum.") if subscribed else _("Vous n'êtes plus abonné·e à ce forum."),
            "success",
        )
    return redirect(url_for("forum.forum", forum_id=found.id), code=303)


@bp.route("/<int:forum_id>/read", methods=["POST"])
def forum_mark_read(forum_id: int):
    """Mark every post of the forum as read."""
    found = _forum_or_404(forum_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.mark_forum_read(current_user, found)
    db.session.commit()
    flash(_("Tous les messages du forum sont marqués comme lus."), "success")
    return redirect(url_for("forum.forum", forum_id=found.id), code=303)


@bp.route("/<int:forum_id>/settings", methods=["GET", "POST"])
def forum_settings(forum_id: int):
    """A forum's subscription mode, for its moderators."""
    found = _forum_or_404(forum_id)
    if not may_moderate(current_user, found):
        abort(403)
    form = SettingsForm(
        data=None if request.method == "POST" else {"subscription_mode": found.subscription_mode.value}
    )
    if form.validate_on_submit():
        found.subscription_mode = SubscriptionMode(form.subscription_mode.data)
        db.session.commit()
        flash(_("Les réglages du forum sont enregistrés."), "success")
        return redirect(url_for("forum.forum", forum_id=found.id), code=303)
    return render_template("forum/settings.html", form=form, forum=found), 400 if form.is_submitted() else 200


# -- discussions -----------------------------------------------------------------------------------
def _display() -> str:
    """How the reader sees replies: ?display= for this page, else their stored preference."""
    chosen = request.args.get("display")
    return chosen if chosen in ("nested", "flat") else service.preference(current_user).display.value


def _ordered(posts, display: str) -> list[tuple]:
    """The posts in reading order, each with its depth (0 everywhere when flat)."""
    return queries.nest(posts) if display == "nested" else [(p, 0) for p in posts]


def _posts_per_page() -> int:
    return max(1, int(current_app.config.get("FORUM_POSTS_PER_PAGE", 100)))


def _page_of(ordered: list[tuple], wanted: int):
    """One page of the reading order (page number, pages, items, whether it starts inside a thread), depths
    made relative to the page."""
    per_page = _posts_per_page()
    pages = max(1, -(-len(ordered) // per_page))
    page = min(max(1, wanted), pages)
    chunk = ordered[(page - 1) * per_page : page * per_page]
    base = min((depth for _, depth in chunk), default=0)
    continued = bool(chunk) and chunk[0][1] > 0
    return page, pages, [(post, depth - base) for post, depth in chunk], continued


@bp.route("/discussion/<int:discussion_id>")
def discussion(discussion_id: int):
    """A discussion's posts, nested or flat as the reader prefers, and the reply form."""
    found = _discussion_or_404(discussion_id)
    # Marked (and committed) before loading the thread: a commit afterwards would expire every post.
    previous = service.mark_discussion_read(current_user, found)
    forum_read = db.session.get(ForumRead, (current_user.id, found.forum_id))
    if forum_read is not None and (previous is None or forum_read.read_dt > previous):
        previous = forum_read.read_dt
    forum = found.forum
    posts, names, files = queries.thread(found, current_user)
    display = _display()
    ordered = _ordered(posts, display)
    wanted = page_number()
    page, pages, items, continued = _page_of(ordered, wanted)
    if wanted > pages:
        abort(404)
    moderator = may_moderate(current_user, forum)
    now = utcnow()
    # The user's id is read once: current_user is a proxy that costs a lookup on every use.
    uid = current_user.id
    opened = now - edit_window()
    editable = {
        p.id
        for p in posts
        if p.deleted_dt is None
        and (moderator or (p.author_id == uid and p.created_dt > opened and not found.locked))
    }
    since = queries.unread_cutoff(now) if previous is None else max(previous, queries.unread_cutoff(now))
    new = {p.id for p in posts if p.author_id != uid and p.created_dt > since}
    stamps = Stamps()
    may_reply = may_post(current_user, forum) and (not found.locked or moderator)
    return render_template(
        "forum/discussion.html",
        discussion=found,
        forum=forum,
        items=items,
        page=page,
        pages=pages,
        continued=continued,
        names=names,
        stamps=stamps,
        files=files,
        display=display,
        editable=editable,
        new=new,
        moderator=moderator,
        may_reply=may_reply,
        subscribed=service.discussion_subscribed(current_user, found),
        may_subscribe=forum.subscription_mode not in (SubscriptionMode.FORCED, SubscriptionMode.DISABLED),
        first=next((p for p in posts if p.parent_id is None), None),
        form=ReplyForm(),
        private_ok=moderator and forum.kind == ForumKind.ATELIER,
    )


@bp.route("/discussion/<int:discussion_id>/subscribe", methods=["POST"])
def discussion_subscribe(discussion_id: int):
    """Follow a discussion, or stop following it."""
    found = _discussion_or_404(discussion_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if found.forum.subscription_mode in (SubscriptionMode.FORCED, SubscriptionMode.DISABLED):
        flash(_("L'abonnement à ce forum ne se choisit pas."), "error")
    else:
        subscribed = not service.discussion_subscribed(current_user, found)
        service.set_discussion_subscription(current_user, found, subscribed)
        db.session.commit()
        flash(
            _("Vous suivez cette discussion.") if subscribed else _("Vous ne suivez plus cette discussion."),
            "success",
        )
    return redirect(url_for("forum.discussion", discussion_id=found.id), code=303)


def _moderated_discussion(discussion_id: int) -> Discussion:
    found = _discussion_or_404(discussion_id)
    if not may_moderate(current_user, found.forum):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return found


@bp.route("/discussion/<int:discussion_id>/lock", methods=["POST"])
def discussion_lock(discussion_id: int):
    """Lock a discussion (no more replies), or unlock it."""
    found = _moderated_discussion(discussion_id)
    found.locked = not found.locked
    db.session.commit()
    flash(
        _("La discussion est verrouillée : plus personne ne peut y répondre.")
        if found.locked
        else _("La discussion est déverrouillée."),
        "success",
    )
    return redirect(url_for("forum.discussion", discussion_id=found.id), code=303)


@bp.route("/discussion/<int:discussion_id>/pin", methods=["POST"])
def discussion_pin(discussion_id: int):
    """Pin a discussion at the top of its forum, or unpin it."""
    found = _moderated_discussion(discussion_id)
    found.pinned = not found.pinned
    db.session.commit()
    flash(
        _("La discussion est épinglée en tête du forum.")
        if found.pinned
        else _("La discussion n'est plus épinglée."),
        "success",
    )
    return redirect(url_for("forum.discussion", discussion_id=found.id), code=303)


# -- posts -----------------------------------------------------------------------------------------
@bp.route("/post/<int:post_id>")
def post(post_id: int):
    """A post's lasting address (mails, search): its place in its discussion."""
    found = _post_or_404(post_id)
    posts, _names, _files = queries.thread(found.discussion, current_user)
    ids = [p.id for p, _depth in _ordered(posts, _display())]
    page = ids.index(found.id) // _posts_per_page() + 1 if found.id in ids else 1
    values = {"page": page} if page > 1 else {}
    return redirect(
        url_for("forum.discussion", discussion_id=found.discussion_id, _anchor=f"post-{found.id}", **values),
        code=303,
    )


def _quote(parent: Post) -> str:
    name = parent.author.full_name if parent.author else _("Ancien membre")
    said = _("%(name)s a écrit :", name=name)
    lines = [f"> **{said}**", ">"]
    lines += [f"> {line}" if line else ">" for line in parent.body.splitlines()]
    return "\n".join(lines) + "\n\n"


@bp.route("/post/<int:post_id>/reply", methods=["GET", "POST"])
def reply(post_id: int):
    """Answer a post, quoting it if asked; a tutor may answer a learner privately."""
    parent = _post_or_404(post_id)
    discussion = parent.discussion
    forum = discussion.forum
    moderator = may_moderate(current_user, forum)
    if not may_post(current_user, forum):
        abort(403)
    back = url_for("forum.discussion", discussion_id=discussion.id)
    if parent.deleted_dt is not None:
        flash(_("Ce message a été supprimé : vous ne pouvez plus y répondre."), "error")
        return redirect(back, code=303)
    if discussion.locked and not moderator:
        flash(_("Cette discussion est verrouillée : vous ne pouvez plus y répondre."), "error")
        return redirect(back, code=303)
    form = ReplyForm()
    private_ok = (
        moderator
        and forum.kind == ForumKind.ATELIER
        and parent.private_to_id is None
        and parent.author_id not in (None, current_user.id)
    )
    if request.method == "GET" and request.args.get("quote"):
        form.body.data = _quote(parent)
    if form.validate_on_submit():
        if form.private.data and not private_ok:
            abort(400)
        try:
            created = service.reply(
                parent, current_user, form.body.data, _uploads(form.files), private=bool(form.private.data)
            )
        except UploadRefused as refusal:
            db.session.rollback()
            form.files.errors = [*form.files.errors, str(refusal)]
            return render_template(
                "forum/reply.html", form=form, parent=parent, discussion=discussion, private_ok=private_ok
            ), refusal.status
        db.session.commit()
        flash(_("Votre réponse est publiée."), "success")
        return redirect(url_for("forum.post", post_id=created.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "forum/reply.html", form=form, parent=parent, discussion=discussion, private_ok=private_ok
    ), status


def _editable_or_refuse(post_id: int):
    found = _post_or_404(post_id)
    forum = found.discussion.forum
    if found.deleted_dt is not None:
        abort(404)
    if not may_edit_post(current_user, forum, found):
        return found, False
    return found, True


@bp.route("/post/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int):
    """Edit a post: its author during the edit window, moderators at any time."""
    found, allowed = _editable_or_refuse(post_id)
    back = url_for("forum.post", post_id=found.id)
    if not allowed:
        if found.author_id == current_user.id:
            flash(_("Le délai de modification de ce message est passé."), "error")
            return redirect(back, code=303)
        abort(403)
    form = EditForm(
        data=None if request.method == "POST" else {"body": found.body, "subject": found.discussion.subject}
    )
    form.remove_files.choices = choices((f.id, f.stored.name) for f in found.files)
    if found.parent_id is not None:
        del form.subject
    if not found.files:
        del form.remove_files
    if form.validate_on_submit():
        try:
            service.edit(
                found,
                current_user,
                form.body.data,
                _uploads(form.files),
                form.remove_files.data if "remove_files" in form else (),
                subject=form.subject.data if "subject" in form else None,
            )
        except UploadRefused as refusal:
            db.session.rollback()
            form.files.errors = [*form.files.errors, str(refusal)]
            return render_template("forum/edit.html", form=form, post=found), refusal.status
        db.session.commit()
        flash(_("Le message est modifié."), "success")
        return redirect(back, code=303)
    return render_template("forum/edit.html", form=form, post=found), 400 if form.is_submitted() else 200


@bp.route("/post/<int:post_id>/delete", methods=["GET", "POST"])
def delete(post_id: int):
    """Ask, then delete a post (the first post deletes its discussion)."""
    found, allowed = _editable_or_refuse(post_id)
    discussion = found.discussion
    if not allowed:
        if found.author_id == current_user.id:
            flash(_("Le délai de suppression de ce message est passé."), "error")
            return redirect(url_for("forum.discussion", discussion_id=discussion.id), code=303)
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        forum_id, subject = discussion.forum_id, discussion.subject
        whole = service.delete_post(found)
        db.session.commit()
        if whole:
            flash(_("La discussion « %(s)s » est supprimée.", s=subject), "success")
            return redirect(url_for("forum.forum", forum_id=forum_id), code=303)
        flash(_("Le message est supprimé."), "success")
        return redirect(url_for("forum.discussion", discussion_id=discussion.id), code=303)
    return render_template("forum/delete.html", form=form, post=found)


# -- the reader's settings ---------------------------------------------------------------------------
@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    """How replies are shown and how forum mail arrives."""
    pref = service.preference(current_user)
    form = PreferencesForm(
        data=None
        if request.method == "POST"
        else {"display": pref.display.value, "mail_mode": pref.mail_mode.value}
    )
    if form.validate_on_submit():
        service.save_preference(
            current_user, display=DisplayMode(form.display.data), mail_mode=MailMode(form.mail_mode.data)
        )
        db.session.commit()
        flash(_("Vos préférences de forum sont enregistrées."), "success")
        return redirect(url_for("forum.preferences"), code=303)
    return render_template("forum/preferences.html", form=form), 400 if form.is_submitted() else 200


# -- participation ----------------------------------------------------------------------------------
@bp.route("/<int:forum_id>/participation")
def participation(forum_id: int):
    """Discussions started and replies written per learner of an atelier over a period (tutors, staff)."""
    found = _forum_or_404(forum_id)
    if found.kind != ForumKind.ATELIER or not may_moderate(current_user, found):
        abort(404)
    form = PeriodForm(request.args)
    today = utcnow().astimezone(get_timezone()).date()
    valid = form.validate()
    start = form.start.data if valid and form.start.data else today - timedelta(days=30)
    end = form.end.data if valid and form.end.data else today
    form.start.data, form.end.data = start, end
    tz = get_timezone()
    start_dt = datetime.combine(start, time(), tzinfo=tz).astimezone(UTC)
    end_dt = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    counts = queries.participation(found, start_dt, end_dt)
    rows = [(u, *counts.get(u.id, (0, 0))) for u in atelier_members([found.atelier_id], Role.LEARNER)]
    return render_template(
        "forum/participation.html", forum=found, form=form, rows=rows, start=start, end=end, valid=valid
    ), (200 if valid else 400)
