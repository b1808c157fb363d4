"""Attendance reports: hours per learner and bloc, the CSV export, and the PDF papers' data."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from plugins.regroupements.models import Session, SessionStatus
from plugins.regroupements.pdf import AttestationData, SheetData, attestation_pdf, hours_text, sheet_pdf
from plugins.regroupements.queries import attendance_of, cohort_people, hours_table
from plugins.regroupements.service import local, paris
from portal.archive import zip_spool
from portal.extensions import db
from portal.models import Bloc, Cohort, Programme, Role, User

#: a session starting before this hour (Paris) belongs to the morning
NOON = 13


@dataclass
class Report:
    """Hours attended against hours planned, per learner and bloc."""

    cohort: Cohort
    programme: Programme
    #: (bloc id or None, label, certifying) in order, only blocs with sessions or hours
    columns: list[tuple[int | None, str, bool]]
    planned: dict[int | None, float]
    learners: list[User]
    attended: dict[int, dict[int | None, float]]

    def total_planned(self) -> float:
        """Planned hours of the certifying blocs (and sessions outside blocs)."""
        return sum(self.planned.get(b, 0.0) for b, _l, certifying in self.columns if certifying)

    def total_attended(self, user_id: int) -> float:
        """A learner's attended hours in the certifying blocs (and sessions outside blocs)."""
        mine = self.attended.get(user_id, {})
        return sum(mine.get(b, 0.0) for b, _l, certifying in self.columns if certifying)

    def table(self) -> list[tuple[User, list[str], str, str]]:
        """Each learner with their hours per column, total and share of the programme, formatted once here
        (a macro call per cell cost a third of the page at 30 learners)."""
        rows = []
        for user in self.learners:
            mine = self.attended.get(user.id, {})
            total = self.total_attended(user.id)
            share = f"{round(100 * total / self.programme.hours)} %" if self.programme.hours else "—"
            rows.append(
                (user, [hours_text(mine.get(b, 0.0)) for b, _l, _c in self.columns], hours_text(total), share)
            )
        return rows


def bloc_label(bloc: Bloc) -> str:
    """Bloc 1, Bloc 2 ... or the optional module."""
    if bloc.is_certifying:
        return _("Bloc %(n)d", n=bloc.number)
    return _("Module complémentaire")


def build_report(cohort: Cohort, watched: set[int] | None) -> Report:
    """The report of the learners the viewer may see."""
    programme = db.session.get(Programme, cohort.programme_id)
    learners = cohort_people(cohort.id, Role.LEARNER, watched)
    table = hours_table(cohort.id, [u.id for u in learners])
    blocs = db.session.scalars(
        sa.select(Bloc).where(Bloc.programme_id == programme.id).order_by(Bloc.number)
    ).all()
    columns = [
        (b.id, bloc_label(b), b.is_certifying) for b in blocs if b.id in table["planned"] or b.is_certifying
    ]
    if None in table["planned"]:
        columns.append((None, _("Hors bloc"), True))
    return Report(cohort, programme, columns, table["planned"], learners, table["attended"])


