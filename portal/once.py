"""Forms that act once: the same form sent twice (a double click, a resend after a slow answer, a browser's
"resend" on reload) creates one discussion, one reply, one log entry, one version.

A form that creates something carries a `OnceField`: a random token drawn when the page is drawn. The view
claims the token in the transaction that creates the thing, then says where it led:

    earlier = once.claim(form.once.data, current_user.id)
    if earlier is not None:
        return redirect(earlier or fallback_url, code=303)
    ... create, flush ...
    once.remember_result(form.once.data, current_user.id, url_of_the_new_thing)
    db.session.commit()

A second sending of the same token waits for the first one's transaction (the unique key), finds the token
claimed and is sent where the first one led. A refused or failed first sending claims nothing (its transaction
rolls back), so the person can correct the form and send it again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from wtforms import HiddenField
from wtforms.validators import Length, Optional, Regexp

from portal.extensions import db
from portal.models import UTCDateTime, utcnow
from portal.rows import insert_or_ignore

#: A token is remembered this long: long enough for any resend, short enough to keep the table small.
REMEMBERED = timedelta(days=2)
#: Old tokens removed by each claim, at most (the table stays bounded without a cron job).
CLEANUP_BATCH = 100


class FormSubmission(db.Model):
    """A form token already used, and where its first sending led."""

    __tablename__ = "form_submission"

    token: so.Mapped[str] = so.mapped_column(sa.String(43), primary_key=True)
    #: a token copied from someone else's page is that person's, not the sender's
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    #: the address the first sending redirected to
    result_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_dt: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)


def new_token() -> str:
    """A fresh token for one drawing of a form."""
    return secrets.token_urlsafe(32)


class OnceField(HiddenField):
    """The hidden token of a form that acts once; drawn anew each time the form is shown empty."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [Optional(), Length(max=43), Regexp(r"^[A-Za-z0-9_-]+$"), *(validators or [])]
        super().__init__(label, validators, default=new_token, **kwargs)


def claim(token: str | None, user_id: int) -> str | None:
    """Record the token as used by this user's sending, in the current transaction (committed with what the
    sending creates). None for the first sending; for a repeat, the address the first one led to ("" if it
    did not say). A form sent without a token (a page from before) is always a first sending."""
    if not token:
        return None
    table = FormSubmission.__table__
    stale = sa.select(table.c.token).where(table.c.created_dt < utcnow() - REMEMBERED).limit(CLEANUP_BATCH)
    db.session.execute(table.delete().where(table.c.token.in_(stale.scalar_subquery())))
    values = {"token": token, "user_id": user_id, "result_url": "", "created_dt": utcnow()}
    if insert_or_ignore(FormSubmission, values, ["token", "user_id"]):
        return None
    return db.session.scalar(
        sa.select(table.c.result_url).where(table.c.token == token, table.c.user_id == user_id)
    )


def remember_result(token: str | None, user_id: int, result_url: str) -> None:
    """Say where the first sending led, once the thing it created has its address."""
    if token:
        table = FormSubmission.__table__
        db.session.execute(
            table.update()
            .where(table.c.token == token, table.c.user_id == user_id)
            .values(result_url=result_url[:500])
        )
