"""The pages the runner drives: one line per page. A plugin's pages are in bench/plugin_data/<plugin>.py."""

from __future__ import annotations

from dataclasses import dataclass

#: p95 of the server time (Server-Timing `app`) a core page must stay under, in milliseconds, on 2 cores.
TARGET_MS = 50.0
#: CPU time per request (Server-Timing `cpu`, median) of the pages every learner opens first (the dashboard,
#: a bloc's material): the rest of their time may be the database's.
CPU_TARGET_MS = 15.0

#: Queries of the search page: common words, accents dropped or not, a phrase, an exclusion, a typo, no hit.
SEARCH_QUERIES = (
    "économie sociale",
    "gouvernance associative",
    "insertion",
    "budget prévisionnel",
    "cooperative",
    "recherche-action mémoire",
    '"projet associatif"',
    "bénévoles salariés",
    "territoire -culture",
    "financement participatif",
    "monographie",
    "gouvernanse",
    "kubernetes",
)


@dataclass(frozen=True)
class Page:
    """A GET page, driven by logged-in clients of each role (one table row per role).

    `path` may use the client's {cohort_id} and {atelier_id} (their own cohort and atelier) and {q}, cycled
    through `params`. A page passes when its p95 server time at reference size is within `budget_ms` (None:
    reported, no time target) and, with `same_queries`, it runs as many SQL queries on the small dataset as
    on the reference one.
    """

    label: str
    path: str
    roles: tuple[str, ...]
    budget_ms: float | None = TARGET_MS
    same_queries: bool = True
    params: tuple[str, ...] = ()
    #: the plugin the page belongs to (None: the core); driven only when the plugin is enabled
    plugin: str | None = None
    #: the worker's CPU time per request (median) the page must stay under, in ms (None: reported only)
    cpu_budget_ms: float | None = None


#: Roles: anonymous, learner, tutor, lecturer, staff (one cohort), coordinator (staff of every cohort), admin.
CORE_PAGES = [
    Page("login form", "/auth/login", ("anonymous",)),
    Page("dashboard", "/", ("learner", "tutor", "lecturer", "staff", "admin"), cpu_budget_ms=CPU_TARGET_MS),
    Page("notifications", "/notifications/", ("learner",)),
    Page("staff user list", "/admin/users", ("staff", "coordinator", "admin")),
    Page("staff home", "/admin/", ("staff", "coordinator", "admin")),
    Page("cohort page", "/admin/cohorts/{cohort_id}", ("staff",)),
    Page("atelier page", "/admin/ateliers/{atelier_id}", ("staff",)),
    Page("profile", "/auth/profile", ("learner",)),
    Page("search", "/search/?q={q}", ("learner", "staff", "admin"), budget_ms=None, params=SEARCH_QUERIES),
]


@dataclass(frozen=True)
class Upload:
    """A large upload measured for the workers' memory: streamed to `path` (which may use the client's
    account values, like a page) as the form field `field` by a client of `role`; the answer must have
    `status` (the bench plugin's route answers 201 with the stored size, a form answers 303)."""

    label: str
    path: str
    role: str
    field: str = "file"
    status: int = 201


#: The core's storage service, through the bench plugin's upload route.
CORE_UPLOAD = Upload("storage (bench plugin)", "/bench/upload", "admin")


def uploads(plugins: list[str]) -> list[Upload]:
    """The core's upload, then those the enabled plugins declare (`UPLOADS` in their bench module)."""
    from bench import plugin_data

    found = [CORE_UPLOAD]
    for name, module in plugin_data.modules().items():
        if name in plugins:
            found.extend(getattr(module, "UPLOADS", []))
    return found


def pages(plugins: list[str]) -> list[Page]:
    """The core pages, then those of the enabled plugins."""
    from bench import plugin_data

    found = list(CORE_PAGES)
    for name, module in plugin_data.modules().items():
        if name in plugins:
            found.extend(module.PAGES)
    return found
