"""The analyse-into-store runner: batches, skipping unchanged documents, isolating failures."""

from narrascope.document import Document
from narrascope.ingest import IngestError
from narrascope.pipeline import Pipeline, load_pipeline, register_analyser
from narrascope.runner import analyze_into_store
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
    first = analyze_into_store(docs, store, pipeline, batch_size=3)
    assert (first.analysed, first.unchanged, first.failed) == (10, 0, 0)
    docs[4] = Document("Title 4\n\nEdited body.", id="d4")
    second = analyze_into_store(docs, store, pipeline, batch_size=3)
    assert (second.analysed, second.unchanged) == (1, 9)
    assert store.count() == 10 and store.runs()[0]["status"] == "finished"


def test_ingest_errors_and_failing_documents_are_reported_and_the_rest_stored(tmp_path):
    store = Store(str(tmp_path / "r.db"))
    pipeline = load_pipeline(["segmenter", "test-fails-on-boom"])
    items = [Document("fine one", id="a"), IngestError("x.jsonl", "malformed JSON", 3), Document("boom", id="b"),
             Document("fine two", id="c")]
    report = analyze_into_store(items, store, pipeline, batch_size=10)
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
    report = analyze_into_store([first, again, other], store, pipeline, batch_size=1)
    assert report.analysed == 1 and report.failed == 1
    assert str(report.problems[0]) == ("b/article.txt: document id 'article.txt' was already read from a/article.txt "
                                       "in this run; this one is skipped (read folders with --ids path)")
    assert store.get("article.txt").text == "From outlet A."


def test_empty_pipeline_signature_is_stable():
    assert Pipeline([]).signature == Pipeline([]).signature
