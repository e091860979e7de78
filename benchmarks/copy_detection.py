"""Copy detection time for a new document against a store of N synthetic documents (target: under 50 ms at 100,000).

Builds (or reuses) a store of N synthetic 250-word articles drawn from a Zipf-distributed vocabulary, one in 20 of
them a lightly edited copy of an earlier one, all written through ``Store.save`` (so signatures and LSH bands are
written as ``analyze`` writes them). Then, for new documents not in the store (half of them edited copies of stored
articles with another title and a promo line, half unrelated), times ``Store.find_copies``: signature, band look-up,
candidate signatures, estimate. Prints the p50/p95/max per document, the store's write time per document, and
whether every planted copy was found and no unrelated document matched.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/copy_detection.py --docs 100000 --db /tmp/copies-100k.db
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from narrascope.document import Document, Span
from narrascope.store import Store

WORDS = 250
VOCABULARY = 20_000
BATCH = 1000


def article(rng: np.random.Generator) -> str:
    """A synthetic article: Zipf-distributed words (common words shared by all, rare ones by few) in paragraphs."""
    ranks = np.minimum(rng.zipf(1.1, WORDS), VOCABULARY)
    words = [f"w{r}" for r in ranks]
    return "\n\n".join(" ".join(words[i:i + 50]) + "." for i in range(0, WORDS, 50))


def edited(text: str, rng: np.random.Generator, changes: int = 5) -> str:
    """``text`` with a few words replaced (a light edit)."""
    words = text.split(" ")
    for i in rng.choice(len(words), changes, replace=False):
        words[i] = f"edit{rng.integers(1_000_000)}"
    return " ".join(words)


def document(doc_id: str, text: str, title: str, promo: str | None = None) -> Document:
    """A segmented document: title and body, and a boilerplate promo when given."""
    full = text + (f"\n\n{promo}" if promo else "")
    doc = Document(full, id=doc_id, title=title, source=f"outlet-{sum(map(ord, doc_id)) % 50}")
    segments = [Span(0, len(text), "body")] + ([Span(len(text) + 2, len(full), "boilerplate")] if promo else [])
    doc.add_spans("segments", segments)
    return doc


def fill(store: Store, n: int, rng: np.random.Generator) -> tuple[list[str], float]:
    """Store ``n`` synthetic documents (one in 20 a light edit of an earlier one); returns their texts and the mean
    write time per document in ms."""
    texts: list[str] = []
    spent = 0.0
    for first in range(0, n, BATCH):
        batch = []
        for i in range(first, min(n, first + BATCH)):
            text = edited(texts[rng.integers(len(texts))], rng) if texts and i % 20 == 0 else article(rng)
            texts.append(text)
            batch.append(document(f"doc-{i}", text, f"Title {i}"))
        start = time.perf_counter()
        store.save(batch, pipeline_signature="copy-benchmark")
        spent += time.perf_counter() - start
        if (first // BATCH) % 10 == 9:
            print(f"  stored {first + len(batch):,}", flush=True)
    return texts, 1000 * spent / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", default=None, help="store to build or reuse (default: a new temporary SQLite file)")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    db = args.db or str(Path("/tmp") / f"narrascope-copies-{args.docs}.db")
    with Store(db) as store:
        stored = store.count(per_id=True)
        if stored not in (0, args.docs):
            raise SystemExit(f"{db} holds {stored:,} documents, not {args.docs:,}: give another --db")
        if stored == 0:
            texts, write_ms = fill(store, args.docs, rng)
            print(f"stored {args.docs:,} documents, {write_ms:.2f} ms per document to write (signature and bands "
                  f"included)")
        else:
            texts = [store.get(f"doc-{i}").text for i in range(args.docs)]
            print(f"reusing {db} ({stored:,} documents)")
        times, found, false_hits = [], 0, 0
        for q in range(args.queries):
            if q % 2 == 0:
                source = int(rng.integers(args.docs))
                doc = document(f"new-{q}", edited(texts[source], rng), "Another title", "Subscribe to our newsletter.")
            else:
                doc = document(f"new-{q}", article(rng), "Unrelated")
            start = time.perf_counter()
            copies = store.find_copies(doc)
            times.append(1000 * (time.perf_counter() - start))
            ids = {c["id"] for c in copies}
            if q % 2 == 0:
                found += f"doc-{source}" in ids
            else:
                false_hits += bool(ids)
    times.sort()
    print(f"find_copies with {args.docs:,} stored documents, {args.queries} new documents: "
          f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms, "
          f"max {times[-1]:.1f} ms")
    print(f"planted copies found: {found}/{(args.queries + 1) // 2}; unrelated documents with a match: {false_hits}")


if __name__ == "__main__":
    main()
