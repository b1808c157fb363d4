"""Demo content: the Paris cohort's mémoire milestones and one writing per bloc, with the demo learner's work,
feedback and supervision log."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from werkzeug.datastructures import FileStorage

from plugins.memoire.dates import paris_to_utc
from plugins.memoire.models import (
    Assignment,
    AssignmentKind,
    Decision,
    DraftFile,
    Feedback,
    Level,
    LogEntry,
    LogKind,
    Submission,
    SubmissionStatus,
    Version,
    VersionFile,
)
from portal.extensions import db
from portal.storage import save_upload
from portal.textpdf import text_pdf

PDF, DOCX, ODT = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
)
WRITING_TYPES = ",".join((PDF, DOCX, ODT))


def _at(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return paris_to_utc(datetime(year, month, day, hour, 0))


MILESTONES = [
    (
        "Note d'intention",
        "Deux pages pour présenter votre projet professionnel, la question qui vous anime et l'organisation "
        "où vous l'inscrivez. Précisez le type de mémoire envisagé (analyse et diagnostic, ou transformation "
        "des pratiques et prospective).",
        _at(2021, 4, 9),
        _at(2021, 4, 30),
    ),
    (
        "Autobiographie raisonnée",
        "Retracez votre parcours éducatif et socioprofessionnel pour nommer ce que "
        "l'expérience vous a appris. "
        "Dix à quinze pages ; le texte reste confidentiel entre vous et votre responsable d'atelier.",
        _at(2021, 6, 18),
        _at(2021, 7, 9),
    ),
    (
        "Plan détaillé",
        "Le plan détaillé du mémoire : problématique, hypothèses, terrain, matériaux empiriques "
        "et théoriques, "
        "calendrier d'écriture. Les dépôts en retard restent possibles : prévenez votre responsable "
        "d'atelier.",
        _at(2021, 12, 10),
        None,
    ),
    (
        "Chapitres intermédiaires",
        "Au moins deux chapitres rédigés, avec la bibliographie à jour et les annexes techniques prévues "
        "(projet de statuts, budget prévisionnel, etc.).",
        _at(2022, 4, 15),
        _at(2022, 5, 13),
    ),
    (
        "Mémoire final",
        "Le mémoire complet, relu, avec sommaire, bibliographie et annexes. Il sera soutenu devant "
        "le jury en "
        "fin de formation.",
        _at(2022, 10, 28),
        _at(2022, 11, 10),
    ),
]
WRITING_DATES = {
    1: (_at(2021, 7, 2), _at(2021, 7, 16)),
    2: (_at(2021, 11, 19), _at(2021, 12, 3)),
    3: (_at(2022, 2, 18), _at(2022, 3, 4)),
    4: (_at(2022, 6, 24), _at(2022, 7, 8)),
}


def _pdf(name: str, text: str, user) -> object:
    return save_upload(
        FileStorage(io.BytesIO(text_pdf(text)), filename=name), "memoire", user, allowed_types=[PDF]
    )


def _version(submission, number: int, when: datetime, due: datetime, stored, text: str = "") -> Version:
    version = Version(
        submission=submission,
        number=number,
        text=text,
        submitted_dt=when,
        late_seconds=max(0, int((when - due).total_seconds())),
        statement=True,
        files=[VersionFile(stored=stored)] if stored is not None else [],
    )
    db.session.add(version)
    return version


def _feedback(version, tutor, levels, decision, mark, comment, released: datetime | None) -> None:
    db.session.add(
        Feedback(
            version=version,
            comment=comment,
            distanciation=levels[0],
            argumentation=levels[1],
            coherence=levels[2],
            pertinence=levels[3],
            decision=decision,
            mark=mark,
            author_id=tutor.id,
            released_dt=released,
            updated_dt=released or version.submitted_dt,
        )
    )


def load_demo(demo: dict) -> None:
    """Add the Paris cohort's assignments and the demo learner's work, in `portal demo`'s transaction."""
    paris = demo["cohorts"][0]
    learner, tutor = demo["accounts"]["learner"], demo["accounts"]["tutor"]
    assignments = {}
    for title, instructions, due, cutoff in MILESTONES:
        assignments[title] = Assignment(
            cohort_id=paris.id,
            kind=AssignmentKind.MILESTONE,
            title=title,
            instructions=instructions,
            due_dt=due,
            cutoff_dt=cutoff,
            allowed_types=WRITING_TYPES,
            max_files=3,
            max_size_mb=20,
            text_answer=title == "Note d'intention",
            statement_required=title in ("Mémoire final", "Chapitres intermédiaires"),
        )
    for bloc in demo["programme"].blocs:
        if not bloc.is_certifying or bloc.number not in WRITING_DATES:
            continue
        due, cutoff = WRITING_DATES[bloc.number]
        title = f"Écrit de contrôle continu — Bloc {bloc.number}"
        assignments[title] = Assignment(
            cohort_id=paris.id,
            kind=AssignmentKind.WRITING,
            bloc_id=bloc.id,
            title=title,
            instructions=(
                f"Un écrit de huit à dix pages qui mobilise les apports du bloc « {bloc.title} » "
                "pour analyser "
                "une situation de votre organisation. Citez vos sources."
            ),
            due_dt=due,
            cutoff_dt=cutoff,
            allowed_types=WRITING_TYPES,
            max_files=1,
            max_size_mb=20,
            statement_required=True,
        )
    db.session.add_all(assignments.values())
    db.session.flush()

    levels_ok = (Level.SATISFACTORY, Level.SATISFACTORY, Level.CONSOLIDATE, Level.VERY_SATISFACTORY)
    note = Submission(
        assignment=assignments["Note d'intention"],
        user=learner,
        status=SubmissionStatus.SUBMITTED,
        version_count=2,
        draft_text="Projet : ouvrir un tiers-lieu d'insertion dans le centre social que je coordonne.",
        updated_dt=_at(2021, 5, 3),
    )
    db.session.add(note)
    first = _pdf(
        "note-intention-v1.pdf",
        "Note d'intention. Je souhaite transformer l'accueil du centre social en tiers-lieu. "
        "La question : comment associer les habitants à la gouvernance ?",
        learner,
    )
    v1 = _version(
        note, 1, _at(2021, 4, 8, 21), MILESTONES[0][2], first, "Première version de ma note d'intention."
    )
    _feedback(
        v1,
        tutor,
        (Level.CONSOLIDATE, Level.CONSOLIDATE, Level.SATISFACTORY, Level.SATISFACTORY),
        Decision.REWORK,
        None,
        "Le projet est pertinent. **Précisez la question de recherche** et le terrain d'enquête.",
        _at(2021, 4, 14, 10),
    )
    second = _pdf(
        "note-intention-v2.pdf",
        "Note d'intention. Je souhaite transformer l'accueil du centre social en tiers-lieu d'insertion. "
        "Question : à quelles conditions la gouvernance partagée avec les habitants renforce-t-elle "
        "l'utilité sociale du centre ? Terrain : trois centres sociaux du 20e arrondissement.",
        learner,
    )
    v2 = _version(
        note, 2, _at(2021, 4, 28, 19), MILESTONES[0][2], second, "Version révisée après notre rencontre."
    )
    _feedback(
        v2,
        tutor,
        levels_ok,
        Decision.VALIDATED,
        Decimal("15.5"),
        "La question est désormais claire et le terrain réaliste. Vous pouvez passer à "
        "l'autobiographie raisonnée.",
        _at(2021, 5, 3, 9),
    )
    note.draft_files = [DraftFile(stored=second)]

    auto = Submission(
        assignment=assignments["Autobiographie raisonnée"],
        user=learner,
        status=SubmissionStatus.LOCKED,
        version_count=1,
        updated_dt=_at(2021, 6, 25),
    )
    db.session.add(auto)
    stored = _pdf(
        "autobiographie-raisonnee.pdf",
        "Autobiographie raisonnée. De l'animation socioculturelle à la coordination d'un centre social : "
        "ce que vingt ans d'éducation populaire m'ont appris sur la participation des habitants.",
        learner,
    )
    v = _version(auto, 1, _at(2021, 6, 17, 22), MILESTONES[1][2], stored)
    _feedback(
        v,
        tutor,
        (Level.VERY_SATISFACTORY, Level.SATISFACTORY, Level.SATISFACTORY, Level.VERY_SATISFACTORY),
        Decision.VALIDATED,
        Decimal("16"),
        "Un texte sincère et distancié. Les ruptures de parcours sont bien analysées.",
        _at(2021, 6, 25, 11),
    )
    auto.draft_files = [DraftFile(stored=stored)]

    writing = Submission(
        assignment=assignments["Écrit de contrôle continu — Bloc 1"],
        user=learner,
        status=SubmissionStatus.SUBMITTED,
        version_count=1,
        updated_dt=_at(2021, 7, 5),
    )
    db.session.add(writing)
    stored = _pdf(
        "ecrit-bloc-1.pdf",
        "Écrit du bloc 1. Le projet associatif du centre social face aux appels à projets : "
        "gouvernance, développement territorial et politiques publiques.",
        learner,
    )
    v = _version(writing, 1, _at(2021, 7, 4, 20), WRITING_DATES[1][0], stored)
    _feedback(v, tutor, levels_ok, Decision.VALIDATED, Decimal("14"), "Analyse solide ; à relire.", None)
    writing.draft_files = [DraftFile(stored=stored)]

    db.session.add_all(
        [
            LogEntry(
                cohort_id=paris.id,
                learner_id=learner.id,
                author_id=tutor.id,
                entry_date=date(2021, 3, 19),
                kind=LogKind.MEETING,
                text=(
                    "Premier entretien : le projet de tiers-lieu, les contraintes de temps, "
                    "le choix du terrain."
                ),
            ),
            LogEntry(
                cohort_id=paris.id,
                learner_id=learner.id,
                author_id=tutor.id,
                entry_date=date(2021, 5, 3),
                kind=LogKind.DECISION,
                text="Note d'intention validée ; terrain : trois centres sociaux du 20e arrondissement.",
            ),
            LogEntry(
                cohort_id=paris.id,
                learner_id=learner.id,
                author_id=learner.id,
                entry_date=date(2021, 10, 15),
                kind=LogKind.NEXT_STEPS,
                text="Entretiens avec les directions des trois centres avant le plan détaillé.",
            ),
        ]
    )
    db.session.flush()
