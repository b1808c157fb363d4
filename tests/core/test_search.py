"""The search index: French analysis, access filter, updates after commit, the page, reindex, concurrency."""

from __future__ import annotations

import multiprocessing
import re
import shutil
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from portal import search
from portal.extensions import db
from portal.models import AtelierMember, User
from portal.people import remove_from_atelier
from portal.plugins import SearchDoc
from tests import conftest
from tests.example_plugin.models import ExampleNote

#: The link of each hit on /search/, whose URL is /t/<key> for the documents of these tests.
HIT_LINK = re.compile(r'<h2><a href="/t/([^"]+)">')
NO_RESULT = "Aucun document que vous pouvez consulter ne correspond"


def make_doc(key: str, title: str, body: str = "", **access) -> SearchDoc:
    """A document of the test plugin "t", at /t/<key>."""
    return SearchDoc(
        doc_id=f"t:{key}",
        plugin="t",
        kind="doc",
        title=title,
        body=body,
        url=f"/t/{key}",
        updated_dt=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        **access,
    )


def index_now(*docs: SearchDoc) -> None:
    search.apply_changes({doc.doc_id: doc for doc in docs})


def keys(user, text: str, **kwargs) -> set[str]:
    """The keys of the test documents the user finds (every page)."""
    found = search.search(user, text, page_size=500, **kwargs)
    assert found.total == len(found.hits)
    return {hit.doc_id.removeprefix("t:") for hit in found.hits}


def page(client, text: str, **params) -> str:
    response = client.get("/search/", query_string={"q": text, **params})
    assert response.status_code == 200, text[:80]
    return response.get_data(as_text=True)


def page_keys(client, text: str, **params) -> set[str]:
    return set(HIT_LINK.findall(page(client, text, **params)))


# -- French analysis ------------------------------------------------------------------------------------
@pytest.fixture
def french_docs(app):
    index_now(
        make_doc("coop-accent", "Une coopérative d'habitants", "La coopérative gère trois immeubles."),
        make_doc("coop-plain", "Cooperative housing", "cooperative written without accents"),
        make_doc("eco-plain", "Notes de cours", "economie sans accent"),
        make_doc("eco-accent", "L'Économie sociale", "Économie sociale et solidaire"),
        make_doc("garden", "Jardin", "Un jardin partagé au pied des immeubles."),
        make_doc("staff", "Équipe", "Les salariés et les bénévoles de l'association"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("coopératives", {"coop-accent", "coop-plain"}),
        ("COOPERATIVE", {"coop-accent", "coop-plain"}),
        ("coopérative", {"coop-accent", "coop-plain"}),
        ("Économie", {"eco-plain", "eco-accent"}),
        ("economie", {"eco-plain", "eco-accent"}),
        ("l'économie", {"eco-plain", "eco-accent"}),
        ("L’ÉCONOMIE", {"eco-plain", "eco-accent"}),
        ("économiques", {"eco-plain", "eco-accent"}),
        ("jardins", {"garden"}),
        ("partage", {"garden"}),
        ("salaries", {"staff"}),
        ("SALARIÉ", {"staff"}),
        ("benevole", {"staff"}),
        ("immeuble", {"coop-accent", "garden"}),
        ("les", set()),
        ("le la les de des", set()),
    ],
)
def test_french_analysis_folds_accents_case_elision_and_stems(world, french_docs, text, expected):
    assert keys(world.learner_b1, text) == expected


def test_query_syntax_phrase_or_and_exclusion(world):
    index_now(
        make_doc("p1", "Rapport", "L'économie sociale et solidaire en Bourgogne"),
        make_doc("p2", "Rapport", "Économie circulaire et action sociale"),
        make_doc("p3", "Rapport", "Habitat participatif"),
        make_doc("p4", "Rapport", "Jardin partagé"),
    )
    user = world.nobody
    assert keys(user, "économie sociale") == {"p1", "p2"}
    assert keys(user, '"économie sociale"') == {"p1"}
    assert keys(user, '"économie sociale et solidaire"') == {"p1"}
    assert keys(user, '"sociale économie"') == set()
    assert keys(user, "habitat OR jardin") == {"p3", "p4"}
    assert keys(user, "habitat AND jardin") == set()
    assert keys(user, "économie -circulaire") == {"p1"}
    assert keys(user, 'rapport -"action sociale" -jardin') == {"p1", "p3"}


