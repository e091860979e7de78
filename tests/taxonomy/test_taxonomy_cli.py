"""``narrascope taxonomy`` commands, through Typer's test runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from narrascope.cli.taxonomy import app

runner = CliRunner()


def test_show_tree_has_definitions():
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0, result.output
    assert "URW: Discrediting Ukraine" in result.output
    assert "Ukraine is associated with nazism" in result.output
    assert "not in the official list" in result.output


def test_show_json():
    result = runner.invoke(app, ["show", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["name"] == "semeval2025-task10" and len(data["narratives"]) == 22


def test_show_invalid_user_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nversion: 1\nnarratives:\n  - name: A\n", encoding="utf-8")
    result = runner.invoke(app, ["show", "--taxonomy", str(path)])
    assert result.exit_code == 2
    assert "missing key(s) 'definition'" in result.output


def test_roles():
    result = runner.invoke(app, ["roles"])
    assert result.exit_code == 0
    assert "Foreign Adversary" in result.output
    assert json.loads(runner.invoke(app, ["roles", "--json"]).output)["main_roles"][0]["name"] == "Protagonist"
