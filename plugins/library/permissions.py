"""Who may read, edit, review and delete a monograph."""

from __future__ import annotations

from plugins.library.models import Monograph, Status, Visibility
from portal.permissions import may_manage_people


def is_staff(user) -> bool:
    """Admins and the staff of any cohort review monographs and edit the lists."""
    return may_manage_people(user)


def is_author(user, monograph: Monograph) -> bool:
    """Whether the user proposed the monograph."""
    return bool(getattr(user, "is_authenticated", False)) and monograph.created_by_id == user.id


def may_read(user, monograph: Monograph) -> bool:
    """Published: everyone, or staff only; a draft: its author only; submitted: its author and staff."""
    if is_author(user, monograph):
        return True
    if monograph.status == Status.DRAFT:
        return False
    if monograph.status == Status.SUBMITTED:
        return is_staff(user)
    return monograph.visibility == Visibility.ALL or is_staff(user)


def may_edit(user, monograph: Monograph) -> bool:
    """The author edits their draft; staff edit what was submitted or published (never someone's draft)."""
    if monograph.status == Status.DRAFT:
        return is_author(user, monograph)
    return is_staff(user)


def may_delete(user, monograph: Monograph) -> bool:
    """Same as editing."""
    return may_edit(user, monograph)
