"""The pipeline: components declare what they need, and adding one is registering one factory."""

import pytest

from narrascope.document import Document, Span
from narrascope.pipeline import Pipeline, load_pipeline, register_analyser


@register_analyser("test-shouting")
class Shouting:
    """Marks every sentence written in capitals: a minimal example analyser."""

    name = "test-shouting"
    version = "1"
    requires = ("sentences",)
    assigns = ("shouting",)

    def predict(self, docs):
        return [[s for s in d.sentences() if d.quote(s).isupper()] for d in docs]

    def set_annotations(self, docs, predictions):
        for doc, spans in zip(docs, predictions):
            doc.add_spans("shouting", [Span(s.start, s.end, "shouting") for s in spans])


def test_adding_an_analyser_is_registering_one_component():
    pipeline = load_pipeline(["segmenter", "sentences", "test-shouting"])
    doc = pipeline(Document("Calm title\n\nA calm line. THIS IS LOUD. Calm again."))
    assert [doc.quote(s) for s in doc.spans["shouting"]] == ["THIS IS LOUD."]


def test_missing_requirement_is_refused_when_building():
    with pytest.raises(ValueError, match="requires"):
        load_pipeline(["test-shouting"])


def test_signature_changes_with_components():
    assert load_pipeline(["segmenter"]).signature != load_pipeline(["segmenter", "sentences"]).signature


def test_unknown_component_names_the_available_ones():
    with pytest.raises(KeyError, match="available"):
        load_pipeline(["nope"])


def test_pipe_streams_in_batches():
    pipeline = Pipeline([])
    docs = (Document(f"text {i}") for i in range(5))
    assert len(list(pipeline.pipe(docs, batch_size=2))) == 5
