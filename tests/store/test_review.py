"""Reviewers' corrections: stored apart from predictions, kept across re-analysis, and applied the same way by the
document view (Python) and the corpus views (SQL)."""

from __future__ import annotations

from datetime import date

import pytest

from narrascope.document import Document, Label, Span
from narrascope.review import ReviewError, correct, review_queue
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import label_breakdown

WAR = "URW: Amplifying war-related fears"
WAR_SUB = "URW: Amplifying war-related fears: By continuing the war we risk WWIII"
CLIMATE = "CC: Amplifying Climate Fears"
PRAISE = "URW: Praise of Russia"
TEXT = "NATO started the war. The climate is changing fast. Russia is praised here. Nothing else."


def make_doc(i: int, narratives: list[tuple[str, float]], *, entity_role: str = "Antagonist") -> Document:
    text = f"{TEXT} Document {i}."  # distinct texts: an exact re-upload would count once
    doc = Document(text, id=f"d{i}", title=f"T{i}", source="outlet-a" if i < 3 else "outlet-b", language="en",
                   published=date(2024, 1, 1 + i))
    first = Span(0, 21, "s")
    doc.cats["narratives"] = [Label(n, s, [first], {"display_threshold": 0.4}) for n, s in narratives]
    doc.cats["subnarratives"] = [Label(WAR_SUB, 0.6, [first])] if any(n == WAR for n, _ in narratives) else []
    doc.spans["entities"] = [Span(0, 4, entity_role, 0.7, {"entity": "NATO", "entity_id": "NATO",
                                                           "fine_roles": {"Instigator": 0.6}})]
    doc.spans["segments"] = [Span(0, len(text), "body")]
    doc.produced_by = {"narratives": {"analyser": "narratives", "version": "2"},
                       "subnarratives": {"analyser": "narratives", "version": "2"},
                       "entities": {"analyser": "entities", "version": "3"}}
    return doc


@pytest.fixture
def store(database_url):
    with Store(database_url) as s:
        s.save([make_doc(1, [(WAR, 0.9), (CLIMATE, 0.3)]), make_doc(2, [(CLIMATE, 0.35)]),
                make_doc(3, [(WAR, 0.7)], entity_role="Protagonist")], pipeline_signature="v1")
        yield s


def names(doc: Document, layer: str = "narratives") -> list[str]:
    return sorted(lab.name for lab in doc.cats.get(layer, []) if not lab.possible)


def test_accept_reject_add_in_document_and_corpus_views(store):
    c = correct(store, "d1", "narratives", "reject", WAR, reviewer="ana")
    assert c.replaced == {"label": WAR, "score": 0.9, "analyser": "narratives", "version": "2"}
    assert c.reviewer == "ana" and c.created_at is not None
    correct(store, "d1", "narratives", "accept", CLIMATE, reviewer="ana")  # was only possible
    correct(store, "d2", "narratives", "add", PRAISE, reviewer="ben")
    d1 = store.get("d1")
    assert names(d1) == [CLIMATE]
    assert d1.cats["narratives"][0].attrs["review"] == "reviewed"
    assert [lab.attrs["review"] for lab in store.get("d2").cats["narratives"]] == ["predicted", "reviewed"]
    assert names(store.get("d1", predicted=True)) == [WAR]
    assert "review" not in store.get("d3").cats["narratives"][0].attrs  # never reviewed: predictions as stored

    assert store.count(DocumentFilter(narrative=WAR)) == 1
    assert store.count(DocumentFilter(narrative=WAR, predicted=True)) == 2
    assert store.count(DocumentFilter(narrative=PRAISE)) == 1
    assert store.count(DocumentFilter(narrative=CLIMATE)) == 1  # d1 accepted; d2 still only possible
    counts = {r["label"]: r["documents"] for r in store.label_counts("narratives")}
    assert counts == {WAR: 1, CLIMATE: 1, PRAISE: 1}
    breakdown = {r["label"]: r["documents"] for r in label_breakdown(store, DocumentFilter())["labels"]}
    assert breakdown == counts
    assert {r["id"]: r["reviewed"] for r in store.list()} == {"d1": True, "d2": True, "d3": False}
    listed = {r["id"]: {n["name"]: n["reviewed"] for n in r["narratives"]} for r in store.list()}
    assert listed == {"d1": {CLIMATE: True}, "d2": {PRAISE: True}, "d3": {WAR: False}}
    # The SQL views and the document view agree on every document.
    for flt in (DocumentFilter(), DocumentFilter(possible=True), DocumentFilter(predicted=True)):
        for row in store.list(flt):
            doc = store.get(row["id"], predicted=flt.predicted)
            shown = sorted(lab.name for lab in doc.cats["narratives"] if flt.possible or not lab.possible)
            assert sorted(n["name"] for n in row["narratives"]) == shown


