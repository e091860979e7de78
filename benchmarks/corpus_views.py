"""Latency of the corpus views and of search on a large synthetic store (issue 15: under 300 ms p50 at 100,000
documents on a 2-core machine).

Fills a store with synthetic analysed documents by inserting rows directly (no analysis: narratives, sub-narratives,
entity roles and techniques drawn at random, 40 outlets plus 10 % without one, five languages, three years of dates
with 5 % undated, texts from a Zipf-like vocabulary), the full-text index kept by the store's own triggers or index.
Then times, through the application in-process (routing, filters, aggregation, JSON or HTML), each request
``--repeat`` times with the view cache as a reload finds it ("warm": computed once since the data last changed)
and ``--cold`` times with the cache emptied first (the first request after a write), and prints p50 / p95.

    PYTHONPATH=src .venv/bin/python benchmarks/corpus_views.py --docs 100000 [--db FILE-or-URL] [--repeat 15] [--cold 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from narrascope.server import Settings, create_app
from narrascope.store import Store
from narrascope.store.aggregates import clear_cache
from narrascope.store.schema import AnnotationRow, DocumentRow
from narrascope.taxonomy import load_taxonomy

OUTLETS = [f"outlet-{i:02d}.example" for i in range(40)]
LANGUAGES = ["en", "bg", "hi", "pt", "ru"]
ENTITIES = ["NATO", "Ukraine", "Russia", "EU", "Zelensky", "Putin", "IPCC", "UN", "Biden", "Germany", "Poland"]
ROLES = ["Protagonist", "Antagonist", "Innocent"]
TECHNIQUES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Appeal_to_Fear-Prejudice", "Flag_Waving"]
COMMON = ("the government said that officials would meet again next week while analysts warned about rising costs "
          "and new pressure on the region as leaders disagreed over sanctions energy prices climate change and "
          "security").split()


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "sa", "do", "gu", "bri", "stan", "vel"]
    return COMMON + ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)]


def fill(store: Store, n: int, seed: int = 0, batch: int = 2000) -> None:
    """Insert ``n`` synthetic analysed documents and their annotation rows straight into the tables."""
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    narratives = taxonomy.narratives[:-1]
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few words everywhere, most rare
    now = datetime(2026, 12, 1)
    for first in range(0, n, batch):
        docs, annotations = [], []
        for i in range(first, min(n, first + batch)):
            title = " ".join(rng.choices(words, weights, k=7)).capitalize()
            body = ". ".join(" ".join(rng.choices(words, weights, k=rng.randint(8, 18))).capitalize()
                             for _ in range(rng.randint(5, 10))) + "."
            text = f"{title}\n\n{body}"
            doc_id = f"doc-{i:07d}"
            content = hashlib.sha256(text.encode()).hexdigest()[:32]
            docs.append({"id": doc_id, "content_hash": content, "title": title, "text": text,
                         "source": rng.choice(OUTLETS) if rng.random() > 0.1 else None, "url": None,
                         "published": date(2023, 1, 1) + timedelta(days=rng.randrange(1095)) if rng.random() > 0.05
                         else None,
                         "language": rng.choices(LANGUAGES, weights=[6, 1, 1, 1, 2])[0], "meta": {},
                         "analysis_key": f"{content}:synthetic", "produced_by": None, "run_id": None,
                         "analysed_at": now})
            for name in rng.sample(narratives, k=rng.choice([0, 1, 1, 2, 2, 3])):
                possible = rng.random() < 0.15
                annotations.append(_label(doc_id, "narratives", name, possible))
                annotations.append(_label(doc_id, "subnarratives", rng.choice(taxonomy.subnarratives_of(name)), possible))
            for name in rng.sample(ENTITIES, k=rng.randint(1, 4)):
                start = rng.randrange(len(title) + 2, len(text) - 10)
                annotations.append({"document_id": doc_id, "layer": "entities", "label": rng.choice(ROLES),
                                    "start": start, "end": start + 5, "score": 0.8, "entity": name, "attrs": None,
                                    "possible": False})
            for _ in range(2):
                start = rng.randrange(len(title) + 2, len(text) - 30)
                annotations.append({"document_id": doc_id, "layer": "techniques", "label": rng.choice(TECHNIQUES),
                                    "start": start, "end": start + 25, "score": 0.7, "entity": None, "attrs": None,
                                    "possible": False})
        with store.engine.begin() as connection:
            connection.execute(insert(DocumentRow), docs)
            connection.execute(insert(AnnotationRow), annotations)


def _label(doc_id: str, layer: str, name: str, possible: bool) -> dict:
    score = 0.3 if possible else 0.8
    return {"document_id": doc_id, "layer": layer, "label": name, "start": None, "end": None, "score": score,
            "entity": None, "attrs": {"display_threshold": 0.5, "evidence": []}, "possible": possible}


REQUESTS = [  # (name, path, query parameters)
    ("dashboard JSON, whole corpus", "/api/stats/dashboard", {}),
    ("dashboard JSON, one outlet", "/api/stats/dashboard", {"outlet": "outlet-07.example"}),
    ("dashboard JSON, one narrative", "/api/stats/dashboard", {"narrative": "URW: Discrediting Ukraine"}),
    ("dashboard JSON, per week by outlet", "/api/stats/dashboard", {"period": "week", "stack": "outlet"}),
    ("dashboard page (HTML, all charts)", "/", {}),
    ("compare two outlets (JSON)", "/api/stats/compare", {"a": "outlet:outlet-01.example", "b": "outlet:outlet-02.example"}),
    ("compare two years (page)", "/compare", {"a": "2023", "b": "2024"}),
    ("time view as CSV, per day", "/api/stats/views/time", {"period": "day", "format": "csv"}),
    ("search: one word, first page", "/api/documents", {"q": "sanctions"}),
    ("search: phrase OR word -exclusion", "/api/documents", {"q": '"climate change" OR security -energy'}),
    ("search + outlet + narrative", "/api/documents", {"q": "sanctions", "outlet": "outlet-03.example",
                                                       "narrative": "URW: Discrediting Ukraine"}),
    ("dashboard JSON for a search", "/api/stats/dashboard", {"q": '"climate change"'}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--db", help="reuse this store (SQLite file or postgresql:// URL; filled when empty)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or str(Path(tmp) / "views.db")
        with Store(url) as store:
            if store.count() == 0:
                start = time.perf_counter()
                fill(store, args.docs)
                print(f"filled {args.docs:,} documents in {time.perf_counter() - start:.0f} s")
            n_docs = store.count()
        results = []
        with TestClient(create_app(Settings(db_url=url))) as client:
            for name, path, params in REQUESTS:
                figures = {}
                for kind, repeat in (("cold", args.cold), ("warm", args.repeat)):
                    times = []
                    for _ in range(repeat):
                        if kind == "cold":
                            clear_cache()
                        start = time.perf_counter()
                        client.get(path, params=params).raise_for_status()
                        times.append(1000 * (time.perf_counter() - start))
                    times.sort()
                    figures[kind] = (statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])
                results.append({"request": name, "path": path, "params": params,
                                **{f"{kind}_{p}_ms": round(v) for kind, (p50, p95) in figures.items()
                                   for p, v in (("p50", p50), ("p95", p95))}})
                print(f"{name:38s} cold p50 {figures['cold'][0]:6.0f} p95 {figures['cold'][1]:6.0f} ms | "
                      f"warm p50 {figures['warm'][0]:5.0f} p95 {figures['warm'][1]:5.0f} ms")
    print(f"{n_docs:,} documents; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"documents": n_docs, "repeat": args.repeat, "cold": args.cold,
                                         "load_average": os.getloadavg()[0], "results": results}, indent=2))


if __name__ == "__main__":
    main()
