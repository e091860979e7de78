"""``narrascope review`` and the reviewed/predicted views of ``list``, ``show``, ``query`` and ``export``."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.store import Store
from tests.store.test_review import CLIMATE, WAR, make_doc

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_review_commands_and_reviewed_views(tmp_path):
    db = str(tmp_path / "cli.db")
    with Store(db) as store:
        store.save([make_doc(1, [(WAR, 0.9), (CLIMATE, 0.3)]), make_doc(2, [(CLIMATE, 0.35)])], pipeline_signature="v1")
    assert run("review", "correct", "d1", "--db", db, "--layer", "narratives", "--action", "reject", "--target", WAR,
               "--reviewer", "ana").exit_code == 0
    bad = run("review", "correct", "d1", "--db", db, "--layer", "narratives", "--action", "add", "--target", "Nope")
    assert bad.exit_code == 2 and "not a narrative of the taxonomy" in bad.output
    corrections = json.loads(run("review", "list", "--db", db, "--json").output)
    assert [(c["action"], c["reviewer"], c["replaced"]["score"]) for c in corrections] == [("reject", "ana", 0.9)]
    assert json.loads(run("list", "--db", db, "--narrative", WAR, "--json").output)["total"] == 0
    assert json.loads(run("list", "--db", db, "--narrative", WAR, "--predicted", "--json").output)["total"] == 1
    counts = json.loads(run("query", "--db", db, "--json", "--possible").output)["rows"]
    assert {r["label"]: r["documents"] for r in counts} == {CLIMATE: 2}
    predicted = json.loads(run("query", "--db", db, "--json", "--possible", "--predicted").output)["rows"]
    assert {r["label"]: r["documents"] for r in predicted} == {WAR: 1, CLIMATE: 2}
    compared = json.loads(run("compare", "language:en", "2020..", "--db", db, "--json", "--predicted").output)
    assert compared["predicted"] is True
    shown = json.loads(run("show", "d1", "--db", db, "--json").output)
    assert shown["review_state"] == "partly reviewed" and [c["action"] for c in shown["corrections"]] == ["reject"]
    assert [lab["name"] for lab in shown["cats"]["narratives"]] == [CLIMATE]
    assert run("review", "correct", "d1", "--db", db, "--layer", "narratives", "--action", "accept", "--target",
               CLIMATE).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run("export", "--db", db, "--format", "csv").stdout)))
    assert rows[0]["narratives"] == CLIMATE and rows[0]["reviewed"] == CLIMATE and rows[1]["reviewed"] == ""
    queue = json.loads(run("review", "queue", "--db", db, "--json").output)
    assert [(i["id"], i["possible"]) for i in queue] == [("d2", [CLIMATE]), ("d1", [])]
