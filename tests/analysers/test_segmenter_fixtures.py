"""Comment detection measured on hand-written pages (tests/fixtures/segmenter): plain-text and HTML threads in
common layouts, and hard negatives (articles with numbered or bulleted lists, quoted tweets). A predicted comment
segment is right when it starts and ends like a gold comment (user and timestamp lines belong to their comment).
Run with ``-s`` to see the per-file tables."""

import json
from pathlib import Path

import pytest

from narrascope.analysers.segmenter import segment
from narrascope.ingest import read_documents

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "segmenter"


def score(path: Path, gold: list[list[str]]) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of comment segments for one fixture."""
    [doc] = list(read_documents(path))
    predicted = [doc.quote(s) for s in segment(doc) if s.label == "comment"]
    matched = {i for i, text in enumerate(predicted)
               for prefix, suffix in gold if text.startswith(prefix) and text.endswith(suffix)}
    return len(matched), len(predicted) - len(matched), len(gold) - len(matched)


@pytest.mark.parametrize("gold_file", ["gold.json", "gold-unseen.json"])
def test_comment_detection_precision_and_recall_on_the_fixtures(gold_file):
    """gold.json: pages written alongside the rules; gold-unseen.json: pages written after them (first measured
    before any change: precision 0.556, recall 0.500; the misses were fixed since, so both sets are in-sample now)."""
    gold = json.loads((FIXTURES / gold_file).read_text(encoding="utf-8"))
    totals = [0, 0, 0]
    print(f"\n{gold_file}\n{'fixture':28} {'gold':>4} {'tp':>3} {'fp':>3} {'fn':>3}")
    for name, comments in gold.items():
        tp, fp, fn = score(FIXTURES / name, comments)
        print(f"{name:28} {len(comments):4} {tp:3} {fp:3} {fn:3}")
        totals = [t + x for t, x in zip(totals, (tp, fp, fn))]
        if not comments:
            assert fp == 0, f"{name}: an article without comments got comment segments"
    tp, fp, fn = totals
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"segment-level precision {precision:.3f}, recall {recall:.3f} ({tp + fn} gold comments, {len(gold)} files)")
    assert precision >= 0.9 and recall >= 0.9


def test_a_byline_and_dateline_fixture_gets_its_headline_as_title():
    [doc] = list(read_documents(FIXTURES / "byline-dateline.txt"))
    assert doc.title == "Grain prices climb after the corridor closes"
    assert [s.label for s in segment(doc)][:3] == ["boilerplate", "boilerplate", "title"]
