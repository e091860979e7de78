"""The pipeline: components declare what they need, and adding one is registering one factory."""

import json

import pytest

from narrascope.document import Document, Span
from narrascope.pipeline import (
    DEFAULT_COMPONENTS,
    Pipeline,
    PipelineConfig,
    PipelineConfigError,
    load_pipeline,
    register_analyser,
)


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


def test_a_configuration_travels_as_plain_json_and_builds_the_same_pipeline(tmp_path):
    config = PipelineConfig(components=["segmenter", "sentences", "test-shouting"], options={"segmenter": {}})
    again = PipelineConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and load_pipeline(again).signature == load_pipeline(config).signature
    built = load_pipeline(config).config
    assert built.components == ("segmenter", "sentences", "test-shouting") and built.models == {}


def test_the_default_configuration_is_the_default_pipeline():
    assert PipelineConfig().names() == list(DEFAULT_COMPONENTS)
    assert PipelineConfig(exclude=["entities"]).names() == [n for n in DEFAULT_COMPONENTS if n != "entities"]


def test_a_configuration_that_cannot_be_built_says_why_before_building(tmp_path):
    with pytest.raises(PipelineConfigError, match="unknown analyser 'nope'"):
        load_pipeline(PipelineConfig(exclude=["nope"]))
    with pytest.raises(PipelineConfigError, match=f"the narratives model folder {tmp_path / 'gone'} does not exist"):
        load_pipeline(PipelineConfig(models={"narratives": str(tmp_path / "gone")}))
    with pytest.raises(PipelineConfigError, match="goes in models"):
        load_pipeline(PipelineConfig(options={"narratives": {"model_dir": str(tmp_path)}}))
    with pytest.raises(PipelineConfigError, match="unknown pipeline configuration key"):
        PipelineConfig.from_dict({"components": ["segmenter"], "model": {}})