def test_later_correction_supersedes_and_history_is_kept(store):
    correct(store, "d1", "narratives", "accept", WAR)
    correct(store, "d1", "narratives", "reject", WAR)
    assert [c.action for c in store.corrections(["d1"])["d1"]] == ["reject"]
    assert [(c.action, c.current) for c in store.corrections(["d1"], history=True)["d1"]] == [("accept", False),
                                                                                              ("reject", True)]
    assert names(store.get("d1")) == []


def test_reanalysis_keeps_corrections(store):
    correct(store, "d1", "narratives", "reject", WAR)
    correct(store, "d1", "entities", "set-role", "NATO", role="Innocent", fine_roles=["Victim"])
    # A new model with other predictions replaces the annotations of the same text...
    store.save([make_doc(1, [(WAR, 0.95), (PRAISE, 0.8)])], pipeline_signature="v2")
    doc = store.get("d1")
    assert names(doc) == [PRAISE]
    assert doc.spans["entities"][0].label == "Innocent"
    assert len(store.corrections(["d1"])["d1"]) == 2
    # ...and an edited text too: label decisions stay, evidence offsets of the old text no longer apply.
    edited = make_doc(1, [(WAR, 0.95)])
    edited.text = TEXT + " Edited."
    store.save([edited], pipeline_signature="v2")
    assert names(store.get("d1")) == []


def test_evidence_corrections(store):
    correct(store, "d1", "evidence", "mark-evidence-wrong", WAR, start=0, end=21)
    assert store.get("d1").cats["narratives"][0].evidence == []
    correct(store, "d1", "evidence", "pick-evidence", WAR, start=22, end=51)
    war = store.get("d1").cats["narratives"][0]
    assert [(e.start, e.end) for e in war.evidence] == [(22, 51)]
    assert war.attrs["evidence_review"] == "reviewed"
    correct(store, "d1", "evidence", "mark-evidence-wrong", WAR, start=22, end=51)  # a picked span, taken back
    assert store.get("d1").cats["narratives"][0].evidence == []
    with pytest.raises(ReviewError, match="not inside the text"):
        correct(store, "d1", "evidence", "pick-evidence", WAR, start=5, end=5000)


def test_entity_role_in_document_and_aggregates(store):
    c = correct(store, "d1", "entities", "set-role", "NATO", role="Protagonist", fine_roles=["Guardian"])
    assert c.replaced["label"] == "Antagonist" and c.replaced["fine_roles"] == ["Instigator"]
    span = store.get("d1").spans["entities"][0]
    assert (span.label, span.attrs["fine_roles"], span.attrs["predicted_role"]) == ("Protagonist", ["Guardian"],
                                                                                   "Antagonist")
    roles = {(r["role"], r["documents"]) for r in store.entity_roles("NATO")}
    assert roles == {("Protagonist", 2), ("Antagonist", 1)}
    assert {(r["role"], r["documents"]) for r in store.entity_roles("NATO", DocumentFilter(predicted=True))} == {
        ("Protagonist", 1), ("Antagonist", 2)}
    assert store.count(DocumentFilter(entity="NATO", role="Protagonist")) == 2


@pytest.mark.parametrize("args, message", [
    (("nope", "narratives", "accept", WAR), "no document"),
    (("d1", "narratives", "set-role", WAR), "does not apply"),
    (("d1", "narratives", "add", "Not a narrative"), "not a narrative of the taxonomy"),
    (("d2", "narratives", "reject", WAR), "nothing to reject"),
    (("d1", "entities", "set-role", "Nobody"), "no entity"),
])
def test_bad_corrections_are_refused(store, args, message):
    with pytest.raises(ReviewError, match=message):
        correct(store, *args, role="Hero")


def test_bad_roles_are_refused(store):
    with pytest.raises(ReviewError, match="main role"):
        correct(store, "d1", "entities", "set-role", "NATO", role="Hero")
    with pytest.raises(ReviewError, match="not roles of a Protagonist"):
        correct(store, "d1", "entities", "set-role", "NATO", role="Protagonist", fine_roles=["Victim"])


def test_review_queue_puts_conflicts_and_weak_labels_first(store):
    doc = make_doc(4, [(CLIMATE, 0.8)])
    doc.cats["subnarratives"] = [Label(WAR_SUB, 0.6)]  # a sub-narrative without its narrative
    store.save([doc], pipeline_signature="v1")
    queue = review_queue(store)
    assert [i.id for i in queue] == ["d4", "d1", "d2", "d3"]
    assert queue[0].conflicts == [f"{WAR_SUB} without its narrative"]
    assert queue[1].possible == [CLIMATE]
    assert [i.id for i in review_queue(store, DocumentFilter(outlet="outlet-b"))] == ["d4", "d3"]
    for action, label in (("accept", WAR), ("reject", CLIMATE)):
        correct(store, "d1", "narratives", action, label)
    correct(store, "d1", "subnarratives", "accept", WAR_SUB)
    assert "d1" not in [i.id for i in review_queue(store)]
    assert review_queue(store, include_reviewed=True)[-1].state == "reviewed"
