"""Every signal of the portal, declared once; receivers never assume they run in a request.

Signals are sent after the database commit that made the change, so a receiver sees committed data and
may open its own transaction. Receivers return nothing; an exception in a receiver propagates to the
sender, so a receiver that may fail must catch and log its own errors.
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal(
    "user-created",
    doc="""A user account was created.

    sender: the new User.
    """,
)

user_changed = _signals.signal(
    "user-changed",
    doc="""A user's profile (names, email, locale, admin flag or active flag) changed.

    sender: the User.
    """,
)

user_deactivated = _signals.signal(
    "user-deactivated",
    doc="""A user was deactivated: they can no longer log in and every session of theirs has ended.

    sender: the User.
    """,
)

user_enrolled = _signals.signal(
    "user-enrolled",
    doc="""A user received a role in a cohort.

    sender: the User; keyword arguments: cohort (Cohort), role (Role).
    """,
)

user_unenrolled = _signals.signal(
    "user-unenrolled",
    doc="""A user lost a role in a cohort (and, for a learner or tutor, their ateliers of that cohort).

    sender: the User; keyword arguments: cohort (Cohort), role (Role).
    """,
)

atelier_changed = _signals.signal(
    "atelier-changed",
    doc="""An atelier was created, renamed, or gained or lost a member; plugins re-check access they cached.

    sender: the Atelier; keyword arguments: added (list of User ids), removed (list of User ids).
    """,
)

atelier_deleted = _signals.signal(
    "atelier-deleted",
    doc="""An atelier is about to be deleted; plugins remove or detach what belongs to it.

    Sent before the deletion, inside its transaction. sender: the Atelier.
    """,
)

programme_changed = _signals.signal(
    "programme-changed",
    doc="""A programme's blocs or seminars were added, edited or removed.

    sender: the Programme.
    """,
)
