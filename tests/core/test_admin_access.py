"""Who may act where: programme coordinators (given by admins), when enrolments end and the extensions the
cohort's staff grant, and a programme's structure protected while any cohort uses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.dates import today
from portal.extensions import db
from portal.models import Bloc, Enrolment, ProgrammeCoordinator, Role, Seminar
from portal.permissions import forget_memberships, role_in
from tests import conftest
from tests.helpers import rows_of, text


def coordinators(world) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            sa.select(ProgrammeCoordinator.user_id).where(
                ProgrammeCoordinator.programme_id == world.programme.id
            )
        )
    )


def learner_enrolment(world) -> Enrolment:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.user_id == world.learner_a1.id, Enrolment.cohort_id == world.cohort_a.id
        )
    )


# -- coordinators -------------------------------------------------------------------------------------
def test_an_admin_makes_someone_coordinator_who_then_edits_the_programme(world, login_as):
    admin = login_as(world.admin)
    url = f"/admin/programmes/{world.programme.id}/coordinators"
    response = admin.post(url, data={"email": " Staff_B@example.org "})
    assert response.status_code == 303
    assert world.staff_b.id in coordinators(world)
    assert "coordonne maintenant la formation" in text(admin.get(response.headers["Location"]))
    edited = login_as(world.staff_b).post(
        f"/admin/programmes/{world.programme.id}/edit",
        data={"title": "Renommée", "hours": "511", "description": ""},
    )
    assert edited.status_code == 303
    removed = admin.post(f"{url}/{world.staff_b.id}/remove")
    assert removed.status_code == 303 and world.staff_b.id not in coordinators(world)


@pytest.mark.parametrize("email", ["nobody-here@example.org", "pas une adresse", "a\x00@example.org", ""])
def test_a_coordinator_must_be_an_existing_account(world, login_as, email):
    admin = login_as(world.admin)
    before = coordinators(world)
    response = admin.post(f"/admin/programmes/{world.programme.id}/coordinators", data={"email": email})
    assert response.status_code == 303 and coordinators(world) == before
    page = text(admin.get(response.headers["Location"]))
    assert "Aucun compte actif" in page or "valide" in page or "obligatoire" in page or "contrôle" in page


@pytest.mark.parametrize("who", ["coordinator", "staff_a", "staff_b", "tutor_a1", "learner_a1"])
def test_only_admins_give_or_take_coordination(world, login_as, who):
    client = login_as(getattr(world, who))
    before = coordinators(world)
    url = f"/admin/programmes/{world.programme.id}/coordinators"
    assert client.post(url, data={"email": "nobody@example.org"}).status_code == 404
    assert client.post(f"{url}/{world.coordinator.id}/remove").status_code == 404
    assert coordinators(world) == before


# -- access dates -------------------------------------------------------------------------------------
def test_staff_extend_a_learners_access_after_their_cohort_ended(world, login_as, app):
    app.config["ACCESS_GRACE_DAYS"] = 0
    world.cohort_a.end_date = today() - timedelta(days=3)
    db.session.commit()
    learner = login_as(world.learner_a1)
    assert "promotion terminée" in text(learner.get("/"))
    staff = login_as(world.staff_a)
    enrolment = learner_enrolment(world)
    page = text(staff.get(f"/admin/enrolments/{enrolment.id}/access"))
    assert "L'accès a pris fin le" in page
    until = today() + timedelta(days=30)
    response = staff.post(
        f"/admin/enrolments/{enrolment.id}/access", data={"access_until": until.isoformat()}
    )
    assert response.status_code == 303
    assert learner_enrolment(world).access_until == until
    forget_memberships()
    assert role_in(world.learner_a1, world.cohort_a) == {Role.LEARNER}
    page = text(learner.get("/"))
    assert "Promotion A" in page and "promotion terminée" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ends_on": "2001-01-01"}, "précède le début de la promotion"),
        ({"ends_on": "31/12/2030"}, "date valide"),
        ({"access_until": "demain"}, "date valide"),
    ],
)
def test_bad_access_dates_are_refused_and_nothing_changes(world, login_as, data, message):
    enrolment = learner_enrolment(world)
    response = login_as(world.staff_a).post(f"/admin/enrolments/{enrolment.id}/access", data=data)
    assert response.status_code == 200 and message in text(response)
    after = learner_enrolment(world)
    assert (after.ends_on, after.access_until) == (None, None)


@pytest.mark.parametrize("who", ["staff_b", "tutor_a1", "lecturer_a", "learner_a1"])
def test_only_the_cohorts_managers_change_an_enrolments_access(world, login_as, who):
    enrolment = learner_enrolment(world)
    client = login_as(getattr(world, who))
    url = f"/admin/enrolments/{enrolment.id}/access"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"access_until": "2099-01-01"}).status_code == 404
    assert learner_enrolment(world).access_until is None


# -- structure in use ---------------------------------------------------------------------------------
@pytest.mark.skipif("courses" not in conftest.tested_plugins(), reason="uses course material")
def test_a_bloc_or_seminar_used_by_a_cohort_cannot_be_deleted(world, login_as):
    from plugins.courses.models import CourseItem, ItemKind

    bloc = world.programme.blocs[0]
    seminar = bloc.seminars[0]
    bloc_id, seminar_id = bloc.id, seminar.id
    db.session.add(CourseItem(seminar_id=seminar.id, kind=ItemKind.PAGE, title="Support", body="Texte"))
    db.session.commit()
    before = rows_of({"bloc": (), "seminar": (), "courses_item": ("updated_dt",)})
    coordinator = login_as(world.coordinator)
    for url in (f"/admin/blocs/{bloc.id}/delete", f"/admin/seminars/{seminar.id}/delete"):
        response = coordinator.post(url)
        assert response.status_code == 303, url
        page = text(coordinator.get(response.headers["Location"]))
        assert "ne peut pas être supprimé" in page and "1 contenu de cours" in page, url
    assert rows_of({"bloc": (), "seminar": (), "courses_item": ("updated_dt",)}) == before
    # Another cohort's staff never even reach the programme.
    assert login_as(world.staff_b).post(f"/admin/blocs/{bloc.id}/delete").status_code == 404
    # Once nothing uses them, they go.
    db.session.execute(sa.delete(CourseItem))
    db.session.commit()
    assert coordinator.post(f"/admin/blocs/{bloc_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Bloc, bloc_id) is None and db.session.get(Seminar, seminar_id) is None
