"""Corpus aggregates on both back-ends: documents per group, a real time axis, comparisons, and a cache that never
serves data older than the store's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from narrascope.document import Document, Label
from narrascope.review import correct
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import compare, compute_breakdown, label_breakdown, parse_side

WAR, CLIMATE = "URW: Amplifying war-related fears", "CC: Amplifying Climate Fears"


def doc(i: int, labels: list[str], source: str | None, published: date | None) -> Document:
    d = Document(f"Text {i}.", id=f"d{i}", source=source, language="en", published=published)
    d.cats["narratives"] = [Label(name, 0.9) for name in labels]
    return d


@pytest.fixture
def store(database_url):
    with Store(database_url) as s:
        s.save([doc(1, [WAR, CLIMATE], "a.example", date(2024, 1, 31)), doc(2, [WAR], "a.example", date(2024, 4, 2)),
                doc(3, [], "a.example", None), doc(4, [CLIMATE], "b.example", date(2024, 4, 9)),
                doc(5, [WAR], None, date(2024, 4, 10))], pipeline_signature="sig")
        yield s


def test_documents_not_labels_with_shares_of_each_group(store):
    data = label_breakdown(store)
    assert data["documents"] == 5 and data["undated"] == 1
    assert {r["outlet"]: r["documents"] for r in data["outlets"]} == {"a.example": 3, "b.example": 1, None: 1}
    assert {(r["outlet"], r["label"]): r["share"] for r in data["by_outlet"]}[("a.example", WAR)] == pytest.approx(2 / 3)
    assert data["pairs"] == [{"a": CLIMATE, "b": WAR, "documents": 1}]


def test_months_from_first_to_last_with_the_gaps(store):
    data = label_breakdown(store, period="month")
    assert [(p["period"], p["documents"]) for p in data["periods"]] == [
        ("2024-01-01", 1), ("2024-02-01", 0), ("2024-03-01", 0), ("2024-04-01", 3)]
    by_outlet = label_breakdown(store, period="month", stack="outlet")["over_time"]
    assert {(r["period"], r["group"]): r["documents"] for r in by_outlet} == {
        ("2024-01-01", "a.example"): 1, ("2024-04-01", "a.example"): 1, ("2024-04-01", "b.example"): 1,
        ("2024-04-01", None): 1}


def test_compare_sides(store):
    result = compare(store, None, "outlet:a.example", "2024-04")
    assert (result["a"]["documents"], result["b"]["documents"]) == (3, 3)
    war = next(r for r in result["rows"] if r["label"] == WAR)
    assert (war["a_documents"], war["b_documents"]) == (2, 2) and war["difference"] == 0.0
    assert parse_side("2024-02..") == {"since": date(2024, 2, 1), "until": None}
    assert parse_side("..2024") == {"since": None, "until": date(2024, 12, 31)}
    for bad in ("outlet:", "2024-13", "someday", "2024-05..2024-01", ".."):
        with pytest.raises(ValueError):
            parse_side(bad)


def test_cached_views_follow_every_write(store):
    assert label_breakdown(store)["documents"] == 5
    store.save([doc(6, [WAR], "c.example", date(2024, 5, 1))], pipeline_signature="sig")
    assert label_breakdown(store)["documents"] == 6
    with store.engine.begin() as conn:  # metadata changed without re-analysis, by any writer
        conn.execute(text("UPDATE documents SET source = 'renamed.example' WHERE id = 'd6'"))
    assert {r["outlet"] for r in label_breakdown(store)["outlets"]} >= {"renamed.example"}
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM documents WHERE id = 'd6'"))
    assert label_breakdown(store) == compute_breakdown(store) and label_breakdown(store)["documents"] == 5
    assert label_breakdown(store, DocumentFilter(outlet="a.example"))["documents"] == 3


def test_cached_views_follow_metadata_updates_and_corrections(store):
    assert {r["outlet"]: r["documents"] for r in label_breakdown(store)["outlets"]}["b.example"] == 1
    assert store.update_metadata({"d1": {"source": "b.example"}}) == {"d1"}  # `narrascope meta`: no re-analysis
    assert {r["outlet"]: r["documents"] for r in label_breakdown(store)["outlets"]}["b.example"] == 2
    assert {r["label"]: r["documents"] for r in label_breakdown(store)["labels"]}[WAR] == 3
    correct(store, "d2", "narratives", "reject", WAR, reviewer="ana")  # writes corrections only, not documents
    assert {r["label"]: r["documents"] for r in label_breakdown(store)["labels"]}[WAR] == 2
    assert label_breakdown(store) == compute_breakdown(store)
    assert {r["label"]: r["documents"] for r in label_breakdown(store, DocumentFilter(predicted=True))["labels"]}[WAR] == 3


def test_exact_reuploads_count_once_in_groups_and_shares(store):
    reupload = doc(1, [WAR, CLIMATE], "a.example", date(2024, 1, 31))
    reupload.id = "d1-again"  # the same text under another id
    store.save([reupload], pipeline_signature="sig")
    for flt in (DocumentFilter(), DocumentFilter(narrative=WAR)):
        data = compute_breakdown(store, flt)
        assert {r["outlet"]: r["documents"] for r in data["outlets"]}["a.example"] == 3
        assert {(r["outlet"], r["label"]): (r["documents"], r["share"]) for r in data["by_outlet"]}[
            ("a.example", WAR)] == (2, pytest.approx(2 / 3))
        assert {r["language"]: r["documents"] for r in data["languages"]} == {"en": 5}
    data = compute_breakdown(store)
    assert data["documents"] == 5 and data["pairs"] == [{"a": CLIMATE, "b": WAR, "documents": 1}]
    assert [(p["period"], p["documents"]) for p in data["periods"]][0] == ("2024-01-01", 1)
