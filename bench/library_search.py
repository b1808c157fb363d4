"""Library search benchmark (issue 6), separate from `make bench`: N monographs of about W French words, the
library search (top 10 with highlights and facet counts, as /library/ asks it) over a mixed query set against
SQLite FTS5 (unicode61 remove_diacritics 2) on the same corpus in the same run; p50/p95, index build time and
size, and the time until a new monograph is findable.

    .venv/bin/python -m bench.library_search                  # 10,000 monographs of ~1,500 words
    .venv/bin/python -m bench.library_search --docs 1000      # a quick run
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


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def folder_size(path: Path) -> int:
    """Bytes of the files in a folder."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    """Build both indexes, time the queries, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=1_500)
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each query is measured (after a warm-up)"
    )
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app, search

    work = Path(tempfile.mkdtemp(prefix="library-bench-"))
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
        started = time.perf_counter()
        for _ in search.rebuild(document(*d) for d in docs):
            pass
        whoosh_build = time.perf_counter() - started
        whoosh_size = folder_size(search.index_path())

        fts_path = work / "fts.db"
        fts = sqlite3.connect(fts_path)
        started = time.perf_counter()
        fts.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
        )
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
        fts_build = time.perf_counter() - started
        fts_size = fts_path.stat().st_size

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

        timings: dict[str, dict[str, list[float]]] = {"library": {}, "fts5": {}}
        for engine, run in (("library", run_whoosh), ("fts5", run_fts)):
            for kind, text in queries:
                run(text)  # warm-up
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    run(text)
                    timings[engine].setdefault(kind, []).append((time.perf_counter() - started) * 1000)

        # A new monograph, findable: from writing it to the index until a search finds it.
        fresh = document(10**8, "Monographie toute neuve", "Le zygopétale bleu pousse sur le toit", {}, 2025)
        started = time.perf_counter()
        search.apply_changes({fresh.doc_id: fresh})
        while run_whoosh("zygopétale") == 0:
            time.sleep(0.005)
        findable = time.perf_counter() - started

    print(
        f"index build: library (Whoosh) {whoosh_build:.1f} s, {whoosh_size / 2**20:.1f} MiB;"
        f" FTS5 {fts_build:.1f} s, {fts_size / 2**20:.1f} MiB"
    )
    print(f"new monograph findable after {findable * 1000:.0f} ms")
    print(f"{'queries':<12} {'library p50':>12} {'p95':>8} {'FTS5 p50':>10} {'p95':>8}  (ms)")
    kinds = [k for k, _ in queries]
    for kind in [*dict.fromkeys(kinds), "all"]:
        lib = timings["library"].get(kind) or list(itertools.chain(*timings["library"].values()))
        ref = timings["fts5"].get(kind) or list(itertools.chain(*timings["fts5"].values()))
        print(
            f"{kind:<12} {statistics.median(lib):>12.1f} {percentile(lib, 95):>8.1f}"
            f" {statistics.median(ref):>10.1f} {percentile(ref, 95):>8.1f}"
        )
    print(f"work folder (delete it when done): {work}")


if __name__ == "__main__":
    main()