# -- access ---------------------------------------------------------------------------------------------
def access_docs(w) -> list[SearchDoc]:
    """One document per way of being allowed (or not) to open it; every body says "rapport"."""
    a, b = w.cohort_a.id, w.cohort_b.id
    lookalike = int(f"{w.nobody.id}{w.nobody.id}")
    return [
        make_doc("all", "Pour tous", "rapport", visibility="all"),
        make_doc("all-b", "Pour tous, de B", "rapport", cohort_id=b, visibility="all"),
        make_doc("cohort-a", "Promotion A", "rapport", cohort_id=a, visibility="cohort"),
        make_doc("cohort-b", "Promotion B", "rapport", cohort_id=b, visibility="cohort"),
        make_doc(
            "atelier-a1", "A1", "rapport", cohort_id=a, atelier_id=w.atelier_a1.id, visibility="atelier"
        ),
        make_doc(
            "atelier-a2", "A2", "rapport", cohort_id=a, atelier_id=w.atelier_a2.id, visibility="atelier"
        ),
        make_doc(
            "atelier-b1", "B1", "rapport", cohort_id=b, atelier_id=w.atelier_b1.id, visibility="atelier"
        ),
        make_doc(
            "private-a1", "Privé", "rapport", cohort_id=a, owner_id=w.learner_a1.id, visibility="private"
        ),
        make_doc(
            "private-a1-tutor",
            "Privé, lu par le tuteur",
            "rapport",
            cohort_id=a,
            atelier_id=w.atelier_a1.id,
            owner_id=w.learner_a1.id,
            visibility="private",
            reader_ids=(w.tutor_a1.id,),
        ),
        make_doc(
            "private-b1-shared",
            "Privé de B, partagé",
            "rapport",
            cohort_id=b,
            owner_id=w.learner_b1.id,
            visibility="private",
            reader_ids=(w.learner_a2.id, w.lecturer_a.id),
        ),
        make_doc(
            "private-nobody", "Privé hors promotion", "rapport", owner_id=w.nobody.id, visibility="private"
        ),
        make_doc("private-orphan", "Privé sans auteur", "rapport", visibility="private"),
        make_doc("cohort-none", "Promotion absente", "rapport", owner_id=w.staff_b.id, visibility="cohort"),
        make_doc(
            "lookalike",
            "Identifiants voisins",
            "rapport",
            owner_id=int(f"{w.nobody.id}0"),
            visibility="private",
            reader_ids=(lookalike, int(f"1{w.nobody.id}")),
        ),
    ]


EVERYONE = {"all", "all-b"}
#: role -> what it may open among access_docs (the admin: everything)
MAY_OPEN = {
    "staff_a": EVERYONE | {"cohort-a", "atelier-a1", "atelier-a2", "private-a1", "private-a1-tutor"},
    "staff_b": EVERYONE | {"cohort-b", "atelier-b1", "private-b1-shared", "cohort-none"},
    "tutor_a1": EVERYONE | {"cohort-a", "atelier-a1", "private-a1-tutor"},
    "lecturer_a": EVERYONE | {"cohort-a", "private-b1-shared"},
    "learner_a1": EVERYONE | {"cohort-a", "atelier-a1", "private-a1", "private-a1-tutor"},
    "learner_a2": EVERYONE | {"cohort-a", "atelier-a2", "private-b1-shared"},
    "learner_b1": EVERYONE | {"cohort-b", "atelier-b1", "private-b1-shared"},
    "nobody": EVERYONE | {"private-nobody"},
}


def test_each_role_finds_exactly_what_it_may_open(world, login_as, app):
    docs = access_docs(world)
    index_now(*docs)
    app.config["SEARCH_PAGE_SIZE"] = 50
    expected = {"admin": {d.doc_id.removeprefix("t:") for d in docs}, **MAY_OPEN}
    for role, allowed in expected.items():
        user = getattr(world, role)
        assert keys(user, "rapport") == allowed, role
        assert page_keys(login_as(user), "rapport") == allowed, role
    assert keys(None, "rapport") == set()
    assert keys(world.admin, "rapport", plugin="other") == set()


def test_access_follows_membership_changes_at_query_time(world, login_as):
    index_now(*access_docs(world))
    learner = login_as(world.learner_a2)
    assert "atelier-a2" in page_keys(learner, "rapport")
    remove_from_atelier(db.session.get(AtelierMember, (world.atelier_a2.id, world.learner_a2.id)))
    assert page_keys(learner, "rapport") == MAY_OPEN["learner_a2"] - {"atelier-a2"}


