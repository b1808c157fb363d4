"""Fill an empty database with the reference data size (300 learners, 10 cohorts, 40 ateliers) or a scaled
copy of it, through the portal's own models and services."""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bench import plugin_data
from bench.plugin_data import Context

#: Every generated account shares this password (one hash, computed once).
BENCH_PASSWORD = "bench-ess-mot-de-passe-2024"  # noqa: S105 - throw-away benchmark data
#: The reference data size of the issue; --scale multiplies it.
REFERENCE = {"cohorts": 10, "learners": 300, "ateliers": 40, "lecturers": 16}
#: The ESS staff who run the site-wide pages of every cohort (staff in each of them).
COORDINATORS = 2
#: Staff of each cohort, besides the coordinators.
STAFF_PER_COHORT = 2
#: Cohorts a lecturer teaches in.
COHORTS_PER_LECTURER = 3

CENTRES = ["Paris", "Lille", "Dijon", "Guéret", "Angers", "Lyon", "Nantes", "Marseille", "Toulouse", "Rennes"]
FIRST_NAMES = [
    "Amina", "Julien", "Claire", "Yannick", "Nadia", "Thomas", "Élodie", "Karim", "Lucie", "Olivier",
    "Fatou", "Pierre", "Sarah", "Mathieu", "Inès", "Antoine", "Manon", "Rachid", "Pauline", "Hugo",
    "Aurélie", "Samuel", "Léa", "Didier", "Chloé", "Bruno", "Mélanie", "Vincent", "Sylvie", "Nicolas",
    "Gaëlle", "Loïc", "Maëlle", "Jérôme", "Agnès", "Kevin", "Céline", "Bastien", "Margot", "Hélène",
    "François", "Anne", "Isabelle", "Dominique", "Patrick", "Catherine", "Éric", "Laurence", "Zoé", "Noël",
]  # fmt: skip
LAST_NAMES = [
    "Moreau", "Fontaine", "Le Gall", "Haddad", "Perrin", "Marchand", "Bouzid", "Vasseur", "Dumas", "Diallo",
    "Lambert", "Cohen", "Roux", "Belkacem", "Girard", "Blanchard", "Amrani", "Renaud", "Chevalier", "Leroy",
    "Mercier", "Caron", "Faure", "Barbier", "Lemoine", "Gauthier", "Robin", "Colin", "Picard", "Benali",
    "Delattre", "Vandamme", "Dubrulle", "Hennebert", "Lemaire", "Deroo", "Morel", "Bertin", "Joly",
    "Laurent", "Garnier", "Roussel", "Marty", "Dupuis", "Rousseau", "Lefebvre", "N'Diaye", "Kerouac'h",
    "Nguyen", "Da Silva",
]  # fmt: skip
ATELIER_THEMES = [
    "Innovation sociale",
    "Culture et territoires",
    "Insertion et emploi",
    "Jeunesse et éducation populaire",
    "Santé et médico-social",
    "Habitat et transition écologique",
    "Coopératives et communs",
    "Solidarités internationales",
]


@dataclass
class Dataset:
    """What the generator wrote: the sizes and, per role, the accounts the runner logs in with."""

    scale: float
    password: str = BENCH_PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    #: role -> [{"email", "cohort_id", "atelier_id"}], interleaved over cohorts so that any prefix is spread
    accounts: dict[str, list[dict]] = field(default_factory=dict)


def sizes(scale: float) -> dict[str, int]:
    """The number of cohorts, learners, ateliers and lecturers for a scale (1.0 is the reference size)."""
    cohorts = max(1, round(REFERENCE["cohorts"] * scale))
    return {
        "cohorts": cohorts,
        "learners": max(6 * cohorts, round(REFERENCE["learners"] * scale)),
        "ateliers": max(cohorts, round(REFERENCE["ateliers"] * scale)),
        "lecturers": max(2, round(REFERENCE["lecturers"] * scale)),
    }


def _slug(text: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_only).strip("-")


