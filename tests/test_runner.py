"""The analyse-into-store runner: batches, skipping unchanged documents, isolating failures."""

from narrascope.document import Document
from narrascope.ingest import IngestError
from narrascope.pipeline import Pipeline, load_pipeline, register_analyser
from narrascope.runner import analyse_into_store
from narrascope.store import Store


@register_analyser("test-fails-on-boom")
class FailsOnBoom:
    name = "test-fails-on-boom"
    version = "1"
    requires = ()
    assigns = ()

    def predict(self, docs):
        if any("boom" in d.text for d in docs):
            raise RuntimeError("cannot analyse boom")
        return None

    def set_annotations(self, docs, predictions):
        pass


def test_rerun_skips_unchanged_and_reanalyses_edited(tmp_path):
    store = Store(str(tmp_path / "r.db"))
    pipeline = load_pipeline(["segmenter", "sentences"])
    docs = [Document(f"Title {i}\n\nBody {i}.", id=f"d{i}") for i in range(10)]
    first = analyse_into_store(docs, store, pipeline, batch_size=3)
    assert (first.analysed, first.unchanged, first.failed) == (10, 0, 0)
    docs[4] = Document("Title 4\n\nEdited body.", id="d4")
    second = analyse_into_store(docs, store, pipeline, batch_size=3)
    assert (second.analysed, second.unchanged) == (1, 9)
    assert store.count() == 10 and store.runs()[0]["status"] == "finished"


def test_ingest_errors_and_failing_documents_are_reported_and_the_rest_stored(tmp_path):
    store = Store(str(tmp_path / "r.db"))
    pipeline = load_pipeline(["segmenter", "test-fails-on-boom"])
    items = [Document("fine one", id="a"), IngestError("x.jsonl", "malformed JSON", 3), Document("boom", id="b"),
             Document("fine two", id="c")]
    report = analyse_into_store(items, store, pipeline, batch_size=10)
    assert report.analysed == 2 and report.failed == 2
    assert {str(p) for p in report.problems} >= {"x.jsonl:3: malformed JSON"}
    assert any("cannot analyse boom" in p.message for p in report.problems)
    assert store.get("a") and store.get("c") and store.get("b") is None


def test_an_id_taken_by_another_input_is_reported_not_stored_over_the_first(tmp_path):
    store = Store(str(tmp_path / "r.db"))
    pipeline = load_pipeline(["segmenter"])
    first = Document("From outlet A.", id="article.txt", meta={"path": "a/article.txt", "format": "txt"})
    again = Document("From outlet A.", id="article.txt", meta={"path": "a/article.txt", "format": "txt"})
    other = Document("From outlet B.", id="article.txt", meta={"path": "b/article.txt", "format": "txt"})
    report = analyse_into_store([first, again, other], store, pipeline, batch_size=1)
    assert report.analysed == 1 and report.failed == 1
    assert str(report.problems[0]) == ("b/article.txt: document id 'article.txt' was already read from a/article.txt "
                                       "in this run; this one is skipped (read folders with --ids path)")
    assert store.get("article.txt").text == "From outlet A."


def test_empty_pipeline_signature_is_stable():
    assert Pipeline([]).signature == Pipeline([]).signature


