"""French search documents made up from the generated data: deterministic, a few hundred at reference size."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

SENTENCES = [
    "L'économie sociale et solidaire regroupe associations, coopératives, mutuelles et fondations.",
    "La gouvernance associative repose sur l'assemblée générale, le conseil d'administration et le bureau.",
    "Le projet associatif donne le sens de l'action et guide les choix stratégiques de la structure.",
    "Les financements publics évoluent : la subvention recule au profit de la commande publique.",
    "Le budget prévisionnel doit être équilibré et présenté avec le plan de trésorerie.",
    "L'analyse des comptes annuels éclaire la situation financière et les fonds propres.",
    "La recherche-action associe les acteurs du terrain à la production de connaissances.",
    "Le mémoire s'appuie sur une question de départ, une problématique et des hypothèses.",
    "Les bénévoles, les salariés et les adhérents forment une communauté de travail singulière.",
    "Le management participatif suppose d'écouter, de déléguer et de reconnaître les compétences.",
    "La conduite du changement se heurte aux résistances qu'il faut comprendre plutôt que combattre.",
    "Le développement territorial mobilise les collectivités, les entreprises et les habitants.",
    "L'insertion par l'activité économique accompagne les personnes éloignées de l'emploi.",
    "Les politiques culturelles soutiennent la création, la diffusion et l'éducation artistique.",
    "L'éducation populaire vise l'émancipation des personnes et la transformation sociale.",
    "La société coopérative d'intérêt collectif associe salariés, usagers et collectivités.",
    "Le droit du travail encadre le contrat, la durée du travail et la représentation du personnel.",
    "La démarche qualité formalise les processus et mesure la satisfaction des usagers.",
    "Les partenariats avec les pouvoirs publics se négocient dans des conventions pluriannuelles.",
    "L'innovation sociale répond à des besoins mal satisfaits par le marché ou l'action publique.",
    "La monographie décrit une organisation remarquable, son histoire, ses acteurs et son modèle économique.",
    "L'autobiographie raisonnée aide chacun à relire son parcours professionnel et ses engagements.",
    "Le regroupement de cinq jours alterne séminaires, ateliers mémoire et travaux collectifs.",
    "Le tuteur relit les écrits intermédiaires et conseille sur la méthodologie de l'enquête.",
    "Les entretiens semi-directifs sont enregistrés, retranscrits puis analysés par thèmes.",
    "La fiscalité des associations dépend du caractère lucratif ou non de leurs activités.",
    "Le mécénat et le financement participatif complètent les ressources propres de l'association.",
    "La transition écologique interroge les pratiques des structures de l'économie sociale.",
    "Les tiers-lieux réunissent travail partagé, fabrication numérique et animation locale.",
    "Les mutuelles de santé défendent un modèle de protection sociale solidaire et non lucratif.",
    "L'évaluation de l'utilité sociale rend compte des effets de l'action au-delà des chiffres.",
    "La responsabilité du manager engage une éthique de la décision et de la relation.",
]
KINDS = {
    "outline": "Présentation du séminaire",
    "material": "Support de cours",
    "report": "Compte rendu d'atelier",
    "logbook": "Carnet de bord",
}


def _body(key: str, lead: str) -> str:
    rng = random.Random(zlib.crc32(key.encode()))
    return " ".join([lead, *rng.sample(SENTENCES, k=rng.randint(8, 18))])


def _when(day, key: str) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC) + timedelta(days=zlib.crc32(key.encode()) % 600)


def documents() -> Iterator:
    """Every bench document: four queries whatever the data size, then plain computation."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Atelier, Bloc, Cohort, Seminar, User
    from portal.plugins import SearchDoc

    def doc(key: str, kind: str, title: str, lead: str, day, **access) -> SearchDoc:
        return SearchDoc(
            doc_id=f"bench:{key}",
            plugin="bench",
            kind=kind,
            title=f"{KINDS[kind]} — {title}",
            body=_body(key, lead),
            url=f"/bench/upload#{key}",
            updated_dt=_when(day, key),
            **access,
        )

    seminars = db.session.execute(
        sa.select(Seminar.id, Seminar.title, Bloc.number).join(Bloc).order_by(Bloc.number, Seminar.position)
    ).all()
    cohorts = db.session.execute(sa.select(Cohort.id, Cohort.name, Cohort.start_date)).all()
    start = min((c.start_date for c in cohorts), default=datetime.now(UTC).date())
    for s in seminars:
        yield doc(f"outline:{s.id}", "outline", s.title, f"Bloc {s.number}. {s.title}.", start)
    for c in cohorts:
        for s in seminars:
            key = f"material:{c.id}:{s.id}"
            lead = f"{s.title}, promotion {c.name}."
            yield doc(
                key,
                "material",
                f"{s.title} ({c.name})",
                lead,
                c.start_date,
                cohort_id=c.id,
                visibility="cohort",
            )
    for a in db.session.execute(
        sa.select(Atelier.id, Atelier.name, Atelier.cohort_id, Cohort.start_date).join(Cohort)
    ):
        yield doc(
            f"report:{a.id}",
            "report",
            a.name,
            f"{a.name} : séance de travail.",
            a.start_date,
            cohort_id=a.cohort_id,
            atelier_id=a.id,
            visibility="atelier",
        )
    for u in db.session.execute(sa.select(User.id, User.first_name, User.last_name).where(~User.is_admin)):
        name = f"{u.first_name} {u.last_name}"
        yield doc(
            f"logbook:{u.id}",
            "logbook",
            name,
            f"Notes de {name}.",
            start,
            owner_id=u.id,
            visibility="private",
        )
