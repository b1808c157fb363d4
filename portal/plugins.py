"""The plugin contract: the Plugin base class, the contribution types, discovery and checked loading."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, request

if TYPE_CHECKING:
    from portal.models import User

ENTRY_POINT_GROUP = "portal.plugins"


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message says which and why."""


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation."""

    label: str
    url: str
    #: smaller comes first
    order: int = 100
    #: the request endpoints (or blueprint names) under which this item is shown as current
    active_prefix: str = ""


@dataclass(frozen=True)
class Widget:
    """A dashboard box: the core renders `template` with `context` inside a titled section."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class SearchDoc:
    """A document for the search index, with the access fields every query is filtered by."""

    #: unique across the site, e.g. "courses:item:42"
    doc_id: str
    plugin: str
    kind: str
    title: str
    body: str
    url: str
    updated_dt: datetime
    #: the cohort it belongs to: its staff see it whatever the visibility
    cohort_id: int | None = None
    #: the atelier it belongs to, for visibility "atelier"
    atelier_id: int | None = None
    #: the author, who always sees their document
    owner_id: int | None = None
    #: "all" (any logged-in user), "cohort", "atelier", "staff" (whoever manages a cohort), or "private"
    #: (owner, readers and the cohort's staff)
    visibility: str = "all"
    #: users who may also see it whatever the visibility (e.g. the learner a tutor replied to privately)
    reader_ids: tuple[int, ...] = ()
    #: outside this window (UTC, either end open) only its owner, readers and the cohort's staff see it
    visible_from: datetime | None = None
    visible_until: datetime | None = None
    #: values to filter and count results by, e.g. {"region": ("Bretagne",), "theme": ("habitat", "jardin")}
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: a year to sort results by (e.g. the year an organisation was founded)
    year: int | None = None


@dataclass(frozen=True)
class LearnerActivity:
    """What a plugin knows of one learner's recent work, for the tutor's follow-up of their atelier."""

    #: the latest moment the learner did something in the plugin (posted, handed in, checked in…)
    last_dt: datetime | None = None
    #: things the tutor should know, each said for people ("en retard sur « Plan détaillé »")
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarEvent:
    """A dated event for the calendar and the iCalendar feed."""

    uid: str
    title: str
    start: datetime
    end: datetime
    url: str = ""
    location: str = ""
    description: str = ""


class Plugin:
    """Base class of every plugin; each contribution method documents its contract and contributes nothing.

    A subclass sets `name` (also its blueprint's name and its tables' prefix), `title`, and may set
    `requires` (names of plugins it needs). The core calls the methods below; they must be cheap and may
    run outside a request unless said otherwise.
    """

    #: identifier: the entry-point name, the blueprint name and the prefix of the plugin's tables
    name: str = ""
    #: human-readable name (translatable)
    title: str = ""
    #: names of the plugins this one needs
    requires: tuple[str, ...] = ()
    #: True for the core's own sections, which own no tables
    builtin: bool = False
    #: endpoints that answer anonymous visitors on purpose, each checking a secret of its own (e.g. a
    #: calendar feed's token); every other endpoint of the plugin must send them to the login page
    public_endpoints: frozenset[str] = frozenset()

    def blueprint(self) -> Blueprint | None:
        """Return the plugin's blueprint, named like the plugin, or None for a plugin without pages."""
        return None

    def url_prefix(self) -> str:
        """Where the blueprint is mounted."""
        return f"/{self.name}"

    def init_app(self, app: Flask) -> None:
        """Connect signal receivers and register anything else the plugin needs; called once per app."""

    def package_dir(self) -> Path:
        """The folder of the plugin's package."""
        return Path(sys.modules[type(self).__module__].__file__).parent

    def migrations_dir(self) -> Path | None:
        """The folder of this plugin's Alembic revisions (its own branch, labelled with its name)."""
        path = self.package_dir() / "migrations"
        return path if path.is_dir() else None

    def translations_dir(self) -> Path | None:
        """The folder of this plugin's message catalogues, if it has any."""
        path = self.package_dir() / "translations"
        return path if path.is_dir() else None

    def package_name(self) -> str:
        """The dotted name of the plugin's package, whose `models` module holds its tables."""
        module = sys.modules[type(self).__module__]
        return module.__package__ or module.__name__

    # -- contributions -------------------------------------------------------------------------
    def nav_items(self, user: User) -> list[NavItem]:
        """Links the logged-in user may follow, for the main navigation. Called in a request."""
        return []

    def dashboard_widgets(self, user: User) -> list[Widget]:
        """Boxes for the user's dashboard; issue a bounded number of queries. Called in a request."""
        return []

    def search_documents(self) -> Iterable[SearchDoc]:
        """Every document the plugin wants indexed, for a full rebuild of the search index."""
        return []

    def calendar_events(self, user: User, start: datetime, end: datetime) -> list[CalendarEvent]:
        """The user's events between start (inclusive) and end (exclusive)."""
        return []

    def learner_activity(self, user_ids: Collection[int]) -> dict[int, LearnerActivity]:
        """For these learners, what this plugin knows of their recent work (only those it knows something
        of), in a bounded number of queries whatever the number of learners. Called in a request."""
        return {}

    def structure_dependents(self, bloc_ids: Collection[int], seminar_ids: Collection[int]) -> list[str]:
        """What this plugin holds, in any cohort, that hangs off these blocs or seminars of a programme, each
        said for people ("12 contenus de cours", "3 séances"); the core refuses to delete a bloc or seminar
        while anything depends on it. Empty when nothing does."""
        return []

    def notification_kinds(self) -> list[Any]:
        """The kinds of notifications this plugin emits (`portal.notifications.NotificationKind`, named
        "<plugin>.<what>", with their default mail mode and in-app choice), for `portal.notifications.notify`
        and the preferences page."""
        return []

    def can_read_file(self, user: User, stored_file: Any) -> bool | None:
        """Whether the user may download a stored file; None when the file is not this plugin's."""
        return None

    def user_data(self, user: User) -> dict[str, Any]:
        """Everything this plugin holds about the user, as JSON-ready data for a personal-data export."""
        return {}

    def load_demo(self, people: dict[str, Any]) -> None:
        """Add this plugin's content to the demo site, inside the transaction of `portal demo`.

        `people` holds the demo's programme, cohorts and named accounts (see portal.demo.load_demo).
        """

    def erase_user(self, user: User) -> None:
        """Erase or anonymise what this plugin holds about the user (RGPD); runs inside the caller's
        transaction, which commits."""


