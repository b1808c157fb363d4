"""Demo data: the Paris cohort's 14 weeks and 3 days (511 h), the optional module around today, attendance."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from plugins.regroupements.models import (
    Attendance,
    AttendanceChange,
    Decision,
    Justification,
    PersonalEvent,
    Presence,
    Session,
    SessionKind,
    SessionStatus,
    Week,
)
from plugins.regroupements.service import local, paris
from portal.extensions import db
from portal.models import Role, SeminarKind, utcnow

#: Mondays of the Paris 2021-2022 weeks; the last one has three days (Wednesday to Friday)
MONDAYS = [
    date(2021, 2, 1),
    date(2021, 3, 29),
    date(2021, 5, 17),
    date(2021, 6, 28),
    date(2021, 9, 13),
    date(2021, 10, 25),
    date(2021, 12, 6),
    date(2022, 1, 24),
    date(2022, 3, 14),
    date(2022, 4, 25),
    date(2022, 6, 13),
    date(2022, 7, 4),
    date(2022, 9, 12),
    date(2022, 10, 17),
    date(2022, 12, 5),
]
THEMES = [
    "Rentrée : l'ESS, ses fondements et ses enjeux",
    "Politiques publiques et intervention sociale",
    "Droit des associations et gouvernance",
    "Qualité, insertion et autobiographie raisonnée",
    "Culture, éducation populaire et animation",
    "Développement territorial et projets remarquables",
    "Gestion financière et comptable",
    "Financements et partenariats",
    "Management et droit du travail",
    "Conduite du changement et dynamiques de groupe",
    "Méthodologie du projet",
    "Politiques publiques et posture d'acteur-chercheur",
    "Recherche-action : analyser son terrain",
    "Préparer la soutenance du mémoire",
    "Soutenances et bilan de la formation",
]
MORNING = (time(9, 0), time(12, 30))
AFTERNOON = (time(13, 30), time(17, 0))
#: half-days of 3 h 30 per bloc: 161, 70, 56 h, and 147 h of seminars + 77 h of ateliers in Bloc 4 (511 h)
SEMINAR_HALF_DAYS = {1: 46, 2: 20, 3: 16, 4: 42}
ATELIER_HALF_DAYS = 22


def _interleave(counts: dict[int, int]) -> list[int]:
    """Bloc numbers spread over the programme in proportion, each bloc's half-days in order."""
    keyed = [((i + 0.5) / n, bloc) for bloc, n in counts.items() for i in range(n)]
    return [bloc for _pos, bloc in sorted(keyed)]


def _slots() -> list[tuple[int, date, tuple[time, time]]]:
    slots = []
    for number, monday in enumerate(MONDAYS, start=1):
        days = range(2, 5) if number == len(MONDAYS) else range(5)
        for offset in days:
            day = monday + timedelta(days=offset)
            slots += [(number, day, MORNING), (number, day, AFTERNOON)]
    return slots


