"""Kinds of notifications, as plugins declare them, and how a person receives each."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask import current_app


class MailMode(enum.StrEnum):
    """How a person is mailed about one kind of notification."""

    NOW = "now"
    DIGEST = "digest"
    NONE = "none"


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification a plugin emits, with its defaults."""

    #: unique across the site: "<plugin>.<what>", e.g. "forum.post"
    name: str
    #: what it is about, for the preferences page (translatable)
    label: Any
    mail: MailMode = MailMode.NOW
    in_app: bool = True


def notification_kinds() -> dict[str, NotificationKind]:
    """Every kind the loaded plugins declare, by name, in the plugins' order."""
    from portal.plugins import loaded_plugins

    kinds: dict[str, NotificationKind] = {}
    for plugin in loaded_plugins(current_app):
        for kind in plugin.notification_kinds():
            kinds[kind.name] = kind
    return kinds