def test_anonymous_visitor_is_sent_to_login(client, world):
    index_now(make_doc("all", "Pour tous", "rapport"))
    response = client.get("/search/?q=rapport")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# -- the page: snippets, escaping, odd queries, pagination, suggestions ---------------------------------
def test_snippets_mark_matches_and_escape_html(world, login_as):
    index_now(
        make_doc(
            "xss",
            "<script>alert('titre')</script> Coopératives",
            "<script>alert('corps')</script> Les coopératives <b>d'habitants</b> "
            "<img src=x onerror=alert(1)> et un faux <mark>surlignage</mark>.",
        ),
        make_doc("title-only", "Monographie <i>Emmaüs</i>", "<script>alert('début')</script> du corps"),
    )
    html = page(login_as(world.learner_a1), "coopérative")
    assert HIT_LINK.findall(html) == ["xss"]
    assert "<mark>coopératives</mark>" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>d&#39;" not in html
    assert "&lt;script&gt;alert(&#39;titre&#39;)&lt;/script&gt; Coopératives" in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    html = page(login_as(world.learner_a1), "surlignage")
    assert "&lt;mark&gt;<mark>surlignage</mark>&lt;/mark" in html and html.count("<mark>") == 1
    html = page(login_as(world.learner_a1), "monographie")
    assert HIT_LINK.findall(html) == ["title-only"]
    assert "Monographie &lt;i&gt;Emmaüs&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(&#39;début&#39;)&lt;/script&gt; du corps" in html
    assert "<script>alert" not in html and "<i>Emmaüs" not in html


@pytest.mark.parametrize(
    "text",
    [
        "le la les de",
        "de des du à au",
        "!!! ??? ...",
        "\"'()[]{}<>^~*:;,-+\\/",
        '"économie sociale',
        'économie "sociale',
        "(économie",
        "économie)",
        "title:",
        "url:rapport",
        "visibility:private",
        "updated:[2020 to]",
        "OR",
        "AND NOT",
        "-",
        "é" * 10_000,
        "économie " * 1_250,
        "<script>alert(1)</script>",
        "\x01\x02\x7f",
    ],
    ids=lambda text: text[:20],
)
def test_odd_queries_get_a_clear_answer(world, login_as, text):
    index_now(
        make_doc("eco", "L'économie sociale", "économie sociale et solidaire"),
        make_doc("secret", "Privé", "économie", owner_id=world.learner_b1.id, visibility="private"),
    )
    html = page(login_as(world.learner_a1), text)
    assert "secret" not in HIT_LINK.findall(html)
    assert re.search(r'<p role="status">\d+ résultats? pour « ', html), text[:80]
    if not HIT_LINK.findall(html):
        assert NO_RESULT in html
    assert "<script>alert" not in html


def test_stop_words_and_punctuation_find_nothing_and_long_queries_are_cut(world, login_as):
    index_now(make_doc("eco", "L'économie sociale", "Les coopératives de l'économie sociale"))
    learner = login_as(world.learner_a1)
    for text in ("le la les de", "!!! ???", '"', "l'"):
        html = page(learner, text)
        assert HIT_LINK.findall(html) == [] and NO_RESULT in html, text
    html = page(learner, "économie " * 1_250)
    assert HIT_LINK.findall(html) == ["eco"]
    value = re.search(r'id="search-q" name="q" value="([^"]*)"', html).group(1)
    assert len(value) <= search.MAX_QUERY_LENGTH


def test_pages_beyond_the_last_answer_404(world, login_as):
    index_now(*(make_doc(f"r{n:02d}", f"Rapport {n}", "rapport de stage") for n in range(25)))
    learner = login_as(world.learner_a1)
    seen: list[str] = []
    for number in (1, 2, 3):
        html = page(learner, "rapport", page=number)
        assert "25 résultats pour « rapport »" in html
        assert f"Page {number} sur 3" in html
        assert ("Page suivante" in html) == (number < 3)
        assert ("Page précédente" in html) == (number > 1)
        seen += HIT_LINK.findall(html)
    assert sorted(seen) == [f"r{n:02d}" for n in range(25)]
    last = HIT_LINK.findall(page(learner, "rapport", page=3))
    assert len(last) == 5
    for beyond in ("4", "99", str(10**30)):
        response = learner.get("/search/", query_string={"q": "rapport", "page": beyond})
        assert response.status_code == 404 and "Rapport" not in response.get_data(as_text=True), beyond
    for nonsense in ("0", "-3", "abc"):
        assert HIT_LINK.findall(page(learner, "rapport", page=nonsense)) == seen[:10], nonsense
    for before in ("0", "-3", "abc", ""):
        html = page(learner, "rapport", page=before)
        assert "Page 1 sur 3" in html and len(HIT_LINK.findall(html)) == 10, before