def report_csv(report: Report) -> str:
    """The report as CSV (semicolon-separated, as French spreadsheets expect), hours as decimals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    head = [_("Nom"), _("Prénom"), _("Courriel")]
    for _b, label, _c in report.columns:
        head += [_("%(bloc)s suivies", bloc=label), _("%(bloc)s prévues", bloc=label)]
    head += [_("Total suivi"), _("Total prévu"), _("Heures de la formation")]
    writer.writerow(head)
    for user in report.learners:
        mine = report.attended.get(user.id, {})
        row = [_csv_safe(user.last_name), _csv_safe(user.first_name), _csv_safe(user.email)]
        for bloc_id, _l, _c in report.columns:
            row += [_decimal(mine.get(bloc_id, 0.0)), _decimal(report.planned.get(bloc_id, 0.0))]
        row += [
            _decimal(report.total_attended(user.id)),
            _decimal(report.total_planned()),
            str(report.programme.hours),
        ]
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def _decimal(hours: float) -> str:
    return f"{hours:.2f}".replace(".", ",")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def attestation(report: Report, user: User, today: date) -> bytes:
    """The PDF attestation of a learner of the report."""
    mine = report.attended.get(user.id, {})
    first, last = db.session.execute(
        sa.select(sa.func.min(Session.start_dt), sa.func.max(Session.end_dt)).where(
            Session.cohort_id == report.cohort.id, Session.status != SessionStatus.CANCELLED
        )
    ).one()
    data = AttestationData(
        programme=report.programme.title,
        rncp=report.programme.rncp_code or "",
        cohort=report.cohort.name,
        learner=user.full_name,
        first_day=local(first).date() if first else None,
        last_day=local(last).date() if last else None,
        blocs=[(label, report.planned.get(b, 0.0), mine.get(b, 0.0)) for b, label, _c in report.columns],
        attended_total=sum(mine.get(b, 0.0) for b, _l, _c in report.columns),
        programme_hours=report.programme.hours,
        issued=today,
        centre=report.cohort.centre,
    )
    return attestation_pdf(data)


def half_day_sessions(cohort_id: int, day: date, morning: bool) -> list[Session]:
    """The cohort's sessions of a half-day (morning: starting before 13:00 Paris time)."""
    noon = paris(day, datetime.min.time().replace(hour=NOON))
    lo, hi = (
        (paris(day, datetime.min.time()), noon)
        if morning
        else (noon, paris(day + timedelta(days=1), datetime.min.time()))
    )
    return list(
        db.session.scalars(
            sa.select(Session)
            .where(Session.cohort_id == cohort_id, Session.start_dt >= lo, Session.start_dt < hi)
            .options(so.joinedload(Session.seminar), so.selectinload(Session.lecturers))
            .order_by(Session.start_dt)
        )
    )


def status_labels() -> dict[str, str]:
    """The attendance statuses as shown."""
    return {
        "present": _("Présent·e"),
        "late": _("En retard"),
        "absent": _("Absent·e"),
        "excused": _("Excusé·e"),
    }


def half_day_sheet(
    cohort: Cohort, programme: Programme, sessions: list[Session], learners: list[User], printed: datetime
) -> bytes:
    """The PDF sheet of a half-day's sessions for these learners."""
    labels = status_labels()
    cancelled = _("Annulée")
    marks = attendance_of([s.id for s in sessions], {u.id for u in learners})
    rows = []
    for user in learners:
        statuses, times = [], []
        for session in sessions:
            mark = marks.get((session.id, user.id))
            if session.status == SessionStatus.CANCELLED:
                statuses.append(cancelled)
            else:
                statuses.append(labels[mark.status.value] if mark else "")
            if mark is not None and mark.checked_in_dt is not None:
                times.append(local(mark.checked_in_dt).strftime("%H:%M"))
        rows.append((user.sort_name, statuses, ", ".join(times)))
    start = local(sessions[0].start_dt)
    data = SheetData(
        programme=programme.title,
        cohort=cohort.name,
        day=start.date(),
        morning=start.hour < NOON,
        sessions=[
            (
                f"{local(s.start_dt):%H:%M}–{local(s.end_dt):%H:%M} ({hours_text(s.hours)})",
                s.label,
                ", ".join(u.full_name for u in s.lecturers),
                s.status_note if s.status != SessionStatus.SCHEDULED else "",
            )
            for s in sessions
        ],
        learners=rows,
        printed=local(printed),
    )
    return sheet_pdf(data)


def half_days(cohort_id: int) -> list[tuple[date, bool]]:
    """Every half-day of the cohort that has sessions, in order."""
    seen: list[tuple[date, bool]] = []
    for (start,) in db.session.execute(
        sa.select(Session.start_dt).where(Session.cohort_id == cohort_id).order_by(Session.start_dt)
    ):
        moment = local(start)
        key = (moment.date(), moment.hour < NOON)
        if not seen or seen[-1] != key:
            seen.append(key)
    return seen


def all_sheets(cohort: Cohort, programme: Programme, learners: list[User], printed: datetime):
    """Every half-day sheet of the cohort, as a ZIP in a temporary file (rewound), one PDF per half-day."""
    morning_word, afternoon_word = _("matin"), _("apres-midi")
    return zip_spool(
        (
            f"emargement-{day.isoformat()}-{morning_word if morning else afternoon_word}.pdf",
            half_day_sheet(cohort, programme, half_day_sessions(cohort.id, day, morning), learners, printed),
        )
        for day, morning in half_days(cohort.id)
    )
