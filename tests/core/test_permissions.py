"""portal.permissions answers the questions plugins ask, from the enrolment and atelier tables."""

from datetime import date, timedelta

from portal import people
from portal.dates import today
from portal.extensions import db
from portal.models import Role
from portal.permissions import (
    access_ends_on,
    archived_cohort_ids,
    atelier_ids,
    cohort_ids,
    forget_memberships,
    has_archive,
    is_enrolled,
    is_member,
    is_tutor,
    managed_cohort_ids,
    manages_person,
    may_edit_user,
    may_manage_cohort,
    may_manage_people,
    may_manage_programme,
    may_see_atelier,
    may_view_programme,
    role_in,
    visible_cohort_ids,
)
from tests.factories import make_programme, make_user


def test_roles_in_cohorts(world):
    assert role_in(world.learner_a1, world.cohort_a) == {Role.LEARNER}
    assert role_in(world.learner_a1, world.cohort_b) == frozenset()
    assert role_in(world.tutor_a1, world.cohort_a.id) == {Role.TUTOR}
    assert cohort_ids(world.staff_a, Role.STAFF) == {world.cohort_a.id}
    assert cohort_ids(world.nobody) == set()
    assert role_in(None, world.cohort_a) == frozenset()


def test_atelier_membership(world):
    assert is_member(world.learner_a1, world.atelier_a1)
    assert not is_member(world.learner_a1, world.atelier_a2)
    assert not is_tutor(world.learner_a1, world.atelier_a1)
    assert is_tutor(world.tutor_a1, world.atelier_a1) and is_member(world.tutor_a1, world.atelier_a1)
    assert atelier_ids(world.tutor_a1, Role.TUTOR) == {world.atelier_a1.id}
    assert not is_member(world.staff_a, world.atelier_a1)


def test_who_may_see_an_atelier(world):
    assert may_see_atelier(world.learner_a1, world.atelier_a1)
    assert not may_see_atelier(world.learner_a2, world.atelier_a1)
    assert may_see_atelier(world.staff_a, world.atelier_a1)
    assert not may_see_atelier(world.staff_b, world.atelier_a1)
    assert may_see_atelier(world.admin, world.atelier_b1)
    assert not may_see_atelier(world.lecturer_a, world.atelier_a1)


def test_who_manages(world):
    assert may_manage_cohort(world.staff_a, world.cohort_a)
    assert not may_manage_cohort(world.staff_a, world.cohort_b)
    assert not may_manage_cohort(world.tutor_a1, world.cohort_a)
    assert may_manage_cohort(world.admin, world.cohort_b)
    assert managed_cohort_ids(world.admin) is None
    assert managed_cohort_ids(world.staff_b) == {world.cohort_b.id}
    assert not may_manage_programme(world.staff_a, world.programme)
    assert may_manage_programme(world.admin, world.programme)
    assert may_manage_people(world.staff_a) and not may_manage_people(world.learner_a1)
    assert not may_manage_people(None)


def test_a_coordinator_runs_the_programme_and_every_cohort_of_it(world):
    other = make_programme("Autre formation")
    assert may_manage_programme(world.coordinator, world.programme)
    assert not may_manage_programme(world.coordinator, other)
    assert may_manage_cohort(world.coordinator, world.cohort_a) and may_manage_cohort(
        world.coordinator, world.cohort_b
    )
    assert managed_cohort_ids(world.coordinator) == {world.cohort_a.id, world.cohort_b.id}
    assert visible_cohort_ids(world.coordinator) == {world.cohort_a.id, world.cohort_b.id}
    assert may_manage_people(world.coordinator) and may_view_programme(world.coordinator, world.programme)
    assert role_in(world.coordinator, world.cohort_a) == frozenset()


def test_visible_cohorts_are_ones_own(world):
    assert visible_cohort_ids(world.staff_a) == {world.cohort_a.id}
    assert visible_cohort_ids(world.lecturer_a) == {world.cohort_a.id}
    assert visible_cohort_ids(world.admin) is None
    assert visible_cohort_ids(world.nobody) == set()


def _learner_enrolment(world):
    return next(e for e in world.learner_a1.enrolments if e.cohort_id == world.cohort_a.id)