def test_a_misspelt_word_gets_a_suggestion_only_from_what_the_user_may_open(world, login_as):
    index_now(
        make_doc(
            "gov", "Gouvernance", "La gouvernance partagée des coopératives d'habitants", visibility="all"
        ),
        make_doc("garden", "Jardin", "Un jardin partagé", visibility="all"),
        make_doc(
            "secret",
            "Privé",
            "Un licenciement économique",
            cohort_id=world.cohort_b.id,
            owner_id=world.learner_b1.id,
            visibility="private",
        ),
    )
    learner = login_as(world.learner_a1)
    html = page(learner, "gouvernanse")
    assert HIT_LINK.findall(html) == [] and "Essayez plutôt" in html
    assert '<a href="/search/?q=gouvernance">gouvernance</a>' in html
    assert page_keys(learner, "gouvernance") == {"gov"}
    assert search.search(world.learner_a1, "cooperatvies habitants").suggestion is None  # "habitants" finds
    assert search.search(world.learner_a1, "cooperatvies").suggestion == "cooperatives"
    assert search.search(world.learner_a1, '"gouvernanse partagée"').suggestion == '"gouvernance partagée"'
    # Known words, merely not together, and words the index lacks: nothing to suggest.
    assert search.search(world.learner_a1, "gouvernance AND jardin").suggestion is None
    assert search.search(world.learner_a1, "xylophone").suggestion is None
    # A word of a document the user may not open is never suggested; its owner and the staff get it.
    assert "Essayez plutôt" not in page(learner, "licenciemant")
    assert search.search(world.learner_a1, "licenciemant").suggestion is None
    assert search.search(world.staff_a, "licenciemant").suggestion is None
    assert search.search(world.learner_b1, "licenciemant").suggestion == "licenciement"
    assert search.search(world.staff_b, "licenciemant").suggestion == "licenciement"


# -- updates after commit ---------------------------------------------------------------------------------
def test_index_later_waits_for_the_commit_and_a_rollback_drops_it(world):
    admin = world.admin
    db.session.commit()
    # Right after a commit (no transaction begun yet), and after some SQL: a rollback drops the change.
    search.index_later(make_doc("rolled-back", "Jardin", "jardin partagé"))
    db.session.rollback()
    db.session.commit()
    assert keys(admin, "jardin") == set()
    search.index_later(make_doc("rolled-back", "Jardin", "jardin partagé"))
    world.nobody.first_name = "Dominique"
    db.session.flush()
    assert keys(admin, "jardin") == set()
    db.session.rollback()
    db.session.commit()
    assert keys(admin, "jardin") == set() and world.nobody.first_name == "Nobody"

    search.index_later(make_doc("kept", "Jardin", "jardin partagé"))
    world.nobody.first_name = "Camille"
    db.session.flush()
    assert keys(admin, "jardin") == set()
    db.session.commit()
    assert keys(admin, "jardin") == {"kept"}

    search.index_later(make_doc("kept", "Verger", "verger partagé"))
    db.session.commit()
    assert keys(admin, "jardin") == set() and keys(admin, "verger") == {"kept"}

    search.remove_later("t:kept")
    db.session.rollback()
    db.session.commit()
    assert keys(admin, "verger") == {"kept"}
    search.remove_later("t:kept")
    db.session.commit()
    assert keys(admin, "verger") == set()


def test_a_note_saved_through_a_page_is_found_right_away_by_those_allowed(world, login_as):
    learner = login_as(world.learner_a1)
    assert learner.post("/example/", data={"text": "Ressourcerie du quartier"}).status_code == 303
    html = page(learner, "ressourceries")
    assert "Ressourcerie du quartier" in html and "<mark>Ressourcerie</mark>" in html
    assert "Ressourcerie du quartier" in page(login_as(world.staff_a), "ressourcerie")
    for other in (world.learner_a2, world.tutor_a1, world.staff_b, world.nobody):
        assert "Ressourcerie" not in page(login_as(other), "ressourcerie"), other.email
    assert learner.post("/example/", data={"text": "  "}).status_code == 400


