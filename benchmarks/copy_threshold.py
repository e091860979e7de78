"""Choose and check the copy threshold on the SemEval-2025 Task 10 training corpus (1,781 articles, 51 known groups).

The articles are segmented as ``analyze`` would, stored in a temporary SQLite store (signatures and LSH bands written
by ``Store.save``), and every copy pair the store finds is compared with the reference grouping
(``narrascope.semeval.splits.duplicate_groups``: exact Jaccard of word 5-grams of the whole text >= 0.6, transitive):
pair precision and recall. The threshold is chosen on the development part only (the packaged held-out split is left
out): the lowest one with the best F1, so that edited copies are kept when the data cannot tell; the held-out part is
then scored once at that threshold.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/copy_threshold.py ../shared/data/semeval2025-task10/train
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from narrascope.analysers.segmenter import segment
from narrascope.semeval.corpus import load_corpus
from narrascope.semeval.splits import duplicate_groups, packaged_split
from narrascope.store import Store
from narrascope.store.copies import COPY_JACCARD

THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 ... 0.90


def reference_pairs(texts: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs of documents in one reference near-duplicate group."""
    members = defaultdict(list)
    for doc_id, group in duplicate_groups(texts).items():
        members[group].append(doc_id)
    return {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}


def scores(found: set[tuple[str, str]], reference: set[tuple[str, str]]) -> tuple[float, float, float]:
    hit = len(found & reference)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(reference) if reference else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    docs = []
    for item in load_corpus(args.corpus):
        doc = item.to_document()
        doc.meta["title_in_text"] = True  # the SemEval layout: the first line is the title
        doc.add_spans("segments", segment(doc))
        docs.append(doc)
    heldout = packaged_split("semeval2025-task10")
    groups = duplicate_groups({d.id: d.text for d in docs})
    reference = reference_pairs({d.id: d.text for d in docs})
    print(f"{len(docs)} documents; reference: {len(reference)} pairs in "
          f"{len(set(groups.values())) - len(docs) + len({i for pair in reference for i in pair})} groups")
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "copies.db")) as store:
        store.save(docs, pipeline_signature="copy-threshold")
        pairs = store.copy_pairs(threshold=min(THRESHOLDS))

    def part(keep) -> tuple[set, set]:
        return ({p: s for p, s in pairs.items() if keep(p)}, {p for p in reference if keep(p)})

    development, dev_reference = part(lambda p: p[0] not in heldout and p[1] not in heldout)
    held, held_reference = part(lambda p: p[0] in heldout and p[1] in heldout)
    print(f"development: {len(dev_reference)} reference pairs; held-out: {len(held_reference)}")
    print("threshold  dev precision  dev recall  dev F1")
    best = None
    for threshold in THRESHOLDS:
        p, r, f = scores({pair for pair, s in development.items() if s >= threshold}, dev_reference)
        print(f"{threshold:9.2f}  {p:13.3f}  {r:10.3f}  {f:6.3f}")
        if best is None or f > best[1] + 1e-9:
            best = (threshold, f)
    chosen = best[0]
    print(f"chosen on development: {chosen:.2f} (COPY_JACCARD in narrascope.store.copies is {COPY_JACCARD})")
    for name, found, ref in (("held-out", held, held_reference), ("all", pairs, reference)):
        p, r, f = scores({pair for pair, s in found.items() if s >= COPY_JACCARD}, ref)
        print(f"{name} at {COPY_JACCARD}: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f} ({len(ref)} reference pairs)")
        missed = sorted(ref - {pair for pair, s in found.items() if s >= COPY_JACCARD})
        extra = sorted({pair for pair, s in found.items() if s >= COPY_JACCARD} - ref)
        if missed or extra:
            print(f"  missed {missed[:10]}\n  extra {[(a, b, round(found[a, b], 3)) for a, b in extra[:10]]}")


if __name__ == "__main__":
    main()
