"""The regroupements plugin's benchmark data: every cohort's timetable (70 days at reference size, 5 on the
small dataset) with its learners' attendance, and the calendar, report and feed pages."""

from __future__ import annotations

import time as clock
import zipfile
from datetime import time, timedelta

from bench.pages import Page

PAGES = [
    Page(
        "regroupements: calendar month (learner)",
        "/regroupements/calendar?view=month&date={calendar_date}",
        ("learner",),
        plugin="regroupements",
    ),
    Page(
        "regroupements: attendance report (30 learners)",
        "/regroupements/cohort/{cohort_id}/report",
        ("staff",),
        plugin="regroupements",
    ),
    # The feed answers without a session (its secret is in the address); learner clients carry the tokens.
    Page(
        "regroupements: iCal feed",
        "/regroupements/feed/{feed_token}.ics",
        ("learner",),
        plugin="regroupements",
    ),
]

#: weeks of five days: 14 (70 days) at reference size; the small dataset keeps one (the calendar's week)
WEEKS = 14
#: the week whose month the learners' calendar shows (three weeks before now)
SHOWN_WEEK = 11


def fill(context) -> dict[str, int]:
    """Give each cohort 14 weeks of two half-day sessions a day, placed so that most are past, with every
    learner's attendance of the past sessions; a feed token per learner; then time the first cohort's
    PDF sheets."""
    import sqlalchemy as sa

    from plugins.regroupements.models import Attendance, AttendanceChange, Session, SessionKind, Week
    from plugins.regroupements.reports import all_sheets
    from plugins.regroupements.service import local, new_feed_token, paris
    from portal.extensions import db
    from portal.models import User, utcnow

    now = utcnow()
    today = local(now).date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=7 * SHOWN_WEEK + 3)
    weeks = range(WEEKS) if context.reference else [SHOWN_WEEK]
    blocs = [b for b in context.programme.blocs if b.is_certifying]
    learners_of: dict[int, list[int]] = {}
    for account in context.accounts["learner"]:
        learners_of.setdefault(account["cohort_id"], []).append(account["id"])
    sessions = 0
    attendance: list[dict] = []
    for c, cohort in enumerate(context.cohorts):
        for k in weeks:
            monday = first_monday + timedelta(weeks=7 * k)
            week = Week(
                cohort_id=cohort.id, number=k + 1, start_date=monday, end_date=monday + timedelta(days=4)
            )
            db.session.add(week)
            db.session.flush()
            rows = []
            for d in range(5):
                day = monday + timedelta(days=d)
                for h, (start, end) in enumerate(((time(9), time(12, 30)), (time(13, 30), time(17)))):
                    bloc = blocs[(k * 10 + d * 2 + h) % len(blocs)]
                    seminar = bloc.seminars[(k + d) % len(bloc.seminars)]
                    atelier = h == 1 and d == 2
                    rows.append(
                        {
                            "week_id": week.id,
                            "cohort_id": cohort.id,
                            "start_dt": paris(day, start),
                            "end_dt": paris(day, end),
                            "minutes": 210,
                            "kind": SessionKind.ATELIER if atelier else SessionKind.SEMINAR,
                            "bloc_id": bloc.id,
                            "seminar_id": None if atelier else seminar.id,
                            "title": "Atelier mémoire" if atelier else "",
                            "link": f"https://visio.example.org/bench/{cohort.id}/{k + 1}",
                            "room": "",
                            "status": "scheduled",
                            "status_note": "",
                            "updated_dt": now,
                        }
                    )
            ids = db.session.scalars(
                sa.insert(Session).returning(Session.id, sort_by_parameter_order=True), rows
            ).all()
            sessions += len(ids)
            for session_id, row in zip(ids, rows, strict=True):
                if row["end_dt"] > now:
                    continue
                for user_id in learners_of.get(cohort.id, []):
                    draw = context.rng.random()
                    status = (
                        "present"
                        if draw < 0.88
                        else "late"
                        if draw < 0.93
                        else "absent"
                        if draw < 0.98
                        else "excused"
                    )
                    attendance.append(
                        {
                            "session_id": session_id,
                            "user_id": user_id,
                            "status": status,
                            "recorded_dt": row["end_dt"],
                        }
                    )
        del c
    if attendance:
        db.session.execute(sa.insert(Attendance), attendance)
        db.session.execute(
            sa.insert(AttendanceChange),
            [
                {
                    "session_id": a["session_id"],
                    "user_id": a["user_id"],
                    "new_status": a["status"],
                    "changed_dt": a["recorded_dt"],
                }
                for a in attendance
            ],
        )
    tokens = 0
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_([a["id"] for a in context.accounts["learner"]]))
        )
    }
    for account in context.accounts["learner"]:
        account["feed_token"] = new_feed_token(users[account["id"]])
        tokens += 1
    shown = (first_monday + timedelta(weeks=7 * SHOWN_WEEK)).isoformat()
    for accounts in context.accounts.values():
        for account in accounts:
            account["calendar_date"] = shown
    db.session.commit()

    # The whole first cohort's PDF sheets, one per half-day, timed as the staff download them (sheets.zip).
    cohort = context.cohorts[0]
    learners = list(
        db.session.scalars(
            sa.select(User).where(User.id.in_(learners_of.get(cohort.id, []))).order_by(User.last_name)
        )
    )
    started = clock.perf_counter()
    with all_sheets(cohort, context.programme, learners, now) as spool:
        sheets = len(zipfile.ZipFile(spool).namelist())
    elapsed_ms = round((clock.perf_counter() - started) * 1000)
    return {
        "regroupement sessions": sessions,
        "attendance rows": len(attendance),
        "feed tokens": tokens,
        f"ms to print the PDF sheets of cohort 1 ({sheets} half-days, {len(learners)} learners)": elapsed_ms,
    }