def test_records_the_store_cannot_hold_are_named_and_the_batch_goes_on(tmp_path, database_url):
    """Issue 13.6: a 300-character id or a NUL in the text failed a whole PostgreSQL batch and the run; now both
    back-ends name the record and store the rest."""
    import json

    from narrascope.ingest import read_documents

    feed = tmp_path / "feed.jsonl"
    records = [{"id": "ok-1", "text": "First fine text."}, {"id": "x" * 300, "text": "Long id."},
               {"id": "nul", "text": "Broken \u0000 text."}, {"id": "ok-2", "text": "Second fine text."}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Store(database_url) as store:
        report = analyse_into_store(read_documents(feed), store, load_pipeline(["segmenter"]), batch_size=10)
        assert report.analysed == 2 and sorted(d.id for d in store.iter_documents()) == ["ok-1", "ok-2"]
        assert [str(p) for p in report.problems] == [
            f"{feed}:2: document id of 300 characters is longer than the 255 the store holds",
            f"{feed}:3: text contains a NUL character (U+0000 at position 7), which text cannot hold"]
        assert store.runs()[0]["status"] == "finished" and store.runs()[0]["n_failed"] == 2


def test_a_document_the_database_refuses_is_reported_and_the_rest_of_its_batch_stored(postgres_url):
    """Issue 13.6: whatever the database refuses (here an entity name wider than its column) sinks one document."""
    from narrascope.document import Span
    from narrascope.runner import save_batch_safely

    good, bad = Document("Fine text.", id="good"), Document("Bad text.", id="bad", meta={"path": "in.jsonl", "line": 7})
    bad.add_spans("entities", [Span(0, 3, "Antagonist", 0.5, {"entity": "E" * 300})])
    with Store(postgres_url) as store:
        saved, refused = save_batch_safely(store, [good, bad], pipeline_signature="s", run_id=None)
        assert [d.id for d in saved] == ["good"] and store.get("good") and store.get("bad") is None
        assert len(refused) == 1 and str(refused[0]).startswith("in.jsonl:7: cannot be stored: value too long")


def _from(path: str, text: str) -> Document:
    return Document(text, id="x.txt", meta={"path": path, "format": "txt"})


def test_a_later_run_never_silently_replaces_a_document_read_from_another_file(tmp_path):
    """Issue 13.7: ``a/x.txt`` then ``b/x.txt`` (same id, other text) replaced the first without a word."""
    pipeline = load_pipeline(["segmenter"])
    with Store(str(tmp_path / "r.db")) as store:
        analyse_into_store([_from("a/x.txt", "Text of A.")], store, pipeline)
        skipped = analyse_into_store([_from("b/x.txt", "Text of B.")], store, pipeline)
        assert skipped.analysed == 0 and store.get("x.txt").text == "Text of A."
        assert [str(p) for p in skipped.problems] == [
            "b/x.txt: document id 'x.txt' is already stored with different text, read from a/x.txt; this one is "
            "skipped (--on-conflict replace stores it over that one, keep-both beside it)"]
        both = analyse_into_store([_from("b/x.txt", "Text of B.")], store, pipeline, on_conflict="keep-both")
        renamed = f"x.txt~{_from('', 'Text of B.').content_hash[:8]}"
        assert both.analysed == 1 and not both.problems and renamed in str(both.notices[0])
        assert store.get("x.txt").text == "Text of A." and store.get(renamed).text == "Text of B."
        again = analyse_into_store([_from("b/x.txt", "Text of B.")], store, pipeline, on_conflict="keep-both")
        assert again.analysed == 0 and again.unchanged == 1
        replaced = analyse_into_store([_from("b/x.txt", "Text of B.")], store, pipeline, on_conflict="replace")
        assert replaced.analysed == 1 and "replaced by this one" in str(replaced.notices[0])
        assert store.get("x.txt").text == "Text of B."
        edited = analyse_into_store([_from("b/x.txt", "Edited text of B.")], store, pipeline)  # same file: an update
        assert edited.analysed == 1 and not edited.problems and not edited.notices


def test_a_partial_rerun_keeps_the_layers_it_did_not_recompute_and_records_who_made_each(tmp_path):
    """Issue 13.8: ``analyze --skip techniques`` on a stored document dropped its techniques layer."""
    from tests.server.conftest import KeywordFraming  # noqa: F401 - registers test-framing

    doc = lambda text="War is terrible. NATO acts.": Document(text, id="d")  # noqa: E731
    with Store(str(tmp_path / "r.db")) as store:
        analyse_into_store([doc()], store, load_pipeline(["segmenter", "sentences", "test-framing"]))
        assert store.get("d").spans["techniques"]
        analyse_into_store([doc()], store, load_pipeline(["segmenter", "sentences"]))  # framing skipped
        kept = store.get("d")
        assert kept.spans["techniques"] and kept.cats["narratives"] and kept.spans["segments"]
        assert kept.produced_by == {"segments": {"analyser": "segmenter", "version": load_pipeline(["segmenter"]).components[0].version},
                                    **{layer: {"analyser": "test-framing", "version": "1"}
                                       for layer in ("narratives", "subnarratives", "entities", "techniques")}}
        analyse_into_store([doc("Peace is fine.")], store, load_pipeline(["segmenter", "sentences"]))  # text changed
        changed = store.get("d")
        assert "techniques" not in changed.spans and set(changed.produced_by) == {"segments"}


def test_a_killed_run_is_shown_interrupted_with_the_counts_of_its_stored_batches(tmp_path):
    """Issue 13.9: a run whose process died stayed ``running`` with ``n_analysed=0`` forever."""
    import subprocess
    import sys

    db = str(tmp_path / "r.db")
    script = ("import os, sys\n"
              "from narrascope.document import Document\n"
              "from narrascope.pipeline import load_pipeline\n"
              "from narrascope.runner import analyse_into_store\n"
              "from narrascope.store import Store\n"
              "def docs():\n"
              "    for i in range(6):\n"
              "        yield Document(f'Text {i}.', id=f'd{i}')\n"
              "    os._exit(9)  # dies like a killed process, mid-run\n"
              f"analyse_into_store(docs(), Store({db!r}), load_pipeline(['segmenter']), batch_size=2)\n")
    assert subprocess.run([sys.executable, "-c", script], timeout=120).returncode == 9
    with Store(db) as store:
        (run,) = store.runs()
        assert run["status"] == "interrupted" and run["n_analysed"] == 6 == store.count()


class _WarNarrative:
    """Predicts the war narrative for every document; ``version`` stands for a model version."""

    name = "test-war-narrative"
    requires = ("sentences",)
    assigns = ("narratives",)

    def __init__(self, version: str):
        self.version = version

    def predict(self, docs):
        return None

    def set_annotations(self, docs, predictions):
        from narrascope.document import Label

        for doc in docs:
            doc.cats["narratives"] = [Label("URW: Amplifying war-related fears", 0.9, doc.sentences()[:1])]


def test_reanalysis_with_a_new_model_version_keeps_corrections(tmp_path):
    from narrascope.review import correct

    store = Store(str(tmp_path / "r.db"))
    base = load_pipeline(["segmenter", "sentences"]).components
    docs = [Document("Title\n\nThe war goes on. Prices rise.", id="d1")]
    analyse_into_store(docs, store, Pipeline([*base, _WarNarrative("1")]))
    correct(store, "d1", "narratives", "reject", "URW: Amplifying war-related fears", reviewer="ana")
    correct(store, "d1", "narratives", "add", "URW: Praise of Russia", reviewer="ana")
    report = analyse_into_store(docs, store, Pipeline([*base, _WarNarrative("2")]))
    assert report.analysed == 1  # re-analysed: the pipeline changed
    assert store.get("d1", predicted=True).produced_by["narratives"]["version"] == "2"
    assert [lab.name for lab in store.get("d1").cats["narratives"]] == ["URW: Praise of Russia"]
    assert len(store.corrections(["d1"])["d1"]) == 2