# -- reindex ------------------------------------------------------------------------------------------------
def test_reindex_rebuilds_the_index_from_every_plugin(app, world, login_as):
    learner = login_as(world.learner_a1)
    for text in ("Compost collectif", "Monnaie locale"):
        assert learner.post("/example/", data={"text": text}).status_code == 303
    index_now(make_doc("stale", "Compost disparu", "compost", visibility="all"))
    # A note written without the index being told.
    note = ExampleNote(user_id=world.learner_a1.id, text="Tontine solidaire", cohort_id=world.cohort_a.id)
    db.session.add(note)
    db.session.commit()
    assert all_doc_ids(world.admin) == {"t:stale"} | note_ids("Compost collectif", "Monnaie locale")

    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 document(s)." in result.output
    assert all_doc_ids(world.admin) == note_ids("Compost collectif", "Monnaie locale", "Tontine solidaire")
    assert page_keys(learner, "compost") == set() and "Tontine solidaire" in page(learner, "tontine")
    assert "Tontine solidaire" in page(login_as(world.staff_a), "tontine")
    assert "Tontine solidaire" not in page(login_as(world.learner_a2), "tontine")

    shutil.rmtree(Path(app.instance_path) / "search-index")
    assert all_doc_ids(world.admin) == set()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 3 document(s)." in result.output
    assert all_doc_ids(world.admin) == note_ids("Compost collectif", "Monnaie locale", "Tontine solidaire")


def note_ids(*texts: str) -> set[str]:
    notes = db.session.scalars(sa.select(ExampleNote).where(ExampleNote.text.in_(texts)))
    return {f"example:note:{note.id}" for note in notes}


def all_doc_ids(user) -> set[str]:
    """Every document of the index the user may open."""
    return {hit.doc_id for hit in search.search(user, "*", page_size=500).hits}


# -- several processes -----------------------------------------------------------------------------------
def _index_in_child(config: dict, worker: int, count: int, start, failures) -> None:
    """In a new process: build the app, wait for the others, then write `count` documents, one commit each."""
    try:
        from portal import create_app

        app = create_app(config)
        with app.app_context():
            # A barrier: the four begin together, on an index nobody created yet.
            start.wait(timeout=60)
            for n in range(count):
                doc = make_doc(
                    f"w{worker}-{n}", f"Écrit par le processus {worker}", f"concurrence numéro {n}"
                )
                search.apply_changes({doc.doc_id: doc})
    except BaseException:
        failures.put(f"worker {worker}: {traceback.format_exc()}")
        raise


def test_four_processes_indexing_at_once_lose_nothing(app, world, migrated_database, smtp_server):
    index_folder = Path(app.instance_path) / "search-index"
    assert not index_folder.exists()
    config = conftest.make_test_config(migrated_database, Path(app.instance_path), smtp_server[0].port)
    config["SEARCH_INDEX_PATH"] = str(index_folder)
    context = multiprocessing.get_context("spawn")
    start, failures = context.Barrier(4), context.Queue()
    workers = [
        context.Process(target=_index_in_child, args=(config, worker, 50, start, failures))
        for worker in range(4)
    ]
    for process in workers:
        process.start()
    # Meanwhile this process searches, as a web worker would: never an error, never a document lost.
    totals, deadline = [], time.monotonic() + 120
    while any(process.is_alive() for process in workers) and time.monotonic() < deadline:
        if index_folder.exists():
            totals.append(search.search(world.admin, "concurrence", page_size=500).total)
        time.sleep(0.05)
    for process in workers:
        process.join(timeout=120)
    assert totals == sorted(totals)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    found = search.search(world.admin, "concurrence", page_size=500)
    assert found.total == 200
    assert {hit.doc_id for hit in found.hits} == {f"t:w{w}-{n}" for w in range(4) for n in range(50)}


def test_a_document_outside_its_window_is_seen_only_by_its_owner_and_the_cohorts_staff(world):
    from datetime import timedelta

    now = datetime.now(UTC)
    common = {"visibility": "cohort", "cohort_id": world.cohort_a.id, "owner_id": world.lecturer_a.id}
    index_now(
        make_doc("open", "Fenêtre ouverte", visible_from=now - timedelta(days=1), **common),
        make_doc("later", "Fenêtre future", visible_from=now + timedelta(days=1), **common),
        make_doc("over", "Fenêtre passée", visible_until=now - timedelta(minutes=1), **common),
        make_doc("until", "Fenêtre jusqu'à demain", visible_until=now + timedelta(days=1), **common),
    )
    assert keys(world.learner_a1, "fenêtre") == {"open", "until"}
    assert keys(world.staff_a, "fenêtre") == {"open", "later", "over", "until"}
    assert keys(world.lecturer_a, "fenêtre") == {"open", "later", "over", "until"}
    assert keys(world.learner_b1, "fenêtre") == set()


