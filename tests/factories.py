"""Factories of test data, written through the same services the app uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from portal import people
from portal.dates import today
from portal.extensions import db
from portal.models import Atelier, Bloc, Cohort, Programme, ProgrammeCoordinator, Role, Seminar, User

_sequence = itertools.count(1)


def make_user(password: str | None = None, **fields) -> User:
    """A user with a unique address; committed."""
    n = next(_sequence)
    fields.setdefault("email", f"person{n}@example.org")
    fields.setdefault("first_name", f"Prénom{n}")
    fields.setdefault("last_name", f"Nom{n}")
    user = people.create_user(
        fields.pop("email"), fields.pop("first_name"), fields.pop("last_name"), password, **fields
    )
    db.session.commit()
    return user


def make_programme(title: str = "Manager ESS", blocs: int = 2) -> Programme:
    """A programme with numbered blocs of one seminar each; committed."""
    programme = Programme(title=title, rncp_code="RNCP 35080", level=7, hours=511)
    for number in range(1, blocs + 1):
        bloc = Bloc(number=number, title=f"Bloc de test {number}", hours=50)
        bloc.seminars = [Seminar(title=f"Séminaire {number}.1", position=1)]
        programme.blocs.append(bloc)
    db.session.add(programme)
    db.session.commit()
    return programme


def make_cohort(programme: Programme, name: str, centre: str = "Paris") -> Cohort:
    """A cohort of the programme; committed."""
    # In its second year today, whatever the day the tests run: its people have access.
    cohort = Cohort(
        programme=programme,
        name=name,
        centre=centre,
        start_date=today() - timedelta(days=420),
        end_date=today() + timedelta(days=310),
    )
    db.session.add(cohort)
    db.session.commit()
    return cohort


def make_atelier(cohort: Cohort, name: str, tutor: User | None = None, learners=()) -> Atelier:
    """An atelier with its tutor and learners (enrolled in the cohort as needed); committed."""
    atelier = Atelier(cohort=cohort, name=name)
    db.session.add(atelier)
    db.session.flush()
    for user, role in [(tutor, Role.TUTOR)] + [(learner, Role.LEARNER) for learner in learners]:
        if user is None:
            continue
        people.enrol(user, cohort, role)
        people.add_to_atelier(atelier, user, role)
    db.session.commit()
    return atelier


def enrol(user: User, cohort: Cohort, role: Role) -> None:
    """Give a role in a cohort; committed."""
    people.enrol(user, cohort, role)
    db.session.commit()


@dataclass
class World:
    """Two cohorts (A, B) of one programme; cohort A has two ateliers; one person per role, and a
    coordinator of the programme."""

    programme: Programme
    cohort_a: Cohort
    cohort_b: Cohort
    atelier_a1: Atelier
    atelier_a2: Atelier
    atelier_b1: Atelier
    admin: User
    #: coordinates the programme: its structure and both cohorts
    coordinator: User
    staff_a: User
    staff_b: User
    tutor_a1: User
    lecturer_a: User
    learner_a1: User
    learner_a2: User
    learner_b1: User
    nobody: User


def build_world(password: str) -> World:
    """The World above, every account with `password`."""
    programme = make_programme()
    cohort_a = make_cohort(programme, "Promotion A")
    cohort_b = make_cohort(programme, "Promotion B", centre="Lille")
    u = {
        key: make_user(
            password,
            email=f"{key}@example.org",
            first_name=key.split("_")[0].title(),
            last_name=key.replace("_", " ").upper(),
        )
        for key in (
            "admin",
            "coordinator",
            "staff_a",
            "staff_b",
            "tutor_a1",
            "lecturer_a",
            "learner_a1",
            "learner_a2",
            "learner_b1",
            "nobody",
        )
    }
    u["admin"].is_admin = True
    programme.coordinators.append(ProgrammeCoordinator(user=u["coordinator"]))
    enrol(u["staff_a"], cohort_a, Role.STAFF)
    enrol(u["staff_b"], cohort_b, Role.STAFF)
    enrol(u["lecturer_a"], cohort_a, Role.LECTURER)
    atelier_a1 = make_atelier(cohort_a, "Atelier A1", tutor=u["tutor_a1"], learners=[u["learner_a1"]])
    atelier_a2 = make_atelier(cohort_a, "Atelier A2", learners=[u["learner_a2"]])
    atelier_b1 = make_atelier(cohort_b, "Atelier B1", learners=[u["learner_b1"]])
    return World(programme, cohort_a, cohort_b, atelier_a1, atelier_a2, atelier_b1, **u)
