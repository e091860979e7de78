"""Re-published copies in the store (MinHash LSH, migration 0005) and exact re-uploads counted once, on SQLite and
PostgreSQL (``database_url``)."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, table

from narrascope.analysers.segmenter import segment
from narrascope.document import Document, Label, Span
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import compute_breakdown
from narrascope.store.copies import COPY_JACCARD, earliest_publication, estimated_jaccard, shingles, signature

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "copies" / "articles.jsonl"


def fixture_docs() -> dict[str, Document]:
    """The fixture articles, segmented: an original, a syndicated copy (another title, a promo and a copyright line,
    three words changed), an exact re-upload of the original under another id, and an unrelated article on the same
    subject."""
    docs = {}
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = Document(record["text"], id=record["id"], title=record["title"] or None, source=record["source"],
                       published=date.fromisoformat(record["date"]))
        doc.add_spans("segments", segment(doc))
        docs[doc.id] = doc
    return docs


@pytest.fixture
def store(database_url):
    with Store(database_url) as s:
        yield s


def test_syndicated_copy_and_reupload_are_found_and_the_unrelated_article_is_not(store):
    docs = fixture_docs()
    store.save(list(docs.values()), pipeline_signature="sig")
    found = {c["id"]: c for c in store.copies("varna-original")}
    assert set(found) == {"varna-syndicated", "varna-reupload"}
    assert found["varna-reupload"]["similarity"] == 1.0 and found["varna-reupload"]["exact"]
    assert COPY_JACCARD <= found["varna-syndicated"]["similarity"] < 1.0 and not found["varna-syndicated"]["exact"]
    assert found["varna-syndicated"]["outlet"] == "Coastal Courier" and found["varna-syndicated"]["published"] == "2024-05-15"
    assert store.copies("sunflower-harvest") == []
    assert store.copies("no-such-id") is None


def test_boilerplate_is_left_out_so_a_promo_does_not_hide_a_copy():
    docs = fixture_docs()
    original, copy = docs["varna-original"], docs["varna-syndicated"]
    promo = " ".join(f"Read also story number {i} in our daily digest of regional news." for i in range(60))
    padded = Document(copy.text + "\n\n" + promo, id="padded")
    padded.add_spans("segments", copy.spans["segments"] + [Span(len(copy.text) + 2, len(padded.text), "boilerplate")])
    assert estimated_jaccard(signature(original), signature(padded)) >= COPY_JACCARD
    whole = shingles(padded.text)
    article = shingles(original.content_text())
    assert len(article & whole) / len(article | whole) < COPY_JACCARD  # what the whole text would have said


def test_copies_follow_edits_and_deletions(store):
    docs = fixture_docs()
    store.save([docs["varna-original"], docs["varna-syndicated"]], pipeline_signature="sig")
    assert [c["id"] for c in store.copies("varna-original")] == ["varna-syndicated"]
    rewritten = Document(docs["sunflower-harvest"].text, id="varna-syndicated", source="Coastal Courier")
    store.save([rewritten], pipeline_signature="sig")  # the same id now holds another text
    assert store.copies("varna-original") == []


def test_a_new_document_finds_its_stored_copies_without_being_stored(store):
    docs = fixture_docs()
    store.save([docs["varna-original"], docs["sunflower-harvest"]], pipeline_signature="sig")
    assert [c["id"] for c in store.find_copies(docs["varna-syndicated"])] == ["varna-original"]
    assert store.count() == 2


def test_earliest_publication_is_the_first_dated_copy():
    doc = Document("x", id="late", source="B", published=date(2024, 5, 15))
    copies = [{"id": "first", "outlet": "A", "published": "2024-05-14"}, {"id": "undated", "outlet": "C", "published": None}]
    assert earliest_publication(doc, copies) == {"id": "first", "outlet": "A", "published": "2024-05-14"}
    assert earliest_publication(Document("x", id="undated"), []) is None


def test_outlet_pairs_say_who_published_first(store):
    store.save(list(fixture_docs().values()), pipeline_signature="sig")
    rows = store.outlet_copies()
    assert {(r["outlet_a"], r["outlet_b"]): (r["copies"], r["a_first"], r["b_first"], r["order_unknown"]) for r in rows} == {
        ("Black Sea Daily", "Coastal Courier"): (2, 2, 0, 0),  # original and its re-upload, each copied a day later
        ("Black Sea Daily", "Black Sea Daily"): (1, 0, 0, 1),  # the re-upload, same day
    }
    assert store.outlet_copies(DocumentFilter(outlet="Coastal Courier"))[0]["copies"] == 2


def _labelled(doc: Document, narrative: str) -> Document:
    doc.cats["narratives"] = [Label(narrative, 0.9)]
    start = doc.text.index("Varna") if "Varna" in doc.text else 0
    doc.add_spans("entities", [Span(start, start + 5, "Innocent", 0.8, {"entity": "Varna"})])
    return doc


def test_an_exact_reupload_counts_once_in_every_statistic(store):
    docs = fixture_docs()
    narrative = "URW: Amplifying war-related fears"
    store.save([_labelled(d, narrative) for d in docs.values()], pipeline_signature="sig")
    # four ids, three texts: the re-upload is the same text as the original
    assert store.count() == 3 and store.count(per_id=True) == 4
    assert store.label_counts("narratives") == [{"label": narrative, "documents": 3}]
    assert {r["value"]: r["documents"] for r in store.field_counts("source")} == {"Black Sea Daily": 1, "Coastal Courier": 2}
    assert {r["outlet"]: r["documents"] for r in store.label_counts("narratives", by="outlet")} == {
        "Black Sea Daily": 1, "Coastal Courier": 2}
    (varna,) = [r for r in store.entity_roles("Varna") if r["role"] == "Innocent"]
    assert (varna["mentions"], varna["documents"]) == (3, 3)
    # the corpus views, unfiltered (groups counted in Python) and under a narrative filter (groups counted in SQL)
    for flt in (None, DocumentFilter(narrative=narrative)):
        breakdown = compute_breakdown(store, flt)
        assert breakdown["documents"] == 3
        assert breakdown["labels"] == [{"label": narrative, "documents": 3, "share": 1.0}]
        assert {r["outlet"]: r["documents"] for r in breakdown["outlets"]} == {"Black Sea Daily": 1, "Coastal Courier": 2}
        assert {r["outlet"]: (r["documents"], r["share"]) for r in breakdown["by_outlet"]} == {
            "Black Sea Daily": (1, 1.0), "Coastal Courier": (2, 1.0)}
        assert sum(r["documents"] for r in breakdown["languages"]) == 3
        assert sum(r["documents"] for r in breakdown["periods"]) + breakdown["undated"] == 3
        assert sum(r["documents"] for r in breakdown["over_time"]) + breakdown["undated"] == 3


def test_migration_signs_documents_stored_before_it(tmp_path):
    path = str(tmp_path / "old.db")
    with Store(path) as store:
        config = Config()
        config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        documents = table("documents", column("id"), column("content_hash"), column("title"), column("text"),
                          column("meta"))
        annotations = table("annotations", column("document_id"), column("layer"), column("label"), column("start"),
                            column("end"), column("possible"))
        with store.engine.begin() as connection:
            for doc in fixture_docs().values():
                connection.execute(insert(documents).values(id=doc.id, content_hash=doc.content_hash, title=doc.title,
                                                            text=doc.text, meta="{}"))
                connection.execute(insert(annotations), [{"document_id": doc.id, "layer": "segments", "label": s.label,
                                                          "start": s.start, "end": s.end, "possible": False}
                                                         for s in doc.spans["segments"]])
    with Store(path) as store:  # upgraded again on opening
        assert {c["id"] for c in store.copies("varna-original")} == {"varna-syndicated", "varna-reupload"}