def test_the_result_count_never_counts_what_the_user_may_not_open(world):
    docs = [
        make_doc(f"mine{n}", f"Compte rendu {n}", "budget", visibility="cohort", cohort_id=world.cohort_a.id)
        for n in range(3)
    ]
    docs += [
        make_doc(
            f"other{n}", f"Compte rendu B{n}", "budget", visibility="cohort", cohort_id=world.cohort_b.id
        )
        for n in range(7)
    ]
    index_now(*docs)
    for size in (1, 2, 3, 10):
        found = search.search(world.learner_a1, "budget", page_size=size)
        assert found.total == 3, size
        assert found.pages == -(-3 // size), size


# -- facets, year, similar, older indexes --------------------------------------------------------------
@pytest.fixture
def faceted_docs(world):
    common = {"visibility": "all"}
    index_now(
        make_doc(
            "scop-bzh",
            "Coopérative bretonne",
            "coopérative de menuiserie",
            year=1987,
            facets={"form": ("SCOP",), "region": ("Bretagne",), "theme": ("bois", "emploi")},
            **common,
        ),
        make_doc(
            "scic-bzh",
            "Coopérative d'habitants",
            "coopérative habitat partagé",
            year=2012,
            facets={"form": ("SCIC",), "region": ("Bretagne",), "theme": ("habitat",)},
            **common,
        ),
        make_doc(
            "scic-occ",
            "Habitat groupé",
            "coopérative et habitat",
            year=2005,
            facets={"form": ("SCIC",), "region": ("Occitanie",), "theme": ("habitat", "emploi")},
            **common,
        ),
        make_doc(
            "asso",
            "Association sans année",
            "coopérative informelle",
            facets={"form": ("association",), "region": ("Occitanie",)},
            **common,
        ),
        # Only its owner (learner_a1) and admins may open it.
        make_doc(
            "draft",
            "Brouillon coopératif",
            "coopérative secrète",
            year=2020,
            visibility="private",
            owner_id=world.learner_a1.id,
            facets={"form": ("SCOP",), "region": ("Normandie",), "theme": ("habitat",)},
        ),
    )


def test_facet_filters_are_and_across_facets_and_or_within_one(world, faceted_docs):
    user = world.learner_b1
    assert keys(user, "coopérative", filters={"region": ["Bretagne"]}) == {"scop-bzh", "scic-bzh"}
    assert keys(user, "coopérative", filters={"region": ["Bretagne"], "form": ["SCIC"]}) == {"scic-bzh"}
    assert keys(user, "coopérative", filters={"region": ["Bretagne", "Occitanie"], "form": ["SCIC"]}) == {
        "scic-bzh",
        "scic-occ",
    }
    assert keys(user, "coopérative", filters={"theme": ["habitat"]}) == {"scic-bzh", "scic-occ"}
    assert keys(user, "menuiserie", filters={"region": ["Occitanie"]}) == set()
    assert keys(user, "*", filters={"form": ["association"]}) == {"asso"}
    # An empty list of values filters nothing.
    assert len(keys(user, "coopérative", filters={"region": []})) == 4


def test_facet_counts_never_count_what_the_user_may_not_open(world, faceted_docs):
    found = search.search(world.learner_b1, "coopérative", facet_names=["form", "region", "theme"])
    assert found.total == 4
    assert found.facets["form"] == [("SCIC", 2), ("association", 1), ("SCOP", 1)]
    assert found.facets["region"] == [("Bretagne", 2), ("Occitanie", 2)]
    assert found.facets["theme"] == [("emploi", 2), ("habitat", 2), ("bois", 1)]
    owner = search.search(world.learner_a1, "coopérative", facet_names=["region"])
    assert owner.total == 5 and ("Normandie", 1) in owner.facets["region"]
    assert search.search(world.learner_b1, "secrète", facet_names=["region"]).facets == {"region": []}


def test_facet_counts_follow_the_query_and_the_other_facets_filters(world, faceted_docs):
    found = search.search(
        world.learner_b1, "habitat", filters={"region": ["Bretagne"]}, facet_names=["region", "form"]
    )
    assert {hit.doc_id for hit in found.hits} == {"t:scic-bzh"}
    # A facet is counted without its own filter, so that another region can still be added.
    assert found.facets["region"] == [("Bretagne", 1), ("Occitanie", 1)]
    assert found.facets["form"] == [("SCIC", 1)]
    assert found.hits[0].facets["theme"] == ("habitat",) and found.hits[0].year == 2012


def test_results_sort_by_relevance_or_year_with_undated_documents_last(world, faceted_docs):
    def order(sort):
        found = search.search(world.learner_b1, "coopérative", page_size=10, sort=sort)
        return [hit.doc_id.removeprefix("t:") for hit in found.hits]

    assert order("year_desc") == ["scic-bzh", "scic-occ", "scop-bzh", "asso"]
    assert order("year_asc") == ["scop-bzh", "scic-occ", "scic-bzh", "asso"]
    assert set(order("relevance")) == {"scop-bzh", "scic-bzh", "scic-occ", "asso"}
    assert [
        h.doc_id
        for h in search.search(world.learner_b1, "coopérative", page=2, page_size=3, sort="year_desc").hits
    ] == ["t:asso"]


def test_similar_documents_share_facet_values_and_respect_access(world, faceted_docs):
    def similar(user, key, names=("theme", "form")):
        return [hit.doc_id.removeprefix("t:") for hit in search.similar(user, f"t:{key}", names)]

    found = similar(world.learner_b1, "scic-bzh")
    assert set(found) == {"scic-occ"}  # shares habitat and SCIC; the private draft never shows
    assert set(similar(world.learner_a1, "scic-bzh")) == {"scic-occ", "draft"}
    assert set(similar(world.learner_b1, "scop-bzh")) == {"scic-occ"}  # theme emploi
    assert similar(world.learner_b1, "scop-bzh", names=("region",)) == ["scic-bzh"]
    assert similar(world.learner_b1, "missing") == []


def test_a_suggestion_is_made_under_the_facet_filters(world, faceted_docs):
    assert search.search(world.learner_b1, "menuiseries", filters={"region": ["Bretagne"]}).total == 1
    found = search.search(world.learner_b1, "menuisrie", filters={"region": ["Bretagne"]})
    assert found.total == 0 and found.suggestion == "menuiserie"
    assert search.search(world.learner_b1, "menuisrie", filters={"region": ["Occitanie"]}).suggestion is None


def test_a_query_without_words_says_so(world, faceted_docs):
    for text in ("le la les", "?!;,", '"'):
        found = search.search(world.learner_b1, text)
        assert found.total == 0 and found.no_words, text
    assert not search.search(world.learner_b1, "introuvable").no_words


def test_an_index_of_an_older_schema_is_recreated_empty_with_a_warning(app, world, caplog):
    from whoosh import fields, index

    path = search.index_path()
    path.mkdir(parents=True, exist_ok=True)
    old = search.build_schema()
    old.remove("facets")
    old.remove("year")
    ix = index.create_in(path, old)
    writer = ix.writer()
    writer.add_document(
        doc_id="t:old",
        plugin="t",
        kind="doc",
        title="Ancien",
        body="ancien index",
        url="/t/old",
        visibility="all",
    )
    writer.commit()
    assert "facets" not in index.open_dir(path).schema.names()

    with caplog.at_level("WARNING", logger="portal.search"):
        assert search.search(world.admin, "ancien").total == 0
    assert "portal reindex" in caplog.text
    assert isinstance(index.open_dir(path).schema["facets"], fields.KEYWORD)
    index_now(make_doc("new", "Nouveau", "nouvel index", facets={"region": ("Bretagne",)}))
    assert keys(world.admin, "nouvel", filters={"region": ["Bretagne"]}) == {"new"}


def test_db_upgrade_refills_an_index_recreated_from_an_older_schema(app, world):
    from whoosh import index

    note = ExampleNote(user_id=world.learner_a1.id, text="Tontine solidaire", cohort_id=world.cohort_a.id)
    db.session.add(note)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "rebuilding" not in runner.invoke(args=["db", "upgrade"]).output  # nothing to refill
    old = search.build_schema()
    old.remove("words")
    shutil.rmtree(search.index_path(), ignore_errors=True)
    search.index_path().mkdir(parents=True)
    index.create_in(search.index_path(), old)
    assert search.needs_refill()
    assert search.search(world.admin, "tontine").total == 0  # recreated empty on first use
    assert search.needs_refill()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "rebuilding it" in result.output and "Indexed 1 document(s)." in result.output
    assert not search.needs_refill()
    assert search.search(world.admin, "tontine").total == 1
    assert "rebuilding" not in runner.invoke(args=["db", "upgrade"]).output


def test_visibility_staff_is_seen_by_whoever_manages_a_cohort_only(world):
    index_now(make_doc("staff-only", "Note réservée", "réservée à l'équipe", visibility="staff"))
    assert keys(world.staff_a, "réservée") == {"staff-only"}
    assert keys(world.staff_b, "réservée") == {"staff-only"}
    assert keys(world.admin, "réservée") == {"staff-only"}
    for user in (world.learner_a1, world.tutor_a1, world.lecturer_a, world.nobody):
        assert keys(user, "réservée") == set(), user.email


def test_a_hyphenated_word_is_a_word_not_an_exclusion(world):
    index_now(
        make_doc("tiers", "Un tiers-lieu rural", "le tiers-lieu du village"),
        make_doc("lieu", "Un lieu", "un lieu et un tiers"),
    )
    assert keys(world.learner_b1, "tiers-lieu") == {"tiers"}
    assert keys(world.learner_b1, "tiers -lieu") == set()
    assert keys(world.learner_b1, "lieu -village") == {"lieu"}


# -- searchers kept open between queries ----------------------------------------------------------------
def test_a_window_opens_and_closes_on_time_while_the_index_does_not_change(world):
    """What a user may open is cached per index generation, but never past a document's window edge."""
    from datetime import timedelta

    start = datetime.now(UTC) + timedelta(seconds=1.5)
    common = {"visibility": "cohort", "cohort_id": world.cohort_a.id}
    index_now(
        make_doc("soon", "Séance bientôt", visible_from=start, **common),
        make_doc("ending", "Séance finissante", visible_until=start, **common),
    )
    assert keys(world.learner_a1, "séance") == {"ending"}
    assert keys(world.learner_a1, "séance") == {"ending"}  # the same, from the cache
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.05)
    assert keys(world.learner_a1, "séance") == {"soon"}


