"""Metadata through the real CLI: analyze --meta/--outlet/--date, the meta command, bad sidecars."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--workers", "1"]
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_a_folder_with_the_example_sidecar_gets_outlets_and_dates(tmp_path):
    db = str(tmp_path / "m.db")
    result = invoke("analyze", EXAMPLES / "articles", "--meta", EXAMPLES / "articles.meta.csv", "--db", db, *FAST,
                    "--quiet")
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        outlets = {d["id"]: (d["source"], d["published"]) for d in store.list()}
        assert outlets["climate-blog.txt"] == ("Open Skies Blog", "2023-07-18")
        # no outlet in the sidecar row, but a URL: its registered domain
        assert outlets["recycling-plant.txt"] == ("rivertown-gazette.co.uk", "2024-03-11")
        assert store.get("recycling-plant.txt").meta["author"] == "Lena Ortiz"


def test_meta_updates_stored_documents_and_flags_never_replace_stored_values(tmp_path):
    db = str(tmp_path / "m.db")
    assert invoke("analyze", EXAMPLES / "articles", "--db", db, *FAST, "--quiet", "--outlet", "Bulk",
                  "--date", "2024-01-01").exit_code == 0
    sidecar = tmp_path / "fix.jsonl"
    sidecar.write_text('{"id": "bucha-ru.txt", "outlet": "Evening Channel", "date": "2022-04-05"}\n'
                       '{"id": "missing.txt", "outlet": "X"}\n', encoding="utf-8")
    result = invoke("meta", sidecar, "--db", db, "--json")
    assert result.exit_code == 3  # one row matched nothing: said, not ignored
    assert json.loads(result.stdout) == {"updated": 1, "unmatched": [
        f"{sidecar}:2: id 'missing.txt' matched no stored document"]}
    again = invoke("analyze", EXAMPLES / "articles", "--db", db, *FAST, "--json", "--outlet", "Other")
    summary = json.loads(again.stdout.splitlines()[-1])
    assert (summary["analysed"], summary["unchanged"], summary["metadata_updated"]) == (0, 5, 0)
    with Store(db) as store:
        doc = store.get("bucha-ru.txt")
        assert (doc.source, str(doc.published), doc.meta["metadata_from"]) == \
            ("Evening Channel", "2022-04-05", {"source": "sidecar", "published": "sidecar"})
        assert store.get("energy-bg.txt").source == "Bulk"


def test_a_bad_sidecar_is_refused_whole_naming_file_and_line(tmp_path):
    db = str(tmp_path / "m.db")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("id,outlet,date\nbucha-ru.txt,A,2022-04-05\nenergy-bg.txt,B,02/10/2022\n", encoding="utf-8")
    result = invoke("analyze", EXAMPLES / "articles", "--meta", sidecar, "--db", db, *FAST)
    assert result.exit_code == 2
    assert f"{sidecar}:3: date: '02/10/2022' is not a date (YYYY-MM-DD)" in " ".join(result.output.split())
    with Store(db) as store:
        assert store.count() == 0
