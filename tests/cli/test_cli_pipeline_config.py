"""Choosing the pipeline on the command line: ``--model COMPONENT=DIR|VERSION`` for every trained component,
``--skip``; the choice is checked before anything is read, and each run records and shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.analysers.techniques import TechniqueAnalyser
from narrascope.cli import app
from narrascope.models import model_version

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
NO_MODELS = ["--skip", "narratives", "--skip", "entities"]
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "250"})


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/articles missing")
def test_a_run_records_and_shows_the_models_it_ran(toy_techniques, tmp_path):
    db = tmp_path / "runs.db"
    assert invoke("analyze", EXAMPLES, "--db", db, *NO_MODELS, "--workers", "1", "--quiet").exit_code == 0
    chosen = invoke("analyze", EXAMPLES, "--db", db, *NO_MODELS, "--model", f"techniques={toy_techniques}",
                    "--workers", "1", "--json")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout.splitlines()[-1])["analysed"] == len(list(EXAMPLES.glob("*.txt")))
    newest, first = json.loads(invoke("runs", "--db", db, "--json").stdout)
    assert newest["config"]["models"] == {"techniques": toy_techniques}
    assert newest["config"]["components"] == ["segmenter", "language", "sentences", "techniques"]
    assert newest["pipeline"][-1]["version"] == f"{TechniqueAnalyser.code_version}-{model_version(toy_techniques)}"
    assert first["config"]["models"] == {}  # the defaults: the active saved version, else the packaged model
    assert first["pipeline"][-1]["version"] != newest["pipeline"][-1]["version"]
    table = invoke("runs", "--db", db).stdout
    assert "models" in table and "default" in table and "techniques=" in table and "toy-techniques" in table


@pytest.mark.parametrize(("options", "message"), [
    (["--model", "techniques=/no/such/folder"], "the techniques model folder /no/such/folder does not exist"),
    (["--model", "entities=no-such-version"], "neither a model folder nor a saved entities version"),
    (["--model", "narratives=my-model/"], "'my-model/' is neither a model folder nor a saved narratives version"),
    (["--model", "narratives"], "expected COMPONENT=DIR or COMPONENT=VERSION"),
    (["--model", "nonsense=somewhere"], "unknown analyser 'nonsense'"),
    (["--skip", "nonsense"], "unknown analyser 'nonsense'"),
    (["--skip", "techniques", "--model", "techniques=."], "a model given for techniques, which the pipeline does not run"),
    (["--model", "segmenter=."], "the segmenter analyser loads no model"),
])
def test_a_bad_pipeline_is_refused_before_anything_is_read(options, message, tmp_path):
    db = tmp_path / "never.db"
    result = invoke("analyze", EXAMPLES, "--db", db, *options)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
    assert not db.exists()  # nothing was read, analysed or stored


def test_watch_and_serve_refuse_a_bad_pipeline_the_same_way(tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/feed.xml\n", encoding="utf-8")
    for command in (["watch", feeds, "--once"], ["serve", "--port", "0"]):
        result = invoke(*command, "--db", tmp_path / "never.db", "--model", "techniques=/no/such/folder")
        assert result.exit_code == 2, result.output
        assert "does not exist" in " ".join(result.output.replace("│", " ").split())
        assert not (tmp_path / "never.db").exists()
