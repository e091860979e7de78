"""The SQL store (SQLite here; the same tests run on PostgreSQL in tests/store/test_postgres.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from narrascope.document import Document, Label, Span
from narrascope.store import DocumentFilter, Store, analysis_key
from narrascope.store.search import SearchSyntaxError


def make_doc(i: int, narrative: str = "URW: Discrediting Ukraine", entity: str = "NATO", **kw) -> Document:
    body = f"Document {i}. NATO is blamed here."
    doc = Document(body, id=f"d{i}", title=f"T{i}", source=kw.get("source", "outlet-a"), language=kw.get("language", "en"),
                   published=kw.get("published", date(2024, 1 + i % 3, 1 + i)))
    doc.add_spans("segments", [Span(0, len(body), "body")])
    start = body.index("NATO")
    doc.add_spans("entities", [Span(start, start + 4, "Antagonist", 0.8, {"entity": entity, "fine_roles": {"Conspirator": 0.6}})])
    doc.cats["narratives"] = [Label(narrative, 0.7, [Span(start, len(body), narrative, 0.5)])]
    return doc


@pytest.fixture
def store(tmp_path):
    with Store(str(tmp_path / "test.db")) as s:
        yield s


def test_save_and_get_round_trip(store):
    doc = make_doc(1)
    store.save([doc], pipeline_signature="sig")
    assert store.get("d1").to_dict() == doc.to_dict()
    assert store.get("missing") is None


def test_resaving_replaces_without_duplicates(store):
    store.save([make_doc(1)], pipeline_signature="sig")
    store.save([make_doc(1, narrative="URW: Praise of Russia")], pipeline_signature="sig2")
    with store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from documents")).scalar() == 1
        assert conn.execute(text("select count(*) from annotations where layer='narratives'")).scalar() == 1
    assert store.get("d1").cats["narratives"][0].name == "URW: Praise of Russia"


def test_unchanged_depends_on_text_and_pipeline(store):
    doc = make_doc(1)
    store.save([doc], pipeline_signature="sig")
    assert store.unchanged({"d1": analysis_key(doc.content_hash, "sig")}) == {"d1"}
    assert store.unchanged({"d1": analysis_key(doc.content_hash, "other")}) == set()
    assert store.unchanged({"d1": analysis_key("edited-text", "sig")}) == set()


def test_filters_counts_and_aggregates(store):
    docs = [make_doc(i, narrative="URW: Praise of Russia" if i % 2 else "URW: Discrediting Ukraine",
                     source="outlet-b" if i >= 6 else "outlet-a", language="bg" if i == 3 else "en",
                     entity="Zelensky" if i == 4 else "NATO") for i in range(8)]
    store.save(docs, pipeline_signature="sig")
    assert store.count() == 8
    assert store.count(DocumentFilter(narrative="URW: Praise of Russia")) == 4
    assert store.count(DocumentFilter(outlet="outlet-b", narrative="URW: Praise of Russia")) == 1
    assert store.count(DocumentFilter(language="bg")) == 1
    assert store.count(DocumentFilter(entity="zelensky")) == 1
    assert store.count(DocumentFilter(since=date(2024, 1, 5))) == 6  # days 1..8 over three months
    assert store.count(DocumentFilter(text="document 7")) == 1
    with pytest.raises(SearchSyntaxError, match="no word"):  # no LIKE wildcards: "%" is not a word to look for
        store.count(DocumentFilter(text="%"))
    counts = {r["label"]: r["documents"] for r in store.label_counts("narratives")}
    assert counts == {"URW: Praise of Russia": 4, "URW: Discrediting Ukraine": 4}
    by_outlet = store.label_counts("narratives", by="outlet")
    assert {"label": "URW: Praise of Russia", "documents": 3, "outlet": "outlet-a"} in by_outlet
    months = store.label_counts("narratives", by="period")
    assert sum(r["documents"] for r in months) == 8 and all(r["period"].endswith("-01") for r in months)
    roles = store.entity_roles("nato")
    assert roles == [{"entity": "NATO", "role": "Antagonist", "mentions": 7, "documents": 7}]
    listed = store.list(DocumentFilter(narrative="URW: Praise of Russia"), limit=2)
    assert len(listed) == 2 and listed[0]["narratives"][0]["name"] == "URW: Praise of Russia"


def test_entity_names_match_case_insensitively_beyond_ascii(store):
    store.save([make_doc(0, entity="Россия"), make_doc(1, entity="ВСУ"), make_doc(2, entity="Владимир Путин")],
               pipeline_signature="sig")
    for typed, stored in (("россия", "Россия"), ("РОССИЯ", "Россия"), ("всу", "ВСУ"), ("владимир путин", "Владимир Путин")):
        assert store.count(DocumentFilter(entity=typed)) == 1, typed
        assert [r["entity"] for r in store.entity_roles(typed)] == [stored]
    assert store.count(DocumentFilter(entity="росси")) == 0


def test_iter_documents_streams_everything_in_batches(store):
    store.save([make_doc(i) for i in range(25)], pipeline_signature="sig")
    assert len({d.id for d in store.iter_documents(batch_size=7)}) == 25


def test_schema_is_migrated_once_and_versioned(tmp_path):
    path = str(tmp_path / "m.db")
    Store(path).close()
    with Store(path) as again, again.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() is not None


def test_runs_are_recorded(store):
    run = store.begin_run([{"name": "segmenter", "version": "1"}], "sig", command_line="narrascope analyze x")
    store.finish_run(run, status="finished", analysed=3, unchanged=1, failed=0)
    (row,) = store.runs()
    assert row["status"] == "finished" and row["n_analysed"] == 3 and row["finished_at"] is not None


def test_weeks_start_on_monday(store):
    monday, sunday = make_doc(1, published=date(2024, 1, 1)), make_doc(2, published=date(2024, 1, 7))
    store.save([monday, sunday, make_doc(3, published=date(2024, 1, 8))], pipeline_signature="sig")
    weeks = {r["period"]: r["documents"] for r in store.label_counts("narratives", by="period", period="week")}
    assert weeks == {"2024-01-01": 2, "2024-01-08": 1}


def test_migrations_produce_exactly_the_declared_schema(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from narrascope.store.schema import Base, declared_here

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": declared_here})
        assert compare_metadata(context, Base.metadata) == []


def test_label_attrs_survive_the_store_so_possible_labels_are_decided_from_stored_scores(store):
    doc = make_doc(1)
    doc.cats["narratives"] = [Label("URW: Praise of Russia", 0.2, [], {"display_threshold": 0.45}),
                              Label("URW: Discrediting Ukraine", 0.7, doc.cats["narratives"][0].evidence,
                                    {"display_threshold": 0.45})]
    store.save([doc], pipeline_signature="sig")
    again = store.get("d1")
    assert again.to_dict() == doc.to_dict()
    assert [lab.possible for lab in again.cats["narratives"]] == [True, False]


def _shown_and_possible(doc_id: str = "d1") -> Document:
    """A document with one narrative shown and one below its display threshold (only possible)."""
    doc = Document("An article about the war.", id=doc_id)
    doc.cats["narratives"] = [Label("URW: Discrediting Ukraine", 0.9, [], {"display_threshold": 0.5}),
                              Label("URW: Praise of Russia", 0.3, [], {"display_threshold": 0.5})]
    doc.cats["subnarratives"] = [Label("URW: Praise of Russia: Other", 0.3, [], {"display_threshold": 0.5})]
    return doc


def test_corpus_views_count_only_shown_labels_unless_possible(store):
    from narrascope.store.aggregates import label_breakdown

    store.save([_shown_and_possible()], pipeline_signature="sig")
    assert store.count(DocumentFilter(narrative="URW: Praise of Russia")) == 0
    assert store.count(DocumentFilter(narrative="URW: Praise of Russia", possible=True)) == 1
    assert store.count(DocumentFilter(subnarrative="URW: Praise of Russia: Other")) == 0
    assert store.label_counts("narratives") == [{"label": "URW: Discrediting Ukraine", "documents": 1}]
    assert len(store.label_counts("narratives", DocumentFilter(possible=True))) == 2
    assert store.label_counts("subnarratives") == []
    assert [n["name"] for n in store.list()[0]["narratives"]] == ["URW: Discrediting Ukraine"]
    assert len(store.list(DocumentFilter(possible=True))[0]["narratives"]) == 2
    assert label_breakdown(store)["labels"] == [{"label": "URW: Discrediting Ukraine", "documents": 1, "share": 1.0}]
    assert label_breakdown(store, DocumentFilter(possible=True))["pairs"][0]["documents"] == 1
    assert len(store.get("d1").cats["narratives"]) == 2  # the document itself keeps every label


def test_migration_marks_already_stored_labels_below_their_threshold(tmp_path):
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    path = str(tmp_path / "old.db")
    with Store(path) as store:
        store.save([_shown_and_possible()], pipeline_signature="sig")
        config = Config()
        config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
    with Store(path) as store:  # upgraded again on opening
        assert store.label_counts("narratives") == [{"label": "URW: Discrediting Ukraine", "documents": 1}]
        assert store.count(DocumentFilter(narrative="URW: Praise of Russia", possible=True)) == 1
