"""Dashboard load time with 10,000 analysed documents in a SQLite store.

Fills a temporary store with synthetic analysed documents (narratives with evidence, sub-narratives, entity roles,
techniques, segments), starts the real server with uvicorn on 127.0.0.1, and times what a browser fetches when it
opens the dashboard: the HTML page (all charts are drawn server-side into it) plus its stylesheet and script,
and separately the JSON aggregate endpoint. Besides wall-clock time it reports the CPU time this process (server
and client together) spent per load, which stays meaningful when other jobs share the machine's cores.

    PYTHONPATH=src .venv/bin/python benchmarks/dashboard_load.py [--docs 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn

from narrascope.document import ENTITIES, NARRATIVES, SEGMENTS, SUBNARRATIVES, TECHNIQUES, Document, Label, Span
from narrascope.server import Settings, create_app
from narrascope.store import Store
from narrascope.taxonomy import load_taxonomy

OUTLETS = [f"outlet-{i:02d}.example" for i in range(40)]
LANGUAGES = ["en", "bg", "hi", "pt", "ru"]
ENTITY_NAMES = ["NATO", "Ukraine", "Russia", "the EU", "Zelensky", "Putin", "the IPCC", "Greta Thunberg", "the UN",
                "Biden", "Germany", "Poland", "Gazprom", "the WHO", "farmers", "Kyiv", "Moscow", "Brussels"]
ROLES = ["Protagonist", "Antagonist", "Innocent"]
TECHNIQUES_NAMES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Appeal_to_Fear-Prejudice", "Exaggeration-Minimisation",
                    "Flag_Waving", "Repetition", "Slogans"]
WORDS = ("the government said that officials would meet again next week while analysts warned about rising costs "
         "and new pressure on the region as leaders disagreed over sanctions energy prices and security").split()


def synthetic_document(i: int, rng: random.Random, taxonomy) -> Document:
    """One article-like document with every layer the dashboard aggregates."""
    narratives = taxonomy.narratives
    title = f"Report {i}: " + " ".join(rng.choices(WORDS, k=6))
    sentences = []
    for _ in range(rng.randint(6, 14)):
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        words.insert(rng.randrange(len(words)), rng.choice(ENTITY_NAMES))
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    body = " ".join(sentences)
    boilerplate = "Subscribe to our newsletter. All rights reserved."
    text = f"{title}\n\n{body}\n\n{boilerplate}"
    doc = Document(text=text, id=f"doc-{i:06d}", title=title, source=rng.choice(OUTLETS),
                   language=rng.choices(LANGUAGES, weights=[6, 1, 1, 1, 2])[0],
                   published=date(2023, 1, 1) + timedelta(days=rng.randrange(730)))
    body_start = len(title) + 2
    doc.spans[SEGMENTS] = [Span(0, len(title), "title"), Span(body_start, body_start + len(body), "body"),
                           Span(len(text) - len(boilerplate), len(text), "boilerplate")]
    offsets, pos = [], body_start
    for sentence in sentences:
        offsets.append(Span(pos, pos + len(sentence), "sentence"))
        pos += len(sentence) + 1
    chosen = rng.sample(narratives[:-1], k=rng.choice([0, 1, 1, 2, 2, 3]))
    doc.cats[NARRATIVES] = [Label(n, round(rng.uniform(0.5, 0.99), 3), rng.sample(offsets, k=2)) for n in chosen]
    doc.cats[SUBNARRATIVES] = [Label(rng.choice(taxonomy.subnarratives_of(n)), round(rng.uniform(0.4, 0.9), 3),
                                     rng.sample(offsets, k=1)) for n in chosen]
    entities = []
    for name in rng.sample(ENTITY_NAMES, k=rng.randint(1, 4)):
        at = text.find(name, body_start)
        if at >= 0:
            entities.append(Span(at, at + len(name), rng.choice(ROLES), 0.8, {"entity": name}))
    doc.spans[ENTITIES] = sorted(entities, key=lambda s: s.start)
    doc.spans[TECHNIQUES] = sorted((Span(s.start, min(s.start + 30, s.end), rng.choice(TECHNIQUES_NAMES), 0.7)
                                    for s in rng.sample(offsets, k=2)), key=lambda s: s.start)
    return doc


def fill_store(db_url: str, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    with Store(db_url) as store:
        batch = []
        for i in range(n):
            batch.append(synthetic_document(i, rng, taxonomy))
            if len(batch) == 500:
                store.save(batch, pipeline_signature="synthetic")
                batch = []
        store.save(batch, pipeline_signature="synthetic")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", help="reuse this SQLite file (filled when empty) instead of a temporary one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or str(Path(tmp) / "bench.db")
        with Store(db_url) as store:
            existing = store.count()
        if existing == 0:
            start = time.perf_counter()
            fill_store(db_url, args.docs)
            print(f"filled store with {args.docs:,} documents in {time.perf_counter() - start:.1f} s")
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_url=db_url)), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                n_docs = client.get("/api/documents", params={"limit": 1}).json()["total"]
                timings: dict[str, list[float]] = {"page": [], "api": []}
                cpu: dict[str, list[float]] = {"page": [], "api": []}
                for _ in range(args.repeat):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    page = client.get("/")
                    page.raise_for_status()
                    for asset in ("/static/style.css", "/static/app.js"):
                        client.get(asset).raise_for_status()
                    timings["page"].append(time.perf_counter() - start)
                    cpu["page"].append(time.process_time() - start_cpu)
                    start, start_cpu = time.perf_counter(), time.process_time()
                    client.get("/api/stats/dashboard").raise_for_status()
                    timings["api"].append(time.perf_counter() - start)
                    cpu["api"].append(time.process_time() - start_cpu)
                assert page.text.count("<rect") > 20, "dashboard has no chart bars"
        finally:
            server.should_exit = True
            thread.join()
    print(f"documents in store: {n_docs:,}")
    for name, label in (("page", "dashboard page + assets"), ("api", "GET /api/stats/dashboard")):
        values = timings[name]
        print(f"{label}: first {values[0] * 1000:.0f} ms, median {statistics.median(values) * 1000:.0f} ms, "
              f"max {max(values) * 1000:.0f} ms over {len(values)} loads "
              f"(CPU time median {statistics.median(cpu[name]) * 1000:.0f} ms)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