def test_threads_searching_at_once_each_get_the_right_answers(world):
    import threading

    index_now(*(make_doc(f"n{i}", f"Note {i}", f"budget mot{i}") for i in range(30)))
    app = current_app._get_current_object()
    # The test's User object belongs to the test's database session: each thread reads its own.
    user_id = world.nobody.id
    failures: list[str] = []

    def searcher(i: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            for _ in range(5):
                try:
                    assert keys(user, f"mot{i}") == {f"n{i}"}
                    assert search.search(user, "budget", page_size=5).total == 30
                except Exception:  # collected: an assertion in a thread would not fail the test
                    failures.append(traceback.format_exc())

    threads = [threading.Thread(target=searcher, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_removed_index_folder_is_created_again_on_the_next_search(world):
    index_now(make_doc("kept", "Note", "budget"))
    assert keys(world.nobody, "budget") == {"kept"}
    shutil.rmtree(search.index_path())
    assert keys(world.nobody, "budget") == set()
    index_now(make_doc("again", "Note", "budget"))
    assert keys(world.nobody, "budget") == {"again"}


def test_everything_lists_every_document_in_year_order_across_pages(world, faceted_docs):
    def listing(sort, page):
        found = search.search(world.learner_b1, "*", page=page, page_size=2, sort=sort)
        return found.total, [hit.doc_id.removeprefix("t:") for hit in found.hits]

    total, first = listing("year_desc", 1)
    _, second = listing("year_desc", 2)
    assert first + second == ["scic-bzh", "scic-occ", "scop-bzh", "asso"][: len(first + second)]
    assert total == search.search(world.learner_b1, "*", page_size=500).total
    assert listing("year_asc", 1)[1][0] == "scop-bzh"


def test_a_phrase_ranks_only_its_matches_and_marks_its_words(world):
    index_now(
        make_doc("phrase", "Rapport", "Le tiers secteur associatif emploie beaucoup."),
        make_doc("apart", "Rapport", "Le secteur public et le tiers payant."),
        make_doc("title", "Le tiers secteur", "Rapport annuel"),
    )
    found = search.search(world.nobody, '"tiers secteur" -annuel')
    assert [hit.doc_id for hit in found.hits] == ["t:phrase"] and found.total == 1
    assert "<mark>tiers</mark> <mark>secteur</mark>" in found.hits[0].snippet
    assert keys(world.nobody, '"tiers secteur"') == {"phrase", "title"}
    assert keys(world.nobody, '"secteur tiers"') == set()
    assert keys(world.nobody, 'rapport -"tiers secteur"') == {"apart"}
    # a phrase with a slop is left to Whoosh: "tiers" and "payant" are one word apart
    assert keys(world.nobody, '"tiers payant"~2') == {"apart"}
    assert keys(world.nobody, '"payant tiers"~3') == set()  # in order only
