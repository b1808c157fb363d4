"""Users from a CSV file with Moodle's upload-user columns: check every line, then write all or nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Atelier, AtelierMember, Cohort, Enrolment, Role, User
from portal.permissions import may_edit_user, may_manage_cohort

#: Role names accepted in roleN: ours, Moodle's and the French words users type.
ROLE_ALIASES = {
    "learner": Role.LEARNER,
    "student": Role.LEARNER,
    "auditeur": Role.LEARNER,
    "auditrice": Role.LEARNER,
    "tutor": Role.TUTOR,
    "teacher": Role.TUTOR,
    "tuteur": Role.TUTOR,
    "tutrice": Role.TUTOR,
    "lecturer": Role.LECTURER,
    "editingteacher": Role.LECTURER,
    "intervenant": Role.LECTURER,
    "intervenante": Role.LECTURER,
    "staff": Role.STAFF,
    "manager": Role.STAFF,
    "equipe": Role.STAFF,
    "équipe": Role.STAFF,
}
PLAIN_COLUMNS = {"username", "email", "firstname", "lastname", "lang"}
NUMBERED_COLUMN = re.compile(r"^(cohort|role|group)(\d+)$")
REQUIRED_COLUMNS = ("email", "firstname", "lastname")


@dataclass
class PlannedEnrolment:
    """One cohortN/roleN/groupN triple of a line."""

    cohort: Cohort
    role: Role
    atelier_name: str | None = None


@dataclass
class PlannedLine:
    """A valid line: the account to create or reuse and its enrolments."""

    number: int
    email: str
    first_name: str
    last_name: str
    locale: str
    existing: User | None
    enrolments: list[PlannedEnrolment] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What a file would do, or why it cannot be imported."""

    lines: list[PlannedLine] = field(default_factory=list)
    #: (line number, reason); line 1 is the header
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: the ateliers the import would create: cohort name -> {folded name: name as first written}
    new_ateliers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the whole file can be imported."""
        return not self.errors and bool(self.lines)


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252 as spreadsheets save it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _reader(text: str) -> csv.reader:
    # The header decides the delimiter: the first line that is not blank (blank lines are skipped).
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


class _Context:
    """What the checks look up, loaded in a few queries for the whole file."""

    def __init__(self, actor: User, emails: set[str]):
        self.actor = actor
        self.cohorts = db.session.scalars(sa.select(Cohort)).all()
        self.users = (
            {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails))).all()}
            if emails
            else {}
        )
        self.ateliers = {
            (a.cohort_id, a.name.casefold()): a for a in db.session.scalars(sa.select(Atelier)).all()
        }
        user_ids = [u.id for u in self.users.values()]
        self.learner_atelier: dict[tuple[int, int], str] = {}
        if user_ids:
            rows = db.session.execute(
                sa.select(AtelierMember.user_id, Atelier.cohort_id, Atelier.name)
                .join(Atelier)
                .where(AtelierMember.user_id.in_(user_ids), AtelierMember.role == Role.LEARNER)
            )
            self.learner_atelier = {(uid, cid): name for uid, cid, name in rows}

    def cohort(self, reference: str) -> Cohort | None:
        wanted = reference.strip().casefold()
        matches = [c for c in self.cohorts if c.name.casefold() == wanted or str(c.id) == wanted]
        return matches[0] if len(matches) == 1 else None


def plan_import(text: str, actor: User, max_rows: int) -> ImportPlan:
    """Check every line of the file and say what importing it would do; nothing is written."""
    plan = ImportPlan()
    rows = list(_reader(text))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        plan.errors.append((1, _("Le fichier est vide.")))
        return plan
    header = [cell.strip().lower() for cell in rows[0]]
    # Spreadsheets often end the header with a delimiter: trailing empty columns are ignored.
    while header and not header[-1]:
        header.pop()
    numbers: set[str] = set()
    for position, name in enumerate(header, start=1):
        match = NUMBERED_COLUMN.match(name)
        if not name:
            plan.errors.append((1, _("La colonne %(n)d n'a pas de nom.", n=position)))
        elif match:
            numbers.add(match.group(2))
        elif name not in PLAIN_COLUMNS:
            plan.errors.append((1, _("Colonne inconnue : « %(name)s ».", name=name)))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            plan.errors.append((1, _("Colonne obligatoire absente : « %(name)s ».", name=name)))
    if plan.errors:
        return plan
    if len(rows) - 1 > max_rows:
        plan.errors.append((1, _("Le fichier dépasse %(n)d lignes : découpez-le.", n=max_rows)))
        return plan
    if len(rows) == 1:
        plan.errors.append((1, _("Le fichier ne contient aucune ligne de données.")))
        return plan

    line_numbers = _line_numbers(text)
    records = [dict(zip(header, [c.strip() for c in row], strict=False)) for row in rows[1:]]
    context = _Context(actor, {r.get("email", "").lower() for r in records if r.get("email")})
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        number = line_numbers[index + 1] if index + 1 < len(line_numbers) else index + 2
        errors = _check_line(record, number, sorted(numbers, key=int), context, seen, plan)
        plan.errors.extend((number, reason) for reason in errors)
    return plan


def _line_numbers(text: str) -> list[int]:
    """The file line on which each non-blank record starts (records may span lines)."""
    numbers = []
    reader = _reader(text)
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            numbers.append(start)
        start = reader.line_num + 1
    return numbers


def _check_line(record, number, numbers, context: _Context, seen, plan: ImportPlan) -> list[str]:
    errors: list[str] = []
    email = record.get("email", "").lower()
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        if email:
            errors.append(_("adresse électronique invalide (« %(value)s »)", value=email[:80]))
        else:
            errors.append(_("adresse électronique absente"))
    if email in seen:
        errors.append(_("adresse déjà présente ligne %(line)d", line=seen[email]))
    else:
        seen[email] = number
    existing = context.users.get(email)
    first, last = record.get("firstname", ""), record.get("lastname", "")
    if existing is None:
        if not first or not last:
            errors.append(_("prénom et nom sont obligatoires pour un nouveau compte"))
    elif not may_edit_user(context.actor, existing):
        errors.append(_("ce compte existe déjà et vous ne gérez pas ses inscriptions"))
    if len(first) > 100 or len(last) > 100:
        errors.append(_("prénom ou nom trop long (100 caractères au plus)"))
    locale = record.get("lang", "").lower() or "fr"
    if locale not in ("fr", "en"):
        errors.append(_("langue inconnue « %(value)s » (fr ou en)", value=locale[:10]))

    line = PlannedLine(number, email, first, last, locale, existing)
    learner_ateliers: dict[int, str] = {}
    for n in numbers:
        cohort_ref, role_ref = record.get(f"cohort{n}", ""), record.get(f"role{n}", "").lower()
        group = record.get(f"group{n}", "")
        if not cohort_ref:
            if role_ref or group:
                errors.append(_("role%(n)s ou group%(n)s sans cohort%(n)s", n=n))
            continue
        cohort = context.cohort(cohort_ref)
        if cohort is None or not may_manage_cohort(context.actor, cohort):
            errors.append(
                _("promotion inconnue ou que vous ne gérez pas : « %(value)s »", value=cohort_ref[:80])
            )
            continue
        role = ROLE_ALIASES.get(role_ref or "learner")
        if role is None:
            errors.append(
                _("rôle inconnu « %(value)s » (learner, tutor, lecturer, staff)", value=role_ref[:40])
            )
            continue
        if group:
            if role not in (Role.LEARNER, Role.TUTOR):
                errors.append(_("seuls les auditeurs et les tuteurs ont un atelier (group%(n)s)", n=n))
                continue
            if len(group) > 120:
                errors.append(_("nom d'atelier trop long (120 caractères au plus)"))
                continue
            if role == Role.LEARNER:
                current = context.learner_atelier.get((existing.id, cohort.id)) if existing else None
                clash = [
                    o
                    for o in (current, learner_ateliers.get(cohort.id))
                    if o and o.casefold() != group.casefold()
                ]
                if clash:
                    errors.append(_("déjà dans l'atelier « %(other)s » de cette promotion", other=clash[0]))
                    continue
                learner_ateliers[cohort.id] = group
            if (cohort.id, group.casefold()) not in context.ateliers:
                plan.new_ateliers.setdefault(cohort.name, {}).setdefault(group.casefold(), group)
        line.enrolments.append(PlannedEnrolment(cohort, role, group or None))
    if not errors:
        plan.lines.append(line)
    return errors


def apply_plan(plan: ImportPlan) -> tuple[list[User], list[Enrolment]]:
    """Write a valid plan in one transaction (flushed, not committed): new users, enrolments, ateliers."""
    from portal import people

    ateliers = {(a.cohort_id, a.name.casefold()): a for a in db.session.scalars(sa.select(Atelier)).all()}
    created: list[User] = []
    enrolments: list[Enrolment] = []
    for line in plan.lines:
        user = line.existing
        if user is None:
            user = people.create_user(line.email, line.first_name, line.last_name, locale=line.locale)
            created.append(user)
        for planned in line.enrolments:
            enrolment = people.enrol(user, planned.cohort, planned.role)
            if enrolment is not None:
                enrolments.append(enrolment)
            if planned.atelier_name:
                key = (planned.cohort.id, planned.atelier_name.casefold())
                if key not in ateliers:
                    ateliers[key] = Atelier(cohort=planned.cohort, name=planned.atelier_name)
                    db.session.add(ateliers[key])
                    db.session.flush()
                if db.session.get(AtelierMember, (ateliers[key].id, user.id)) is None:
                    people.add_to_atelier(ateliers[key], user, planned.role)
    return created, enrolments