def _spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` nearly equal whole numbers."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _interleave(groups: list[list[dict]]) -> list[dict]:
    out: list[dict] = []
    for rank in range(max((len(g) for g in groups), default=0)):
        out.extend(g[rank] for g in groups if rank < len(g))
    return out


def _account(user, cohort_id: int, atelier_id: int | None) -> dict:
    """An account as the runner sees it: its login and the cohort and atelier its pages are about."""
    return {"email": user.email, "id": user.id, "cohort_id": cohort_id, "atelier_id": atelier_id}


def generate(scale: float = 1.0, seed: int = 2024) -> Dataset:
    """Fill the (empty) database of the current app with the scaled reference data and commit."""
    import sqlalchemy as sa
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from portal import people
    from portal.dates import today
    from portal.demo import BLOCS
    from portal.extensions import db
    from portal.models import Atelier, Bloc, Cohort, Programme, Role, Seminar, User
    from portal.plugins import loaded_plugins

    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        raise RuntimeError("the database already has users: the generator fills an empty database only")
    rng = random.Random(seed)
    n = sizes(scale)
    dataset = Dataset(scale=scale)
    # One hash for everyone: scrypt takes tens of milliseconds, and there are hundreds of accounts.
    password_hash = generate_password_hash(BENCH_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])
    serial = 0

    def person(role: str, **fields) -> User:
        nonlocal serial
        serial += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{_slug(first)}.{_slug(last)}.{role}{serial:04d}@bench.example.org"
        return people.create_user(email, first, last, password_hash=password_hash, **fields)

    programme = Programme(
        title="Manager d'organismes à vocation sociale et culturelle en économie sociale et solidaire (ESS)",
        rncp_code="RNCP 35080",
        level=7,
        hours=511,
        description="Diplôme de niveau 7 : blocs de compétences, regroupements et ateliers mémoire.",
    )
    for number, title, hours, certifying, seminars in BLOCS:
        bloc = Bloc(number=number, title=title, hours=hours, is_certifying=certifying)
        bloc.seminars = [Seminar(title=t, kind=k, position=i) for i, (t, k) in enumerate(seminars, start=1)]
        programme.blocs.append(bloc)
    db.session.add(programme)

    cohorts = []
    for i in range(n["cohorts"]):
        # Every cohort runs today (started up to 20 months ago, two years long): its learners have access.
        start = today() - timedelta(days=30 * (1 + (i * 7) % 20))
        centre = CENTRES[i % len(CENTRES)]
        cohort = Cohort(
            programme=programme,
            name=f"{centre} {start.year}-{start.year + 2}"
            + (f" ({i // len(CENTRES) + 1})" if i >= len(CENTRES) else ""),
            centre=centre,
            start_date=start,
            end_date=start + timedelta(days=730),
        )
        cohorts.append(cohort)
    db.session.add_all(cohorts)
    db.session.flush()

    admin = person("admin", is_admin=True)
    by_role: dict[str, list[list[dict]]] = {r: [] for r in ("learner", "tutor", "staff", "coordinator")}
    coordinators = [person("coordinator") for _ in range(COORDINATORS)]
    lecturers = [person("lecturer") for _ in range(n["lecturers"])]
    for k, lecturer in enumerate(lecturers):
        for j in range(min(COHORTS_PER_LECTURER, len(cohorts))):
            people.enrol(lecturer, cohorts[(k + j) % len(cohorts)], Role.LECTURER)

    learner_counts = _spread(n["learners"], len(cohorts))
    atelier_counts = _spread(n["ateliers"], len(cohorts))
    first_atelier: dict[int, int] = {}
    for cohort, n_learners, n_ateliers in zip(cohorts, learner_counts, atelier_counts, strict=True):
        for coordinator in coordinators:
            people.enrol(coordinator, cohort, Role.STAFF)
        staff = [person("staff") for _ in range(STAFF_PER_COHORT)]
        for member in staff:
            people.enrol(member, cohort, Role.STAFF)
        # One tutor fewer than ateliers (at least one): the first tutor follows two ateliers, as often.
        tutors = [person("tutor") for _ in range(max(1, n_ateliers - 1))]
        for tutor in tutors:
            people.enrol(tutor, cohort, Role.TUTOR)
        learners = [person("learner") for _ in range(n_learners)]
        for learner in learners:
            people.enrol(learner, cohort, Role.LEARNER)
        themes = rng.sample(ATELIER_THEMES, k=min(n_ateliers, len(ATELIER_THEMES)))
        ateliers = []
        for a in range(n_ateliers):
            theme = themes[a % len(themes)]
            atelier = Atelier(cohort=cohort, name=f"Atelier {chr(65 + a)} — {theme}")
            db.session.add(atelier)
            db.session.flush()
            ateliers.append(atelier)
            people.add_to_atelier(atelier, tutors[a % len(tutors)], Role.TUTOR)
        first_atelier[cohort.id] = ateliers[0].id
        atelier_of: dict[int, int] = {}
        for index, learner in enumerate(learners):
            atelier = ateliers[index * n_ateliers // n_learners]
            people.add_to_atelier(atelier, learner, Role.LEARNER)
            atelier_of[learner.id] = atelier.id

        by_role["learner"].append([_account(u, cohort.id, atelier_of[u.id]) for u in learners])
        by_role["tutor"].append([_account(u, cohort.id, ateliers[k].id) for k, u in enumerate(tutors)])
        by_role["staff"].append([_account(u, cohort.id, ateliers[0].id) for u in staff])
    first = cohorts[0].id
    by_role["coordinator"].append([_account(u, first, first_atelier[first]) for u in coordinators])
    db.session.commit()

    dataset.accounts = {role: _interleave(groups) for role, groups in by_role.items()}
    dataset.accounts["lecturer"] = [
        _account(u, cohorts[k % len(cohorts)].id, None) for k, u in enumerate(lecturers)
    ]
    dataset.accounts["admin"] = [_account(admin, first, first_atelier[first])]
    for accounts in dataset.accounts.values():
        for account in accounts:
            account["programme_id"] = programme.id
    dataset.counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "cohorts": len(cohorts),
        "learners": n["learners"],
        "ateliers": n["ateliers"],
        "tutors": sum(len(g) for g in by_role["tutor"]),
        "staff": sum(len(g) for g in by_role["staff"]) + COORDINATORS,
        "lecturers": n["lecturers"],
    }
    context = Context(scale, rng, programme, cohorts, lecturers, dataset.accounts)
    enabled = {plugin.name for plugin in loaded_plugins(current_app)}
    for name, module in plugin_data.modules().items():
        if name in enabled:
            dataset.counts.update(module.fill(context))
    return dataset


def main(argv: list[str] | None = None) -> int:
    """Command line: fill the instance of PORTAL_INSTANCE_PATH (or --instance), write the accounts."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is the reference size (default)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--instance", type=Path, help="instance folder (default: PORTAL_INSTANCE_PATH)")
    parser.add_argument("--accounts", type=Path, help="write the accounts and sizes here as JSON")
    args = parser.parse_args(argv)

    from portal import create_app

    app = create_app({"INSTANCE_PATH": str(args.instance)} if args.instance else None)
    with app.app_context():
        try:
            dataset = generate(args.scale, args.seed)
        except RuntimeError as error:
            print(f"bench.generate: {error}", file=sys.stderr)
            return 1
    if args.accounts:
        args.accounts.write_text(json.dumps(dataset.__dict__, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"Generated scale {args.scale}: " + ", ".join(f"{v} {k}" for k, v in dataset.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
