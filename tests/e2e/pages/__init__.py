"""The pages that the browser sweep (tests/e2e/test_page_sweep.py) and `make screenshots` visit on the demo.

One module per area (`core.py`, then `forum.py`, `courses.py`…), each exposing `PAGES`, a list of `Swept`
entries: who looks (a role of the demo's named accounts, or "anonymous") and where. A path that needs an id is
a callable run in the app context once the demo is loaded; the helpers below find the demo's objects by role.
Adding a module here is all it takes for a plugin's pages to be swept and photographed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from portal.demo import NAMED_ACCOUNTS
from portal.extensions import db
from portal.models import Cohort, Enrolment, Role, User

#: The demo's named accounts by role, plus "anonymous" (no login).
ROLES = {role: email for role, (email, _first, _last) in NAMED_ACCOUNTS.items()} | {"anonymous": None}


@dataclass(frozen=True)
class Swept:
    """A page to visit: as whom, where (a path, or a callable giving it), its name in reports and file names,
    and the HTTP status it must answer."""

    role: str
    path: str | Callable[[], str]
    name: str
    status: int = 200

    def url_path(self) -> str:
        """The path, computed from the demo's data if needed (call it in an app context)."""
        return self.path() if callable(self.path) else self.path


def collect() -> list[Swept]:
    """Every module's PAGES, module by module in name order."""
    pages: list[Swept] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        pages.extend(importlib.import_module(f"{__name__}.{module.name}").PAGES)
    unknown = {p.role for p in pages} - set(ROLES)
    assert not unknown, f"unknown roles in tests/e2e/pages: {unknown}"
    names = [(p.role, p.name) for p in pages]
    assert len(names) == len(set(names)), "two swept pages share a role and a name"
    return pages


# -- the demo's objects, found by role ---------------------------------------------------------------------
def demo_user(role: str) -> User:
    """The demo's named account of a role."""
    return db.session.scalar(sa.select(User).where(User.email == ROLES[role]))


def cohort_of(role: str, as_role: Role | None = None) -> Cohort:
    """The most recent promotion the role's account is enrolled in (as `as_role` if given)."""
    query = (
        sa.select(Cohort)
        .join(Enrolment)
        .where(Enrolment.user_id == demo_user(role).id)
        .order_by(Cohort.start_date.desc())
    )
    if as_role is not None:
        query = query.where(Enrolment.role == as_role)
    return db.session.scalars(query).first()
