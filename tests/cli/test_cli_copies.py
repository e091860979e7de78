"""Copies through the real CLI: ``show --json`` lists them with the earliest publication, ``query --by outlet
--copies`` says who re-publishes whom, and an exact re-upload counts once in ``query``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "copies" / "articles.jsonl"
FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--workers", "1"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("copies") / "cli.db")
    assert invoke("analyze", ARTICLES, "--db", path, *FAST, "--quiet").exit_code == 0
    return path


def test_show_json_lists_the_copies_and_the_earliest_publication(db):
    shown = json.loads(invoke("show", "varna-syndicated", "--db", db, "--json").stdout)
    copies = {c["id"]: c for c in shown["copies"]}
    assert set(copies) == {"varna-original", "varna-reupload"}
    assert copies["varna-original"]["outlet"] == "Black Sea Daily" and copies["varna-original"]["published"] == "2024-05-14"
    assert 0.6 <= copies["varna-original"]["similarity"] < 1
    assert shown["earliest_publication"] == {"id": "varna-original", "outlet": "Black Sea Daily", "published": "2024-05-14"}
    assert json.loads(invoke("show", "sunflower-harvest", "--db", db, "--json").stdout)["copies"] == []
    text = invoke("show", "varna-original", "--db", db).stdout
    assert "Copies (2)" in text and "varna-reupload" in text and "exact" in text


def test_query_by_outlet_copies_says_who_republishes_whom(db):
    out = json.loads(invoke("query", "--by", "outlet", "--copies", "--db", db, "--json").stdout)
    rows = {(r["outlet_a"], r["outlet_b"]): r for r in out["rows"]}
    assert rows["Black Sea Daily", "Coastal Courier"]["copies"] == 2
    assert rows["Black Sea Daily", "Coastal Courier"]["a_first"] == 2
    table = invoke("query", "--by", "outlet", "--copies", "--db", db).stdout
    assert "who re-publishes whom" in table and "Coastal" in table and "A first" in table
    assert invoke("query", "--by", "narrative", "--copies", "--db", db).exit_code != 0


def test_an_exact_reupload_counts_once_in_query(db):
    out = json.loads(invoke("query", "--by", "outlet", "--db", db, "--json").stdout)
    assert out["documents"] == 3
    assert {r["outlet"]: r["outlet_documents"] for r in out["rows"]} == {"Black Sea Daily": 1, "Coastal Courier": 2}
    assert all(r["documents"] <= r["outlet_documents"] for r in out["rows"])  # shares never above 100 %
    narratives = json.loads(invoke("query", "--by", "narrative", "--db", db, "--json").stdout)
    assert narratives["documents"] == 3 and all(r["documents"] <= 3 for r in narratives["rows"])
    listed = json.loads(invoke("list", "--db", db, "--json").stdout)
    assert listed["total"] == 4 and len(listed["documents"]) == 4  # every stored id is still listed


@pytest.mark.slow  # worker processes
def test_documents_written_by_worker_processes_are_found_as_copies(tmp_path):
    db = str(tmp_path / "workers.db")
    fast = [a for a in FAST if a not in ("--workers", "1")]
    assert invoke("analyze", ARTICLES, "--db", db, *fast, "--workers", "2", "--batch-size", "1", "--quiet").exit_code == 0
    shown = json.loads(invoke("show", "varna-original", "--db", db, "--json").stdout)
    assert {c["id"] for c in shown["copies"]} == {"varna-syndicated", "varna-reupload"}


@pytest.mark.ray
def test_documents_imported_from_ray_shards_are_found_as_copies(tmp_path):
    pytest.importorskip("ray")
    shards = tmp_path / "shards"
    fast = [a for a in FAST if a not in ("--workers", "1")]
    assert invoke("analyze", ARTICLES, *fast, "--ray", "local", "--out-shards", shards).exit_code == 0
    db = str(tmp_path / "imported.db")
    assert invoke("import", shards, "--db", db).exit_code == 0
    shown = json.loads(invoke("show", "varna-syndicated", "--db", db, "--json").stdout)
    assert {c["id"] for c in shown["copies"]} == {"varna-original", "varna-reupload"}


def test_outlet_names_are_printed_as_written_not_as_terminal_markup(tmp_path):
    from narrascope.document import Document
    from narrascope.store import Store

    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    db = str(tmp_path / "markup.db")
    with Store(db) as store:
        store.save([Document(text, id="a", source="[bold red]Evil[/]"), Document(text + " more", id="b", source="B")],
                   pipeline_signature="sig")
    assert "[bold red]Evil[/]" in invoke("query", "--by", "outlet", "--copies", "--db", db).stdout
    assert "[bold red]Evil[/]" in invoke("show", "b", "--db", db).stdout
