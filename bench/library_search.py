"""Library search benchmark (issue 6), separate from `make bench`: N monographs of about W French words, the
library search (top 10 with highlights and facet counts, as /library/ asks it) over a mixed query set against
SQLite FTS5 (unicode61 remove_diacritics 2) on the same corpus in the same run; p50/p95, index build time and
size, and the time until a new monograph is findable. Each query is timed the first time it runs (after other
queries warmed the searcher) and again (--rounds times), as when a result page or a facet is clicked.

    .venv/bin/python -m bench.library_search                  # 10,000 monographs of ~1,500 words
    .venv/bin/python -m bench.library_search --docs 1000      # a quick run
    .venv/bin/python -m bench.library_search --work DIR       # keep the indexes in DIR; reused next time
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from plugins.library.demo_texts import MONOGRAPHS
from plugins.library.indexing import FACETS
from plugins.library.lists import LEGAL_FORMS, SECTORS
from plugins.library.service import REGIONS
from portal.plugins import SearchDoc

THEMES = [
    "habitat", "alimentation", "circuits courts", "insertion", "éducation populaire", "culture", "santé",
    "énergie", "mobilité", "numérique", "ruralité", "handicap", "réemploi", "finance solidaire", "tourisme",
    "jeunesse", "vieillissement", "agriculture", "gouvernance", "égalité", "migrations", "sport", "médias",
    "artisanat", "commerce équitable", "eau", "forêt", "textile", "petite enfance", "logement d'urgence",
]  # fmt: skip


class Reader:
    """A learner enrolled nowhere: sees every document of visibility "all" (the library's public ones)."""

    is_authenticated = True
    is_admin = False
    id = 10**9


def vocabulary(rng: random.Random) -> list[str]:
    """French words of the demo monographs (the frequent head), then made-up rarer words (the long tail)."""
    words = []
    for monograph in MONOGRAPHS:
        for text in (monograph["title"], monograph["summary"], monograph["body"]):
            words += re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", text.lower())
    head = list(dict.fromkeys(words))
    syllables = ["co", "ra", "li", "tu", "ma", "ré", "pe", "sol", "dar", "té", "vi", "on", "ges", "mu", "tal"]
    tail = {"".join(rng.choices(syllables, k=rng.randint(3, 5))) for _ in range(60_000)}
    return head + sorted(tail - set(head))


def corpus(n: int, words: int, seed: int = 6):
    """n monographs as (title, body, facets, year), words drawn from a Zipf-like law."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    for i in range(n):
        body_words = rng.choices(vocab, cum_weights=weights, k=words)
        sentences = [" ".join(body_words[j : j + 15]).capitalize() + "." for j in range(0, words, 15)]
        title = " ".join(rng.choices(vocab[:2000], k=5)).capitalize()
        themes = tuple(sorted(set(rng.sample(THEMES, rng.randint(1, 3)))))
        year = rng.randint(1900, 2024)
        facets = {
            "legal_form": (rng.choice(LEGAL_FORMS),),
            "sector": (rng.choice(SECTORS),),
            "region": (rng.choice(REGIONS),),
            "theme": themes,
            "decade": (str(year // 10 * 10),),
        }
        yield i, title, "\n".join(sentences), facets, year


def document(i, title, body, facets, year) -> SearchDoc:
    """A published monograph as the library indexes it."""
    return SearchDoc(
        doc_id=f"library:monograph:{i}",
        plugin="library",
        kind="monograph",
        title=title,
        body=body,
        url=f"/library/m/{i}",
        updated_dt=datetime(2025, 1, 1, tzinfo=UTC),
        visibility="all",
        facets=facets,
        year=year,
    )


def query_set(docs: list, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query): rare words, common words, two- and three-word queries, phrases (20 each)."""
    counts: dict[str, int] = {}
    sample = docs[:: max(1, len(docs) // 200)]
    for _, _, body, _, _ in sample:
        for word in re.findall(r"[^\W\d_]+", body.lower()):
            counts[word] = counts.get(word, 0) + 1
    ranked = [w for w, _ in sorted(counts.items(), key=lambda item: -item[1]) if len(w) > 3]
    common, rare = ranked[10:200], [w for w in ranked if counts[w] == 1]
    queries = [("rare", w) for w in rng.sample(rare, 20)]
    queries += [("common", w) for w in rng.sample(common, 20)]
    queries += [("two words", " ".join(rng.sample(common, 2))) for _ in range(20)]
    queries += [("three words", " ".join(rng.sample(ranked[:2000], 3))) for _ in range(20)]
    for _ in range(20):
        words = re.findall(r"[^\W\d_]+", rng.choice(sample)[2])
        start = rng.randrange(len(words) - 3)
        queries.append(("phrase", '"' + " ".join(words[start : start + 2]) + '"'))
    return queries


def fts_query(text: str) -> str:
    """The same query in FTS5 syntax: words joined by OR (as the portal's parser does), phrases kept."""
    if text.startswith('"'):
        return text
    return " OR ".join(f'"{w}"' for w in text.split())


def timed(run, text: str) -> float:
    """Milliseconds run(text) took."""
    started = time.perf_counter()
    run(text)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def folder_size(path: Path) -> int:
    """Bytes of the files in a folder."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_whoosh(search, docs: list) -> float:
    """Rebuild the portal's index with the corpus; seconds taken."""
    started = time.perf_counter()
    for _ in search.rebuild(document(*d) for d in docs):
        pass
    return time.perf_counter() - started


def build_fts(path: Path, docs: list) -> float:
    """The reference FTS5 table and a facet table of the corpus; seconds taken."""
    started = time.perf_counter()
    fts = sqlite3.connect(path)
    fts.execute("CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
    fts.execute("CREATE TABLE facet (doc_id INTEGER, name TEXT, value TEXT)")
    fts.executemany(
        "INSERT INTO doc(rowid, title, body) VALUES (?, ?, ?)", ((i, t, b) for i, t, b, _, _ in docs)
    )
    fts.executemany(
        "INSERT INTO facet VALUES (?, ?, ?)",
        ((i, name, v) for i, _, _, facets, _ in docs for name, values in facets.items() for v in values),
    )
    fts.execute("CREATE INDEX facet_doc ON facet(doc_id)")
    fts.commit()
    fts.close()
    return time.perf_counter() - started


def main() -> None:
    """Build both indexes, time the queries, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=1_500)
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each query is measured again after its first run"
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="folder of a previous run with the same --docs and --words: its indexes are reused, not rebuilt",
    )
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app, search

    reuse = bool(args.work and (args.work / "fts.db").exists())
    work = args.work or Path(tempfile.mkdtemp(prefix="library-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "SECRET_KEY": "b" * 40,
            "DATABASE_URL": f"sqlite:///{work / 'portal.db'}",
            "INSTANCE_PATH": str(work),
            "PLUGINS": ["library"],
            "SERVER_NAME": None,
        }
    )
    started = time.perf_counter()
    docs = list(corpus(args.docs, args.words))
    print(
        f"corpus: {len(docs)} monographs of {args.words} words,"
        f" generated in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(7)
    queries = query_set(docs, rng)
    with app.app_context():
        upgrade(revision="heads")
        fts_path = work / "fts.db"
        if reuse:
            print(f"indexes reused from {work}")
        else:
            whoosh_build = build_whoosh(search, docs)
            fts_build = build_fts(fts_path, docs)
            print(
                f"index build: library (Whoosh) {whoosh_build:.1f} s,"
                f" {folder_size(search.index_path()) / 2**20:.1f} MiB;"
                f" FTS5 {fts_build:.1f} s, {fts_path.stat().st_size / 2**20:.1f} MiB"
            )
        fts = sqlite3.connect(fts_path)

        def run_whoosh(text: str) -> int:
            with app.test_request_context():
                found = search.search(Reader(), text, page_size=10, plugin="library", facet_names=FACETS)
                return found.total

        def run_fts(text: str) -> int:
            match = fts_query(text)
            hits = fts.execute(
                "SELECT rowid, title, snippet(doc, 1, '<mark>', '</mark>', ' … ', 24) FROM doc"
                " WHERE doc MATCH ? ORDER BY rank LIMIT 10",
                (match,),
            ).fetchall()
            fts.execute(
                "SELECT name, value, count(*) FROM facet"
                " WHERE doc_id IN (SELECT rowid FROM doc WHERE doc MATCH ?) GROUP BY name, value",
                (match,),
            ).fetchall()
            return len(hits)

        # Other queries first: they open the searcher and compute what every query shares (what the reader
        # may open, the library's documents, the facets' values); the measured queries are then each new
        # to the engine the first time they run (Whoosh's word sets are cached per index generation).
        for _, text in query_set(docs, random.Random(8))[::4]:
            run_whoosh(text)
            run_fts(text)
        timings: dict[str, dict[str, list[float]]] = {"first": {}, "repeated": {}, "fts5": {}}
        for kind, text in queries:
            timings["first"].setdefault(kind, []).append(timed(run_whoosh, text))
            timings["fts5"].setdefault(kind, []).append(timed(run_fts, text))
            for _ in range(args.rounds):
                timings["repeated"].setdefault(kind, []).append(timed(run_whoosh, text))

        # A new monograph, findable: from writing it to the index until a search finds it.
        fresh = document(10**8, "Monographie toute neuve", "Le zygopétale bleu pousse sur le toit", {}, 2025)
        started = time.perf_counter()
        search.apply_changes({fresh.doc_id: fresh})
        while run_whoosh("zygopétale") == 0:
            time.sleep(0.005)
        findable = time.perf_counter() - started
        search.apply_changes({fresh.doc_id: None})

    print(f"new monograph findable after {findable * 1000:.0f} ms")
    print(f"{'':<12} {'library, first time':>20} {'repeated':>16} {'FTS5':>16}")
    print(f"{'queries':<12} {'p50':>10} {'p95':>9} {'p50':>7} {'p95':>8} {'p50':>7} {'p95':>8}  (ms)")
    for kind in [*dict.fromkeys(k for k, _ in queries), "all"]:
        row = f"{kind:<12}"
        for engine in ("first", "repeated", "fts5"):
            values = timings[engine].get(kind) or list(itertools.chain(*timings[engine].values()))
            row += f" {statistics.median(values):>{10 if engine == 'first' else 7}.1f}"
            row += f" {percentile(values, 95):>{9 if engine == 'first' else 8}.1f}"
        print(row)
    print(f"work folder (delete it when done): {work}")


if __name__ == "__main__":
    main()
