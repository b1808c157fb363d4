"""One after-commit mechanism for everything that must happen only once a change is committed: signals, search
index updates, mail, the removal of stored files.

Work registered during a transaction runs, in order, right after `commit()` returns, so that it may use the
session (a receiver's own queries and commits start a new transaction); it is dropped when the transaction,
or the savepoint it was registered in, rolls back. Work that must not be lost is also recorded in the database
by its caller (mail is a row before it is a callback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blinker import Signal
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

log = logging.getLogger(__name__)

_WAITING = "portal_after_commit"
_READY = "portal_after_commit_ready"


class PortalSession(FlaskSession):
    """The session of the site: runs the work registered with `after_commit` once a commit succeeds."""

    def commit(self) -> None:
        """Commit, then run what waited for this commit."""
        super().commit()
        _run_ready(self)


def after_commit(callback: Callable[[], Any], once: str | None = None) -> None:
    """Run `callback` once the current transaction of the site's session commits; never if it rolls back.
    With `once`, a callback of that name is registered once per transaction (at its outermost level)."""
    from portal.extensions import db

    session = db.session()
    if not session.in_transaction():
        # Without a transaction begun, a rollback is a no-op that fires no event: the work would wait for the
        # next commit instead of being dropped.
        session.begin()
    waiting = session.info.setdefault(_WAITING, [])
    if once is not None:
        if any(name == once for _, name, _ in waiting):
            return
        waiting.append((None, once, callback))
    else:
        waiting.append((session.get_nested_transaction(), None, callback))


def announce(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send a signal once the current transaction commits (receivers see committed data)."""
    after_commit(lambda: signal.send(sender, **kwargs))


@event.listens_for(PortalSession, "after_commit")
def _committed(session: PortalSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction around it may still roll back
    waiting = session.info.pop(_WAITING, [])
    session.info.setdefault(_READY, []).extend(callback for _, _, callback in waiting)


@event.listens_for(PortalSession, "after_soft_rollback")
def _rolled_back(session: PortalSession, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WAITING, None)
    elif previous_transaction.nested and _WAITING in session.info:
        session.info[_WAITING] = [
            entry for entry in session.info[_WAITING] if not _within(entry[0], previous_transaction)
        ]


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _run_ready(session: PortalSession) -> None:
    # A callback may commit in turn: its own work runs inside that commit, and this loop goes on.
    ready = session.info.pop(_READY, [])
    for callback in ready:
        try:
            callback()
        except Exception:
            if has_app_context() and current_app.testing:
                raise
            # The change is committed: a failing follow-up is logged, never turned into an error page.
            log.exception("after-commit work failed: %r", callback)
