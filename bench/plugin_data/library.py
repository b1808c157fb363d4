"""The library plugin's benchmark data: 2,000 published monographs of about 800 French words (100 on the small
dataset) of varied legal forms, sectors, regions, themes and years, a few waiting for review or sent back to
their authors; and its pages, for learners and staff."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bench.pages import Page

#: Common words of the monographs, as typed in the search box.
COMMON_WORDS = ("coopérative", "association", "habitants", "insertion")
#: Two words, searched with a region ticked.
TWO_WORDS = ("circuits courts", "gouvernance partagée", "épicerie solidaire", "tiers-lieu numérique")

PAGES = [
    Page(
        "library: search, a common word",
        "/library/?q={q}",
        ("learner", "staff"),
        budget_ms=None,
        params=COMMON_WORDS,
        plugin="library",
    ),
    Page(
        "library: search, two words and a region",
        "/library/?q={q}&region=Bretagne",
        ("learner", "staff"),
        budget_ms=None,
        params=TWO_WORDS,
        plugin="library",
    ),
    Page("library: browse (no words)", "/library/", ("learner", "staff"), budget_ms=None, plugin="library"),
    Page(
        "library: monograph with similar ones",
        "/library/m/{library_monograph_id}",
        ("learner", "staff"),
        plugin="library",
    ),
    Page("library: staff review", "/library/review", ("staff",), plugin="library"),
]

#: Published monographs: the issue's 2,000 at reference size.
SIZES = {"reference": 2000, "small": 100}
#: Words of a monograph's text, about.
WORDS = 800
#: Submitted monographs (the review queue) and drafts sent back to the first learners.
WAITING = {"reference": 12, "small": 3}
SENT_BACK = 4
#: The share of published monographs for staff only.
STAFF_ONLY = 0.05

THEMES = [
    "habitat", "coopérative d'habitants", "gouvernance partagée", "gouvernance démocratique", "insertion",
    "emploi", "circuits courts", "alimentation", "précarité alimentaire", "agriculture", "culture",
    "éducation populaire", "numérique", "tiers-lieu", "réemploi", "économie circulaire", "énergie",
    "transition écologique", "santé", "handicap", "travail protégé", "mobilité", "jeunesse", "vieillissement",
    "migrations", "ruralité", "quartiers prioritaires", "épargne citoyenne", "finance solidaire", "mécénat",
    "bénévolat", "mutualisation", "entrepreneuriat collectif", "commerce équitable", "médias", "sport",
    "petite enfance", "éco-construction", "communs", "égalité femmes-hommes",
]  # fmt: skip
#: Mainland regions are the most common; a department and towns for each region.
PLACES = {
    "Auvergne-Rhône-Alpes": ("Rhône", ("Lyon", "Villeurbanne", "Vénissieux")),
    "Bourgogne-Franche-Comté": ("Côte-d'Or", ("Dijon", "Beaune", "Montbard")),
    "Bretagne": ("Finistère", ("Quimper", "Brest", "Morlaix", "Douarnenez")),
    "Centre-Val de Loire": ("Indre-et-Loire", ("Tours", "Amboise", "Chinon")),
    "Corse": ("Haute-Corse", ("Bastia", "Corte")),
    "Grand Est": ("Bas-Rhin", ("Strasbourg", "Sélestat", "Haguenau")),
    "Guadeloupe": ("Guadeloupe", ("Pointe-à-Pitre", "Basse-Terre")),
    "Guyane": ("Guyane", ("Cayenne", "Kourou")),
    "Hauts-de-France": ("Nord", ("Lille", "Roubaix", "Dunkerque", "Tourcoing")),
    "Île-de-France": ("Seine-Saint-Denis", ("Montreuil", "Saint-Denis", "Pantin", "Bobigny")),
    "La Réunion": ("La Réunion", ("Saint-Denis", "Saint-Pierre")),
    "Martinique": ("Martinique", ("Fort-de-France", "Le Lamentin")),
    "Mayotte": ("Mayotte", ("Mamoudzou",)),
    "Normandie": ("Calvados", ("Caen", "Lisieux", "Bayeux")),
    "Nouvelle-Aquitaine": ("Creuse", ("Guéret", "Aubusson", "La Souterraine")),
    "Occitanie": ("Haute-Garonne", ("Toulouse", "Colomiers", "Muret")),
    "Pays de la Loire": ("Maine-et-Loire", ("Angers", "Saumur", "Cholet")),
    "Provence-Alpes-Côte d'Azur": ("Bouches-du-Rhône", ("Marseille", "Aubagne", "Arles")),
}
OVERSEAS = {"Guadeloupe", "Guyane", "La Réunion", "Martinique", "Mayotte", "Corse"}
NAMES = [
    "La Ruche", "Le Grenier", "Les Jardins", "La Fabrique", "L'Atelier", "La Coopérative", "Le Relais",
    "La Maison", "Le Chantier", "La Passerelle", "Le Fil", "La Source", "Le Comptoir", "La Cordée",
    "L'Escale", "Le Moulin", "La Forge", "Le Potager", "La Navette", "Le Local",
]  # fmt: skip
QUALIFIERS = [
    "solidaire", "partagé", "des possibles", "citoyen", "du lien", "des savoirs", "coopératif", "commun",
    "d'à côté", "en transition", "des habitants", "ouvert",
]  # fmt: skip
SECTIONS = ("Origine du projet", "Fonctionnement", "Modèle économique", "Gouvernance", "Perspectives")


def _sentences() -> list[str]:
    """Real French sentences: the demo monographs' and the bench documents'."""
    from bench.bench_plugin.documents import SENTENCES
    from plugins.library.demo_texts import MONOGRAPHS

    prose = " ".join(m["summary"] + " " + re.sub(r"#+ [^\n]*", " ", m["body"]) for m in MONOGRAPHS)
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", prose) if len(s.split()) > 4]
    return found + SENTENCES


def _tail(sentences: list[str], rng) -> list[str]:
    """The words of those sentences in a random order: picked with a Zipf-like law, the last ones are rare."""
    words = sorted({w.lower() for s in sentences for w in re.findall(r"[^\W\d_]{5,}", s)})
    rng.shuffle(words)
    return words


class _Writer:
    """Makes up the text of monographs from real sentences and a long tail of rarer words."""

    def __init__(self, rng):
        self.rng = rng
        self.sentences = _sentences()
        self.words = _tail(self.sentences, rng)
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]

    def _made_up(self) -> str:
        picked = self.rng.choices(self.words, self.weights, k=self.rng.randint(6, 12))
        return "On retient aussi : " + ", ".join(picked) + "."

    def body(self, organisation: str, town: str) -> str:
        """About WORDS words of Markdown in sections; a third of the sentences are made up."""
        parts, count = [], 0
        target = self.rng.randint(WORDS - 150, WORDS + 150)
        for k, title in enumerate(SECTIONS):
            parts.append(f"## {title}")
            paragraph = [f"{organisation} agit à {town}." if k == 0 and town else organisation + "."]
            while count < target * (k + 1) / len(SECTIONS):
                sentence = self._made_up() if self.rng.random() < 0.33 else self.rng.choice(self.sentences)
                paragraph.append(sentence)
                count += len(sentence.split())
            parts.append(" ".join(paragraph))
        return "\n\n".join(parts)


def fill(context) -> dict[str, int]:
    """Add the monographs through the plugin's models; `portal reindex` (run after the generator, as for the
    core's documents) puts the published ones in the search index. Each account gets a monograph to open."""
    import sqlalchemy as sa

    from plugins.library.models import LegalForm, Monograph, MonographTheme, Sector, Status, Visibility
    from portal.extensions import db

    rng = context.rng
    size = "reference" if context.reference else "small"
    writer = _Writer(rng)
    # The lists are the ones the plugin's migration seeds.
    forms = list(db.session.scalars(sa.select(LegalForm).order_by(LegalForm.name)))
    sectors = list(db.session.scalars(sa.select(Sector).order_by(Sector.name)))
    regions = list(PLACES)
    region_weights = [1 if r in OVERSEAS else 6 for r in regions]
    authors = context.accounts["learner"]
    start = datetime(2019, 9, 1, 8, tzinfo=UTC)

    def monograph(n: int, status: Status, author: dict) -> Monograph:
        region = rng.choices(regions, region_weights)[0]
        department, towns = PLACES[region]
        town = rng.choice(towns)
        organisation = f"{rng.choice(NAMES)} {rng.choice(QUALIFIERS)}"
        legal_form = rng.choice(forms)
        # Mostly recent, some old (mutuals, foundations), a few unknown.
        year = None if rng.random() < 0.05 else max(1850, 2024 - int(rng.expovariate(1 / 22)))
        changed = start + timedelta(hours=37 * n)
        themes = rng.sample(THEMES, k=rng.randint(1, 3))
        return Monograph(
            title=f"{organisation} : {legal_form.name} à {town}",
            organisation=organisation,
            legal_form=legal_form,
            sector=rng.choice(sectors),
            region=region,
            department=department,
            town=town,
            year_founded=year,
            summary=rng.choice(writer.sentences),
            body=writer.body(organisation, town),
            source=f"Mémoire, promotion {rng.choice(('Paris', 'Lille', 'Dijon', 'Guéret', 'Angers'))} "
            f"{rng.randint(2019, 2025)}",
            authors=f"Auditeur·rice n° {author['id']}",
            status=status,
            visibility=Visibility.STAFF if rng.random() < STAFF_ONLY else Visibility.ALL,
            created_by_id=author["id"],
            created_dt=changed,
            updated_dt=changed,
            published_dt=changed if status == Status.PUBLISHED else None,
            themes=[MonographTheme(name=t) for t in themes],
        )

    published = [monograph(n, Status.PUBLISHED, rng.choice(authors)) for n in range(SIZES[size])]
    waiting = [monograph(n, Status.SUBMITTED, rng.choice(authors)) for n in range(WAITING[size])]
    sent_back = []
    for author in authors[:SENT_BACK]:
        draft = monograph(len(sent_back), Status.DRAFT, author)
        draft.review_comment = "Précisez le modèle économique et ajoutez les chiffres de l'emploi."
        sent_back.append(draft)
    db.session.add_all(published + waiting + sent_back)
    db.session.commit()
    # Every client opens its own monograph, one that everyone may read.
    readable = [m.id for m in published if m.visibility == Visibility.ALL]
    for accounts in context.accounts.values():
        for k, account in enumerate(accounts):
            account["library_monograph_id"] = readable[k % len(readable)]
    return {
        "library published monographs": len(published),
        "library words per monograph": round(sum(len(m.body.split()) for m in published) / len(published)),
    }