def _installed() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def installed_plugin_names() -> list[str]:
    """Names of the plugins declared through the `portal.plugins` entry-point group."""
    return sorted(_installed())


def _resolve(reference: str, installed: dict[str, importlib.metadata.EntryPoint]) -> Plugin:
    try:
        if ":" in reference:
            module_name, _, attribute = reference.partition(":")
            obj = getattr(importlib.import_module(module_name), attribute)
        elif reference in installed:
            obj = installed[reference].load()
        else:
            raise PluginError(
                f"plugin {reference!r} is enabled but not installed "
                f"(installed: {', '.join(sorted(installed)) or 'none'})"
            )
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"plugin {reference!r} failed to import: {exc}") from exc
    if not isinstance(obj, Plugin):
        raise PluginError(f"plugin {reference!r} is not a portal.plugins.Plugin instance")
    if ":" not in reference and obj.name != reference:
        raise PluginError(f"entry point {reference!r} names a plugin called {obj.name!r}")
    return obj


def _check_tables(plugin: Plugin) -> None:
    from portal.extensions import db

    package = plugin.package_name()
    if importlib.util.find_spec(f"{package}.models") is not None:
        importlib.import_module(f"{package}.models")
    for mapper in db.Model.registry.mappers:
        module = mapper.class_.__module__
        if module != package and not module.startswith(f"{package}."):
            continue
        table = mapper.local_table.name
        if not table.startswith(f"{plugin.name}_"):
            raise PluginError(
                f"plugin {plugin.name!r}: table {table!r} of {mapper.class_.__name__} "
                f"must start with {plugin.name + '_'!r}"
            )


def _in_dependency_order(plugins: list[Plugin]) -> list[Plugin]:
    by_name = {p.name: p for p in plugins}
    ordered: list[Plugin] = []
    visiting: set[str] = set()

    def visit(plugin: Plugin) -> None:
        if plugin in ordered:
            return
        if plugin.name in visiting:
            raise PluginError(f"plugin {plugin.name!r} is part of a dependency cycle")
        visiting.add(plugin.name)
        for required in plugin.requires:
            if required not in by_name:
                raise PluginError(
                    f"plugin {plugin.name!r} requires plugin {required!r}, which is not enabled"
                )
            visit(by_name[required])
        visiting.discard(plugin.name)
        ordered.append(plugin)

    for plugin in plugins:
        visit(plugin)
    return ordered


def load_plugins(app: Flask, builtins: list[Plugin]) -> list[Plugin]:
    """Load the core's sections and the enabled plugins, check them, register their blueprints.

    Raises PluginError, with a message naming the plugin, when one is missing, misnamed or broken.
    """
    installed = _installed()
    enabled = app.config.get("PLUGINS")
    if enabled is None:
        enabled = sorted(installed)
    elif isinstance(enabled, str):
        enabled = [name.strip() for name in enabled.split(",") if name.strip()]
    plugins = [_resolve(reference, installed) for reference in enabled]
    names = [p.name for p in builtins + plugins]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise PluginError(f"plugin name used twice: {', '.join(sorted(duplicates))}")
    for plugin in plugins:
        if not plugin.name.isidentifier() or plugin.name != plugin.name.lower():
            raise PluginError(f"plugin name {plugin.name!r} must be a lower-case Python identifier")
        _check_tables(plugin)
    loaded = builtins + _in_dependency_order(plugins)
    for plugin in loaded:
        bp = plugin.blueprint()
        if bp is not None:
            if bp.name != plugin.name:
                raise PluginError(f"plugin {plugin.name!r} has a blueprint named {bp.name!r}")
            app.register_blueprint(bp, url_prefix=plugin.url_prefix())
            # First of the blueprint's hooks: nothing of a plugin runs for an anonymous visitor.
            app.before_request_funcs.setdefault(bp.name, []).insert(0, _login_guard(plugin))
        plugin.init_app(app)
    app.extensions["portal.plugins"] = loaded
    return loaded


def _login_guard(plugin: Plugin) -> Callable[[], Any]:
    """A before-request hook sending anonymous visitors to the login page, except on the plugin's public
    endpoints."""
    from flask_login import current_user

    from portal.extensions import login_manager

    def _login_first():
        if request.endpoint in plugin.public_endpoints or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    return _login_first


def loaded_plugins(app: Flask) -> list[Plugin]:
    """The plugins of this app, core sections first, then in dependency order."""
    return app.extensions.get("portal.plugins", [])
