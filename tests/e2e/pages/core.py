"""The core's pages: sign-in, profile, search, errors, dashboard and staff pages, as each role sees them."""

from portal.models import Role
from tests.e2e.pages import Swept, cohort_of, demo_user


def _cohort() -> str:
    return f"/admin/cohorts/{cohort_of('staff', Role.STAFF).id}"


def _atelier() -> str:
    return f"/admin/ateliers/{cohort_of('staff', Role.STAFF).ateliers[0].id}"


def _programme() -> str:
    # Only admins (and a programme's coordinators) open a programme's structure: swept as the admin.
    return f"/admin/programmes/{cohort_of('staff', Role.STAFF).programme_id}"


def _bloc() -> str:
    return f"/admin/blocs/{cohort_of('staff', Role.STAFF).programme.blocs[0].id}/edit"


def _seminar() -> str:
    return f"/admin/seminars/{cohort_of('staff', Role.STAFF).programme.blocs[0].seminars[0].id}/edit"


def _learner() -> str:
    return f"/admin/users/{demo_user('learner').id}"


def _learner_access() -> str:
    enrolment = next(e for e in demo_user("learner").enrolments if e.role == Role.LEARNER)
    return f"/admin/enrolments/{enrolment.id}/access"


PAGES = [
    Swept("anonymous", "/auth/login", "login"),
    Swept("anonymous", "/auth/reset", "reset-request"),
    Swept("anonymous", "/no/such/page", "not-found", status=404),
    *(
        page
        for role in ("learner", "tutor", "lecturer", "staff", "admin")
        for page in (
            Swept(role, "/", "dashboard"),
            Swept(role, "/auth/profile", "profile"),
            Swept(role, "/search/?q=économie+sociale", "search"),
        )
    ),
    Swept("learner", "/auth/password", "change-password"),
    Swept("learner", "/search/", "search-empty"),
    Swept("learner", "/search/?q=zzzyyyxxx", "search-no-result"),
    Swept("learner", "/no/such/page", "not-found", status=404),
    Swept("learner", "/admin/", "admin-refused", status=404),
    Swept("staff", "/admin/", "admin"),
    Swept("staff", "/admin/users", "users"),
    Swept("staff", "/admin/users/new", "user-new"),
    Swept("staff", _learner, "user"),
    Swept("staff", "/admin/users/import", "users-import"),
    Swept("staff", "/admin/cohorts", "cohorts"),
    Swept("staff", _cohort, "cohort"),
    Swept("staff", lambda: _cohort() + "/edit", "cohort-edit"),
    Swept("staff", _atelier, "atelier"),
    Swept("staff", "/admin/programmes", "programmes"),
    Swept("admin", "/admin/", "admin"),
    Swept("admin", "/admin/users?q=moreau", "users-search"),
    Swept("admin", "/admin/users?q=personne-inconnue", "users-none"),
    Swept("admin", "/admin/cohorts", "cohorts"),
    Swept("admin", "/admin/cohorts/new", "cohort-new"),
    Swept("admin", "/admin/programmes", "programmes"),
    Swept("admin", "/admin/programmes/new", "programme-new"),
    Swept("admin", lambda: _programme() + "/edit", "programme-edit"),
    Swept("admin", _programme, "programme"),
    Swept("admin", _bloc, "bloc-edit"),
    Swept("admin", _seminar, "seminar-edit"),
    Swept("staff", _learner_access, "enrolment-access"),
    Swept("coordinator", "/", "dashboard"),
    Swept("coordinator", _programme, "programme"),
    Swept("coordinator", "/admin/cohorts", "cohorts"),
    Swept("former", "/", "dashboard"),
    Swept("learner", "/notifications/", "notifications"),
    Swept("learner", "/notifications/preferences", "notification-preferences"),
]
