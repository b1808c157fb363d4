"""The demo site: the ESS manager programme as the brochure describes it, with invented people."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from portal import people
from portal.dates import today as local_today
from portal.extensions import db
from portal.models import Atelier, Bloc, Cohort, Programme, ProgrammeCoordinator, Role, Seminar, SeminarKind
from portal.plugins import loaded_plugins

#: Every demo account shares this password; README lists the accounts.
DEMO_PASSWORD = "ess-demo-portail"  # noqa: S105 - public demo data

T, H, K, M, G = (
    SeminarKind.THEORETICAL,
    SeminarKind.THEMATIC,
    SeminarKind.TECHNICAL,
    SeminarKind.MONOGRAPHIC,
    SeminarKind.METHODOLOGICAL,
)

BLOCS = [
    (
        1,
        "Pilotage stratégique d'un organisme à vocation sociale ou culturelle en ESS",
        161,
        True,
        [
            ("L'économie sociale et solidaire : fondement et enjeux actuels", T),
            ("L'intervention sociale et les politiques publiques", T),
            ("Le cadre juridique du secteur sanitaire et social", K),
            ("L'insertion par l'économique", H),
            ("La qualité : préoccupations, outils et processus", K),
            ("Les politiques culturelles", H),
            ("L'approche socio-historique de l'éducation populaire", T),
            ("Les problématiques contemporaines de l'animation", H),
            ("Le développement territorial", H),
            ("Le droit des associations : régime juridique", K),
            ("La gouvernance associative", H),
        ],
    ),
    (
        2,
        "Gestion administrative, financière et logistique ; comptabilité et gestion de l'entreprise "
        "associative",
        70,
        True,
        [
            ("La gestion économique, financière et comptable", K),
            ("Négocier et gérer les relations contractuelles entre pouvoirs publics et associations", H),
            ("Le droit des associations : régime fiscal", K),
            ("Le financement de projets", K),
            ("Les nouvelles modalités de partenariats", H),
            ("Analyser les comptes annuels", K),
            ("Rédiger le budget prévisionnel", K),
        ],
    ),
    (
        3,
        "Coordination de l'activité d'une équipe RH (salariés, bénévoles, adhérents)",
        56,
        True,
        [
            ("L'éthique et la responsabilité du manager", T),
            ("Le droit du travail", K),
            ("Animer, mobiliser et valoriser une équipe de travail dans une démarche participative", H),
            ("Accompagner le changement au-delà des résistances", H),
            ("Comprendre les dynamiques de groupe dans une structure d'ESS", T),
            ("Manager par les compétences", K),
        ],
    ),
    (
        4,
        "Construction de l'innovation sociale et conduite de projet en ESS",
        224,
        True,
        [
            ("La méthodologie de la recherche-action", G),
            ("Théorie et pratique de l'autobiographie raisonnée", G),
            ("La découverte de projets remarquables", M),
            ("La méthodologie du projet : concevoir, outiller, évaluer", G),
            (
                "Comprendre les politiques publiques et l'action publique pour se situer "
                "en tant qu'acteur social et culturel",
                T,
            ),
            ("La posture de l'acteur-chercheur au cœur de l'innovation en ESS", T),
        ],
    ),
    (
        5,
        "Initiation à la vie coopérative : gouvernance, management, droit, gestion coopératives",
        35,
        False,
        [
            ("L'approche juridique et fiscale des sociétés coopératives", K),
            ("Les spécificités de la gestion et du modèle économique des coopératives", H),
            ("Management coopératif", H),
            ("Transformation d'une association en SCIC", M),
        ],
    ),
]

#: (email, first name, last name) of the accounts README lists, one per role.
NAMED_ACCOUNTS = {
    "admin": ("admin@example.org", "Camille", "Administratrice"),
    "coordinator": ("coordination@example.org", "Bernard", "Coordinateur"),
    "staff": ("equipe@example.org", "Hélène", "Rousseau"),
    "tutor": ("tuteur@example.org", "Marc", "Lefebvre"),
    "lecturer": ("intervenant@example.org", "Sophie", "Garnier"),
    "learner": ("auditrice@example.org", "Amina", "Benali"),
    "former": ("ancienne@example.org", "Véronique", "Aubert"),
}

LEARNERS = [
    ("Julien", "Moreau"),
    ("Claire", "Fontaine"),
    ("Yannick", "Le Gall"),
    ("Nadia", "Haddad"),
    ("Thomas", "Perrin"),
    ("Élodie", "Marchand"),
    ("Karim", "Bouzid"),
    ("Lucie", "Vasseur"),
    ("Olivier", "Dumas"),
    ("Fatou", "Diallo"),
    ("Pierre", "Lambert"),
    ("Sarah", "Cohen"),
    ("Mathieu", "Roux"),
    ("Inès", "Belkacem"),
    ("Antoine", "Girard"),
    ("Manon", "Blanchard"),
    ("Rachid", "Amrani"),
    ("Pauline", "Renaud"),
    ("Hugo", "Chevalier"),
    ("Aurélie", "Leroy"),
    ("Samuel", "Mercier"),
    ("Léa", "Caron"),
    ("Didier", "Faure"),
    ("Chloé", "Barbier"),
    ("Bruno", "Lemoine"),
    ("Mélanie", "Gauthier"),
    ("Vincent", "Robin"),
    ("Sylvie", "Colin"),
    ("Nicolas", "Picard"),
]
TUTORS = [("Isabelle", "Morel"), ("François", "Bertin"), ("Anne", "Joly")]
LECTURERS = [("Dominique", "Laurent"), ("Patrick", "Noël"), ("Catherine", "Roussel"), ("Éric", "Marty")]
STAFF = [("Laurence", "Dupuis")]
ATELIERS = [
    "Atelier A — Innovation sociale",
    "Atelier B — Culture et territoires",
    "Atelier C — Insertion et emploi",
    "Atelier D — Jeunesse et éducation populaire",
    "Atelier E — Santé et médico-social",
]
DIJON_LEARNERS = [
    ("Gilles", "Bourgeois"),
    ("Martine", "Perrot"),
    ("Laurent", "Jacquot"),
    ("Sonia", "Berthier"),
]
LILLE_LEARNERS = [
    ("Bastien", "Delattre"),
    ("Margot", "Vandamme"),
    ("Céline", "Dubrulle"),
    ("Jérôme", "Hennebert"),
    ("Agnès", "Lemaire"),
    ("Kevin", "Deroo"),
]


def _email(first: str, last: str) -> str:
    import unicodedata

    raw = f"{first}.{last}".lower().replace(" ", "-").replace("'", "")
    ascii_only = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    return f"{ascii_only}@example.org"


def _programme() -> Programme:
    programme = Programme(
        title="Manager d'organismes à vocation sociale et culturelle en économie sociale et solidaire (ESS)",
        rncp_code="RNCP 35080",
        level=7,
        hours=511,
        description=(
            "Diplôme créé en 1991 par le Cestes, centre d'économie sociale du Cnam. Deux ans, environ cinq "
            "jours tous les deux mois à distance : 434 h de séminaires et 77 h d'ateliers mémoire et de "
            "recherche-action."
        ),
    )
    for number, title, hours, certifying, seminars in BLOCS:
        bloc = Bloc(number=number, title=title, hours=hours, is_certifying=certifying)
        bloc.seminars = [Seminar(title=t, kind=k, position=i) for i, (t, k) in enumerate(seminars, start=1)]
        programme.blocs.append(bloc)
    db.session.add(programme)
    return programme


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _cohort(programme: Programme, centre: str, start: date, end: date) -> Cohort:
    return Cohort(
        programme=programme,
        name=f"{centre} {start.year}-{end.year}",
        centre=centre,
        start_date=start,
        end_date=end,
    )


def load_demo(today: date | None = None) -> str:
    """Fill an empty database with the demo site as of `today` (default: the real today) and commit; returns a
    one-line summary.

    Every date is placed relative to that day: a Paris promotion in its second year (started about fourteen
    months ago, ends in about ten), a Lille promotion that started two months ago, and a Dijon promotion that
    ended five months ago, whose learners keep only their archive.
    """
    today = today or local_today()
    programme = _programme()
    paris_start = _monday(today - timedelta(days=425))
    paris = _cohort(programme, "Paris", paris_start, _monday(today + timedelta(days=300)) + timedelta(days=4))
    lille_start = _monday(today - timedelta(days=60))
    lille = _cohort(programme, "Lille", lille_start, lille_start + timedelta(days=2 * 364 - 3))
    dijon_start = _monday(today - timedelta(days=880))
    dijon = _cohort(programme, "Dijon", dijon_start, _monday(today - timedelta(days=150)) + timedelta(days=4))
    db.session.add_all([paris, lille, dijon])
    db.session.flush()

    # One hash for the shared demo password: hashing it for each of the 60 accounts would take seconds.
    demo_hash = generate_password_hash(DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])

    def person(first: str, last: str, email: str | None = None):
        return people.create_user(email or _email(first, last), first, last, password_hash=demo_hash)

    named = {role: person(first, last, email) for role, (email, first, last) in NAMED_ACCOUNTS.items()}
    named["admin"].is_admin = True
    programme.coordinators.append(ProgrammeCoordinator(user=named["coordinator"]))
    learners = [named["learner"]] + [person(f, n) for f, n in LEARNERS]
    tutors = [named["tutor"]] + [person(f, n) for f, n in TUTORS]
    lecturers = [named["lecturer"]] + [person(f, n) for f, n in LECTURERS]
    staff = [named["staff"]] + [person(f, n) for f, n in STAFF]
    for group, role in (
        (learners, Role.LEARNER),
        (tutors, Role.TUTOR),
        (lecturers, Role.LECTURER),
        (staff, Role.STAFF),
    ):
        for user in group:
            people.enrol(user, paris, role)
    # The first tutor follows two ateliers, as happens when a promotion has fewer tutors than ateliers.
    atelier_tutors = [tutors[0], tutors[0], tutors[1], tutors[2], tutors[3]]
    for index, name in enumerate(ATELIERS):
        atelier = Atelier(cohort=paris, name=name)
        db.session.add(atelier)
        db.session.flush()
        people.add_to_atelier(atelier, atelier_tutors[index], Role.TUTOR)
        for learner in learners[index * 6 : (index + 1) * 6]:
            people.add_to_atelier(atelier, learner, Role.LEARNER)

    lille_staff = person("Nathalie", "Vermeulen")
    lille_tutor = person("Grégoire", "Desmet")
    people.enrol(lille_staff, lille, Role.STAFF)
    people.enrol(lille_tutor, lille, Role.TUTOR)
    lille_atelier = Atelier(cohort=lille, name="Atelier Nord")
    db.session.add(lille_atelier)
    db.session.flush()
    people.add_to_atelier(lille_atelier, lille_tutor, Role.TUTOR)
    for first, last in LILLE_LEARNERS:
        learner = person(first, last)
        people.enrol(learner, lille, Role.LEARNER)
        people.add_to_atelier(lille_atelier, learner, Role.LEARNER)

    # The Dijon promotion has ended: its staff and tutor (Paris's) still reach it, its learners their archive.
    people.enrol(named["staff"], dijon, Role.STAFF)
    people.enrol(tutors[1], dijon, Role.TUTOR)
    dijon_atelier = Atelier(cohort=dijon, name="Atelier Bourgogne")
    db.session.add(dijon_atelier)
    db.session.flush()
    people.add_to_atelier(dijon_atelier, tutors[1], Role.TUTOR)
    dijon_learners = [named["former"]] + [person(f, n) for f, n in DIJON_LEARNERS]
    for learner in dijon_learners:
        people.enrol(learner, dijon, Role.LEARNER)
        people.add_to_atelier(dijon_atelier, learner, Role.LEARNER)
    db.session.flush()
    demo = {
        "today": today,
        "programme": programme,
        "paris": paris,
        "lille": lille,
        "dijon": dijon,
        "cohorts": [paris, lille, dijon],
        "accounts": named,
        "lecturers": lecturers,
    }
    for plugin in loaded_plugins(current_app):
        plugin.load_demo(demo)
    db.session.commit()
    return (
        f"Demo loaded as of {today.isoformat()}: {programme.title} ({len(programme.blocs)} blocs), cohorts "
        f"{paris.name} ({len(learners)} learners, {len(ATELIERS)} ateliers), {lille.name} and {dijon.name} "
        "(ended)."
    )
