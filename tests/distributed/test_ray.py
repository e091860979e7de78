"""Ray runs (a local cluster started by the run itself) give exactly the single-process results."""

from __future__ import annotations

import json

import pytest

from narrascope.distributed import build_executor
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.runner import analyse_into_store
from narrascope.store import Store
from tests.distributed.conftest import assert_store_ran_the_model, configured_pipeline

pytest.importorskip("ray", reason="Ray is optional: pip install 'narrascope[ray]'")
pytestmark = pytest.mark.ray


def test_ray_store_contents_identical_to_in_process(names, corpus, tmp_path):
    pipeline = load_pipeline(names)
    with Store(str(tmp_path / "local.db")) as local, Store(str(tmp_path / "ray.db")) as on_ray:
        analyse_into_store(corpus(), local, pipeline, batch_size=4)
        report = analyse_into_store(corpus(), on_ray, pipeline, batch_size=4,
                                    executor=build_executor(2, "local", PipelineConfig(components=names)))
        assert report.analysed == len(corpus()) and not report.problems
        assert [d.to_dict() for d in on_ray.iter_documents()] == [d.to_dict() for d in local.iter_documents()]


def test_ray_actors_load_the_model_folder_the_configuration_names(toy_techniques, corpus, tmp_path):
    pipeline = configured_pipeline(toy_techniques)
    with Store(str(tmp_path / "local.db")) as local, Store(str(tmp_path / "ray.db")) as on_ray:
        analyse_into_store(corpus(), local, pipeline, batch_size=4)
        report = analyse_into_store(corpus(), on_ray, pipeline, batch_size=4,
                                    executor=build_executor(2, "local", pipeline.config))
        assert report.analysed == len(corpus()) and not report.problems
        assert [d.to_dict() for d in on_ray.iter_documents()] == [d.to_dict() for d in local.iter_documents()]
        assert_store_ran_the_model(on_ray, toy_techniques)


def test_ray_shards_then_import_identical_to_in_process(names, corpus, tmp_path):
    from narrascope.distributed.ray_runner import analyse_to_shards
    from narrascope.distributed.shards import import_shards

    inputs = tmp_path / "in"
    inputs.mkdir()
    docs = corpus()
    for part in range(3):  # three input files, read by the actors themselves
        with (inputs / f"part{part}.jsonl").open("w", encoding="utf-8") as out:
            for doc in docs[part::3]:
                out.write(json.dumps({"id": doc.id, "text": doc.text, "source": doc.source}) + "\n")
    (inputs / "broken.jsonl").write_text('{"id": "x", "text": "fine text"}\nnot json\n', encoding="utf-8")

    summary = analyse_to_shards([inputs], tmp_path / "shards", PipelineConfig(components=names), num_actors=2)
    assert summary["files"] == 4 and summary["analysed"] == len(docs) + 1
    assert [(p.line, "malformed JSON" in p.message) for p in summary["problems"]] == [(2, True)]

    pipeline = load_pipeline(names)
    assert summary["pipeline_signature"] == pipeline.signature
    from narrascope.ingest import read_documents

    with Store(str(tmp_path / "local.db")) as local, Store(str(tmp_path / "imported.db")) as imported:
        analyse_into_store(read_documents(inputs), local, pipeline)
        (report,) = import_shards([tmp_path / "shards"], imported)
        assert report.analysed == len(docs) + 1
        assert [d.to_dict() for d in imported.iter_documents()] == [d.to_dict() for d in local.iter_documents()]

    # Every shard exists, so running again reads nothing.
    assert analyse_to_shards([inputs], tmp_path / "shards", PipelineConfig(components=names), num_actors=1)["files"] == 0
