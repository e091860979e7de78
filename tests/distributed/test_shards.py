"""Importing result shards: resumable, no duplicates, bad lines reported, pipeline taken from the manifest."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from narrascope.distributed.shards import import_shards, shard_name, write_manifest
from narrascope.pipeline import load_pipeline
from narrascope.store import Store, analysis_key


@pytest.fixture
def shard_folder(tmp_path, corpus):
    """Shards written the way cluster workers write them, from an in-process run."""
    pipeline = load_pipeline(["segmenter", "language", "sentences"])
    docs = pipeline.run(corpus(2))
    folder = tmp_path / "shards"
    folder.mkdir()
    write_manifest(folder, pipeline.describe(), pipeline.signature, pipeline.config.to_dict())
    for part in range(2):
        with (folder / shard_name(f"/data/input-{part}.jsonl")).open("w", encoding="utf-8") as out:
            for doc in docs[part::2]:
                out.write(json.dumps(doc.to_dict()) + "\n")
    return folder, docs, pipeline.signature


def test_import_stores_every_document_once_and_resumes(shard_folder, tmp_path):
    folder, docs, signature = shard_folder
    with Store(str(tmp_path / "db.sqlite")) as store:
        (first,) = import_shards([folder], store, batch_size=3)
        assert (first.analysed, first.unchanged, first.failed) == (len(docs), 0, 0)
        (again,) = import_shards(sorted(folder.glob("*.jsonl")), store)  # files named one by one this time
        assert (again.analysed, again.unchanged) == (0, len(docs))
        with store.engine.connect() as conn:
            assert conn.execute(text("select count(*) from documents")).scalar() == len(docs)
        assert store.unchanged({d.id: analysis_key(d.content_hash, signature) for d in docs}) == {d.id for d in docs}
        by_id = {d.id: d.to_dict() for d in docs}
        for stored in store.iter_documents():
            expected = dict(by_id[stored.id])
            expected["spans"] = {k: v for k, v in expected["spans"].items() if k != "sentences"}  # recomputed on read
            expected["produced_by"] = {k: v for k, v in expected["produced_by"].items() if k != "sentences"}
            assert stored.to_dict() == expected
        assert [r["status"] for r in store.runs()] == ["finished", "finished"]


def test_an_import_records_the_configuration_of_the_run_that_wrote_the_shards(shard_folder, tmp_path):
    folder, _, _ = shard_folder
    with Store(str(tmp_path / "db.sqlite")) as store:
        import_shards([folder], store)
        assert store.runs()[0]["config"] == {"components": ["segmenter", "language", "sentences"], "exclude": [],
                                             "models": {}, "options": {}}


def test_bad_lines_are_reported_and_the_rest_imported(shard_folder, tmp_path):
    folder, docs, _ = shard_folder
    lines = ['{"id": "no-text"}', "", json.dumps(docs[0].to_dict())]
    (folder / "extra.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(str(tmp_path / "db.sqlite")) as store:
        (report,) = import_shards([folder], store)
    assert report.analysed == len(docs)
    assert [(p.line, "not a stored document" in p.message) for p in report.problems] == [(1, True)]


def test_manifest_refuses_another_pipeline(tmp_path):
    write_manifest(tmp_path, [{"name": "a", "version": "1"}], "sig-a", {})
    write_manifest(tmp_path, [{"name": "a", "version": "1"}], "sig-a", {})  # the same pipeline may add shards
    with pytest.raises(ValueError, match="another pipeline"):
        write_manifest(tmp_path, [{"name": "a", "version": "2"}], "sig-b", {})


def test_import_command(shard_folder, tmp_path):
    from narrascope.cli import app

    folder, docs, _ = shard_folder
    db = str(tmp_path / "cli.sqlite")
    result = CliRunner().invoke(app, ["import", str(folder), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["imported"] == len(docs)
    missing = CliRunner().invoke(app, ["import", str(tmp_path / "nowhere.jsonl"), "--db", db])
    assert missing.exit_code == 2 and "manifest.json" in missing.output