def load_demo(demo: dict) -> None:
    """Weeks, sessions for every bloc, and attendance of the first weeks for the Paris cohort."""
    rng = random.Random(35080)  # noqa: S311 - demo data, not a secret
    programme, paris_cohort = demo["programme"], demo["cohorts"][0]
    lecturers = demo["lecturers"]
    blocs = {b.number: b for b in programme.blocs}
    weeks = {}
    for number, (monday, theme) in enumerate(zip(MONDAYS, THEMES, strict=True), start=1):
        first = monday + timedelta(days=2) if number == len(MONDAYS) else monday
        weeks[number] = Week(
            cohort_id=paris_cohort.id,
            number=number,
            start_date=first,
            end_date=monday + timedelta(days=4),
            theme=theme,
        )
    db.session.add_all(weeks.values())
    db.session.flush()

    slots = _slots()
    # Ateliers mémoire: about every seventh half-day, on afternoons, so that every week has one or two.
    atelier_slots = set(
        round((i + 0.5) * len(slots) / ATELIER_HALF_DAYS) | 1 for i in range(ATELIER_HALF_DAYS)
    )
    order = iter(_interleave(SEMINAR_HALF_DAYS))
    used = {number: 0 for number in SEMINAR_HALF_DAYS}
    sessions = []
    for index, (number, day, (start, end)) in enumerate(slots):
        week = weeks[number]
        session = Session(
            week_id=week.id, cohort_id=paris_cohort.id, start_dt=paris(day, start), end_dt=paris(day, end)
        )
        if index in atelier_slots:
            session.kind, session.bloc_id, session.title = SessionKind.ATELIER, blocs[4].id, "Atelier mémoire"
        else:
            bloc_number = next(order)
            bloc = blocs[bloc_number]
            seminar = bloc.seminars[used[bloc_number] * len(bloc.seminars) // SEMINAR_HALF_DAYS[bloc_number]]
            used[bloc_number] += 1
            session.bloc_id, session.seminar_id = bloc.id, seminar.id
            session.kind = (
                SessionKind.METHODOLOGY if seminar.kind == SeminarKind.METHODOLOGICAL else SessionKind.SEMINAR
            )
            session.lecturers = [lecturers[(bloc_number * 7 + seminar.position) % len(lecturers)]]
        if number == 1:
            session.room = "Cnam, 292 rue Saint-Martin, Paris 3e — amphithéâtre Abbé-Grégoire"
        else:
            session.link = f"https://visio.example.org/cnam-ess-paris-2021/semaine-{number}"
        sessions.append(session)
    # One session moved, as happens (the cancelled one is in the optional module, below).
    sessions[31].status, sessions[31].status_note = (
        SessionStatus.MOVED,
        "Avancée d'une demi-heure : grève des transports.",
    )
    db.session.add_all(sessions)
    db.session.flush()

    _module_weeks(demo, paris_cohort, blocs[5], lecturers)
    _attendance(
        demo, paris_cohort, [s for s in sessions if s.week_id in (weeks[1].id, weeks[2].id, weeks[3].id)], rng
    )
    learner = demo["accounts"]["learner"]
    today = local(utcnow()).date()
    db.session.add(
        PersonalEvent(
            user_id=learner.id,
            title="Entretien avec ma tutrice de stage",
            start_dt=paris(today + timedelta(days=2), time(17, 30)),
            end_dt=paris(today + timedelta(days=2), time(18, 30)),
            location="Centre social des Amandiers",
        )
    )
    db.session.flush()


def _module_weeks(demo, cohort, bloc, lecturers) -> None:
    """The optional module (35 h) in two parts, this week and next, so that the demo has sessions to come."""
    today = local(utcnow()).date()
    this_monday = today - timedelta(days=today.weekday())
    next_monday = this_monday + timedelta(days=7)
    parts = [
        (16, this_monday, this_monday + timedelta(days=6), [0, 1]),
        (17, next_monday, next_monday + timedelta(days=4), [0, 1, 2]),
    ]
    seminars = bloc.seminars
    k = 0
    for number, first, last, offsets in parts:
        week = Week(
            cohort_id=cohort.id,
            number=number,
            start_date=first,
            end_date=last,
            theme="Module complémentaire : initiation à la vie coopérative",
        )
        db.session.add(week)
        db.session.flush()
        for offset in offsets:
            day = first + timedelta(days=offset)
            for start, end in (MORNING, AFTERNOON):
                seminar = seminars[min(k // 3, len(seminars) - 1)]
                k += 1
                session = Session(
                    week_id=week.id,
                    cohort_id=cohort.id,
                    start_dt=paris(day, start),
                    end_dt=paris(day, end),
                    kind=SessionKind.SEMINAR,
                    bloc_id=bloc.id,
                    seminar_id=seminar.id,
                    link="https://visio.example.org/cnam-ess-paris-2021/module-cooperatives",
                )
                session.lecturers = [lecturers[k % len(lecturers)]]
                db.session.add(session)
    # The module's last half-day is cancelled, as happens; the note says so to everyone.
    session.status = SessionStatus.CANCELLED
    session.status_note = "Intervenante malade : séance reportée, nouvelle date à venir."
    db.session.flush()


def _attendance(demo, cohort, sessions, rng) -> None:
    """Attendance of the first three weeks: mostly present, some late, absent, excused; a justification."""
    from portal.members import cohort_members

    learner_ids = [user.id for user in cohort_members([cohort.id], Role.LEARNER)]
    staff = demo["accounts"]["staff"]
    named = demo["accounts"]["learner"].id
    for session in sessions:
        if session.status == SessionStatus.CANCELLED:
            continue
        for user_id in learner_ids:
            draw = rng.random()
            status = (
                Presence.PRESENT
                if draw < 0.86
                else Presence.LATE
                if draw < 0.92
                else Presence.ABSENT
                if draw < 0.97
                else Presence.EXCUSED
            )
            if user_id == named:
                status = Presence.PRESENT
            checked = session.start_dt + timedelta(
                minutes=rng.randint(-10, 9) if status == Presence.PRESENT else rng.randint(11, 40)
            )
            own = status in (Presence.PRESENT, Presence.LATE) and rng.random() < 0.8
            db.session.add(
                Attendance(
                    session_id=session.id,
                    user_id=user_id,
                    status=status,
                    checked_in_dt=checked if own else None,
                    recorded_by_id=user_id if own else staff.id,
                    recorded_dt=checked if own else session.end_dt,
                )
            )
            db.session.add(
                AttendanceChange(
                    session_id=session.id,
                    user_id=user_id,
                    old_status=None,
                    new_status=status,
                    changed_by_id=user_id if own else staff.id,
                    changed_dt=checked if own else session.end_dt,
                )
            )
    # The named learner missed one session of week 3 and sent a justification still waiting for an answer.
    last = sessions[-1]
    row = db.session.get(Attendance, (last.id, named))
    if row is not None:
        row.status, row.checked_in_dt, row.recorded_by_id = Presence.ABSENT, None, staff.id
    db.session.add(
        Justification(
            session_id=last.id,
            user_id=named,
            text="Rendez-vous médical programmé de longue date (convocation de l'hôpital).",
            decision=Decision.PENDING,
            submitted_dt=last.end_dt + timedelta(days=1),
        )
    )
    db.session.flush()