def test_a_learners_access_ends_with_the_cohort_after_the_grace_period(world, app):
    app.config["ACCESS_GRACE_DAYS"] = 10
    world.cohort_a.end_date = today() - timedelta(days=10)
    db.session.commit()
    forget_memberships()
    assert is_enrolled(world.learner_a1, world.cohort_a, Role.LEARNER)
    world.cohort_a.end_date = today() - timedelta(days=11)
    db.session.commit()
    forget_memberships()
    assert role_in(world.learner_a1, world.cohort_a) == frozenset()
    assert not is_member(world.learner_a1, world.atelier_a1)
    assert has_archive(world.learner_a1, world.cohort_a)
    assert archived_cohort_ids(world.learner_a1) == {world.cohort_a.id}
    # Other roles do not end with the cohort: staff and tutors still run it.
    assert may_manage_cohort(world.staff_a, world.cohort_a) and is_tutor(world.tutor_a1, world.atelier_a1)
    assert not has_archive(world.staff_a, world.cohort_a)


def test_an_enrolment_ends_on_its_own_date_and_staff_extend_it(world, app):
    app.config["ACCESS_GRACE_DAYS"] = 0
    enrolment = _learner_enrolment(world)
    enrolment.ends_on = today() - timedelta(days=1)
    db.session.commit()
    forget_memberships()
    assert not is_enrolled(world.learner_a1, world.cohort_a)
    enrolment.access_until = today()
    db.session.commit()
    forget_memberships()
    assert is_enrolled(world.learner_a1, world.cohort_a) and is_member(world.learner_a1, world.atelier_a1)
    staff = next(e for e in world.staff_a.enrolments if e.cohort_id == world.cohort_a.id)
    staff.ends_on = today() - timedelta(days=1)
    db.session.commit()
    forget_memberships()
    assert not may_manage_cohort(world.staff_a, world.cohort_a) and not has_archive(
        world.staff_a, world.cohort_a
    )


def test_access_end_rule():
    day = date(2030, 6, 1)
    assert access_ends_on(Role.LEARNER, None, day, None, 30) == date(2030, 7, 1)
    assert access_ends_on(Role.LEARNER, date(2030, 1, 1), day, None, 0) == date(2030, 1, 1)
    assert access_ends_on(Role.TUTOR, None, day, None, 30) is None
    assert access_ends_on(Role.LEARNER, None, day, date(2031, 1, 1), 30) == date(2031, 1, 1)
    assert access_ends_on(Role.LEARNER, None, day, date(2030, 6, 2), 30) == date(2030, 7, 1)


def test_who_manages_a_person(world):
    assert manages_person(world.staff_a, world.learner_a1) and not manages_person(
        world.staff_a, world.learner_b1
    )
    assert manages_person(world.coordinator, world.learner_b1) and manages_person(world.admin, world.nobody)
    assert not manages_person(world.learner_a2, world.learner_a1)


def test_who_may_edit_whom(world):
    loner = make_user()
    assert may_edit_user(world.staff_a, world.learner_a1)
    assert may_edit_user(world.staff_a, loner)
    assert not may_edit_user(world.staff_a, world.learner_b1)
    assert not may_edit_user(world.staff_a, world.admin)
    assert may_edit_user(world.admin, world.learner_b1)
    assert not may_edit_user(world.learner_a1, world.learner_a2)


def test_cached_memberships_follow_changes_in_the_same_context(world):
    assert not is_member(world.learner_a2, world.atelier_a1)
    people.remove_from_atelier(next(m for m in world.atelier_a2.members if m.user_id == world.learner_a2.id))
    people.add_to_atelier(world.atelier_a1, world.learner_a2, Role.LEARNER)
    db.session.commit()
    assert is_member(world.learner_a2, world.atelier_a1)
    forget_memberships()
    assert not is_member(world.learner_a2, world.atelier_a2)


def test_a_learner_cannot_join_two_ateliers_of_one_cohort(world):
    import pytest

    with pytest.raises(people.MembershipError, match="déjà dans l'atelier"):
        people.add_to_atelier(world.atelier_a2, world.learner_a1, Role.LEARNER)
    with pytest.raises(people.MembershipError, match="n'a pas ce rôle"):
        people.add_to_atelier(world.atelier_a1, world.learner_b1, Role.LEARNER)


def test_unenrolling_removes_atelier_places(world):
    enrolment = next(e for e in world.learner_a1.enrolments if e.cohort_id == world.cohort_a.id)
    people.unenrol(enrolment)
    assert not is_member(world.learner_a1, world.atelier_a1)
    assert role_in(world.learner_a1, world.cohort_a) == frozenset()


def test_programme_cohorts(world):
    from portal.permissions import programme_cohorts

    assert programme_cohorts(world.learner_a1, world.programme) == {world.cohort_a.id: {Role.LEARNER}}
    assert programme_cohorts(world.staff_b, world.programme.id) == {world.cohort_b.id: {Role.STAFF}}
    assert programme_cohorts(world.nobody, world.programme) == {}
    assert programme_cohorts(world.learner_a1, make_programme("Autre")) == {}
