"""Editors choose the lecturers of a seminar among the programme's lecturers; others cannot."""

import sqlalchemy as sa

from plugins.courses.models import SeminarLecturer
from portal.extensions import db
from tests.helpers import text


def seminar_of(world):
    return world.programme.blocs[0].seminars[0]


def lecturer_ids(seminar) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(sa.select(SeminarLecturer.user_id).where(SeminarLecturer.seminar_id == seminar.id))
    )


def test_staff_choose_the_lecturers_and_the_bloc_page_shows_them(world, login_as):
    seminar = seminar_of(world)
    staff = login_as(world.staff_a)
    url = f"/courses/seminar/{seminar.id}/lecturers"
    assert world.lecturer_a.sort_name in text(staff.get(url))
    response = staff.post(url, data={"lecturers": [str(world.lecturer_a.id)]})
    assert response.status_code == 303
    assert lecturer_ids(seminar) == {world.lecturer_a.id}
    page = text(login_as(world.learner_a1).get(f"/courses/bloc/{seminar.bloc_id}"))
    assert "Intervenant·e·s : Lecturer LECTURER A" in page
    staff.post(url, data={})
    assert lecturer_ids(seminar) == set()


def test_someone_who_is_not_a_lecturer_of_the_programme_cannot_be_chosen(world, login_as):
    seminar = seminar_of(world)
    response = login_as(world.staff_a).post(
        f"/courses/seminar/{seminar.id}/lecturers", data={"lecturers": [str(world.learner_a1.id)]}
    )
    assert response.status_code == 200
    assert "Not a valid choice" in text(response) or "choix" in text(response).lower()
    assert lecturer_ids(seminar) == set()


def test_learners_tutors_and_outsiders_get_404_and_change_nothing(world, login_as):
    seminar = seminar_of(world)
    url = f"/courses/seminar/{seminar.id}/lecturers"
    for user in (world.learner_a1, world.tutor_a1, world.nobody):
        client = login_as(user)
        assert client.get(url).status_code == 404, user.email
        assert client.post(url, data={"lecturers": [str(world.lecturer_a.id)]}).status_code == 404, user.email
    assert lecturer_ids(seminar) == set()
