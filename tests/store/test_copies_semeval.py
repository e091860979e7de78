"""The copy detector against the reference near-duplicate groups of the SemEval-2025 Task 10 training corpus
(``narrascope.semeval.splits.duplicate_groups``; 51 groups, 63 pairs), as measured by benchmarks/copy_threshold.py."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from narrascope.analysers.segmenter import segment
from narrascope.semeval import load_corpus
from narrascope.semeval.splits import duplicate_groups
from narrascope.store import Store

TRAIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "semeval2025-task10" / "train"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.slow,  # about 35 s: signatures of the whole training corpus
    pytest.mark.skipif(not TRAIN.is_dir(), reason=f"SemEval-2025 Task 10 data not found at {TRAIN} (../shared beside the repo)"),
]


def test_copies_agree_with_the_reference_groups(tmp_path):
    docs = []
    for item in load_corpus(TRAIN):
        doc = item.to_document()
        doc.meta["title_in_text"] = True
        doc.add_spans("segments", segment(doc))
        docs.append(doc)
    members = defaultdict(list)
    for doc_id, group in duplicate_groups({d.id: d.text for d in docs}).items():
        members[group].append(doc_id)
    reference = {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}
    with Store(str(tmp_path / "semeval.db")) as store:
        store.save(docs, pipeline_signature="test")
        found = set(store.copy_pairs())
    assert len(reference) == 63
    precision, recall = len(found & reference) / len(found), len(found & reference) / len(reference)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, sorted(found ^ reference))
