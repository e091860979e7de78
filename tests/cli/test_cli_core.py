"""The core commands through the real CLI: analyze, list, show, query, export; bad input; kill and resume."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--workers", "1"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.db")


def test_analyze_then_rerun_is_a_noop(db):
    first = invoke("analyze", EXAMPLES, "--db", db, *FAST, "--json")
    assert first.exit_code == 0
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert {line["id"] for line in lines[:-1]} == {p.name for p in EXAMPLES.glob("*.txt")}
    assert {line["language"] for line in lines[:-1]} >= {"en", "ru", "bg"}
    assert lines[-1]["analysed"] == len(lines) - 1 and lines[-1]["skipped"] == 0
    again = json.loads(invoke("analyze", EXAMPLES, "--db", db, *FAST, "--json").stdout.splitlines()[-1])
    assert again["analysed"] == 0 and again["unchanged"] == lines[-1]["analysed"]


def test_bad_input_is_named_and_skipped_and_exit_code_says_so(tmp_path, db):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Good\n\nA fine article.", encoding="utf-8")
    (folder / "broken.jsonl").write_text('{"text": "ok record"}\n{not json}\n', encoding="utf-8")
    (folder / "notext.csv").write_text("id,headline\n1,x\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02")
    result = runner.invoke(app, ["analyze", str(folder), "--db", db, *FAST, "--quiet"])
    assert result.exit_code == 3
    output = result.stdout + (result.stderr or "")
    for where in ("broken.jsonl:2", "notext.csv:1", "binary.txt"):
        assert where in " ".join(output.split())
    assert "2 analysed" in output


def test_list_show_query_export(db):
    invoke("analyze", EXAMPLES, "--db", db, *FAST, "--quiet")
    listed = json.loads(invoke("list", "--db", db, "--json", "--language", "ru").stdout)
    assert listed["total"] == 1 and listed["documents"][0]["id"] == "bucha-ru.txt"
    shown = invoke("show", "bucha-ru.txt", "--db", db)
    assert shown.exit_code == 0 and "Буче" in shown.stdout
    assert runner.invoke(app, ["show", "nope", "--db", db]).exit_code == 1
    counts = json.loads(invoke("query", "--by", "language", "--db", db, "--json").stdout)
    assert {r["language"]: r["language_documents"] for r in counts["rows"]}["en"] == 3
    jsonl = invoke("export", "--format", "jsonl", "--db", db).stdout
    assert len(jsonl.splitlines()) == 5 and json.loads(jsonl.splitlines()[0])["spans"]["segments"]
    table = list(csv.DictReader(io.StringIO(invoke("export", "--format", "csv", "--db", db).stdout)))
    assert len(table) == 5 and set(table[0]) >= {"id", "narratives", "entities", "techniques"}
    semeval = invoke("export", "--format", "semeval", "--db", db).stdout.splitlines()
    assert sorted(line.split("\t")[0] for line in semeval) == sorted(p.name for p in EXAMPLES.glob("*.txt"))
    assert all(line.split("\t")[1:] == ["Other", "Other"] for line in semeval)  # no narrative analyser in this pipeline
    tasks = json.loads(invoke("export", "--format", "label-studio", "--db", db).stdout)
    assert len(tasks) == 5 and tasks[0]["data"]["text"]


def test_show_sets_a_saved_page_s_comment_thread_apart_from_the_article(db):
    page = EXAMPLES.parent / "pages" / "news-with-comments.txt"
    invoke("analyze", page, "--db", db, *FAST, "--quiet")
    shown = invoke("show", page.name, "--db", db).stdout
    article, comments = shown.split("Reader comments (4)")
    assert "Novyi Brid overnight" in " ".join(article.split()) and "neo-Nazis" not in article
    assert comments.count("•") == 4 and "neo-Nazis" in comments
    as_json = json.loads(invoke("show", page.name, "--db", db, "--json").stdout)
    assert [c["text"][:12] for c in as_json["reader_comments"]] == ["1. I believe", "2. The peopl", "3. Glad nobo",
                                                                    "4. Thank you"]
    assert all(as_json["text"][c["start"]:c["end"]] == c["text"] for c in as_json["reader_comments"])


def test_query_entity_counts_the_documents_that_name_it(db):
    from narrascope.document import Document, Span
    from narrascope.store import Store

    docs = []
    for i, name in enumerate(["Россия", "Россия", "НАТО"]):
        doc = Document(f"{name} в статье {i}.", id=f"d{i}", language="ru")
        doc.add_spans("entities", [Span(0, len(name), "Antagonist" if i else "Innocent", 0.7, {"entity": name})])
        docs.append(doc)
    with Store(db) as store:
        store.save(docs, pipeline_signature="sig")
    result = json.loads(invoke("query", "--entity", "россия", "--db", db, "--json").stdout)
    assert result["documents"] == 2
    assert sorted((r["role"], r["mentions"]) for r in result["rows"]) == [("Antagonist", 1), ("Innocent", 1)]


def test_query_entity_finds_the_linked_entity_in_any_language_with_role_and_grouping(db):
    from datetime import date

    from narrascope.document import Document, Span
    from narrascope.store import Store

    docs = []
    for i, (role, outlet) in enumerate([("Antagonist", "a.ru"), ("Antagonist", "b.bg"), ("Protagonist", "a.ru")]):
        doc = Document(f"NATO text {i}.", id=f"n{i}", language="en", source=outlet, published=date(2024, 3 + i, 1))
        doc.add_spans("entities", [Span(0, 4, role, 0.7, {"entity": "NATO", "entity_id": "nato"})])
        docs.append(doc)
    with Store(db) as store:
        store.save(docs, pipeline_signature="sig")
    for spelling in ("НАТО", "नाटो", "OTAN", "Nato"):
        assert json.loads(invoke("query", "--entity", spelling, "--db", db, "--json").stdout)["documents"] == 3
    result = json.loads(invoke("query", "--entity", "НАТО", "--role", "Antagonist", "--by", "outlet", "--db", db,
                               "--json").stdout)
    assert result["documents"] == 2
    assert sorted((r["role"], r["outlet"], r["mentions"]) for r in result["rows"]) == [
        ("Antagonist", "a.ru", 1), ("Antagonist", "b.bg", 1)]
    result = json.loads(invoke("query", "--entity", "nato", "--by", "month", "--db", db, "--json").stdout)
    assert sorted(r["period"] for r in result["rows"]) == ["2024-03-01", "2024-04-01", "2024-05-01"]


def test_show_lists_each_entity_once_with_its_roles(db):
    from narrascope.document import Document, Span
    from narrascope.store import Store

    text = "Ukraine was shelled. " * 30
    doc = Document(text, id="long", language="en")
    doc.add_spans("entities", [Span(21 * i, 21 * i + 7, "Innocent" if i % 3 else "unclear", 0.6,
                                    {"entity": "Ukraine", "entity_id": "ukraine", "evidence": [21 * i, 21 * i + 20]})
                               for i in range(30)])
    with Store(db) as store:
        store.save([doc], pipeline_signature="sig")
    out = invoke("show", "long", "--db", db).stdout
    rows = [line for line in out.splitlines() if "Innocent" in line or "unclear" in line]
    assert len(rows) == 1 and "Innocent 20, unclear 10" in rows[0] and "Ukraine was shelled." in rows[0]
    rows = json.loads(invoke("show", "long", "--db", db, "--json").stdout)["entity_rows"]
    assert len(rows) == 1 and rows[0]["mentions"] == 30 and len(rows[0]["spans"]) == 30


def _count(db: str) -> tuple[int, int, str | None]:
    con = sqlite3.connect(db)
    try:
        docs = con.execute("select count(*) from documents").fetchone()[0]
        incomplete = con.execute("select count(*) from documents d where not exists (select 1 from annotations a "
                                 "where a.document_id = d.id and a.layer = 'segments')").fetchone()[0]
        status = con.execute("select status from runs order by id desc limit 1").fetchone()
        return docs, incomplete, status[0] if status else None
    except sqlite3.OperationalError:
        return 0, 0, None
    finally:
        con.close()


@pytest.mark.slow  # a real analysis process killed mid-run, then resumed
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_run_leaves_store_consistent_and_resumes_without_duplicates(tmp_path, db, sig):
    n = 2000
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"doc-{i}", "title": f"T{i}", "text": f"Title {i}\n\nBody number {i}. "
                                        "Another sentence here."}) + "\n" for i in range(n)), encoding="utf-8")
    cmd = [sys.executable, "-m", "narrascope", "analyze", str(feed), "--db", db, *FAST, "--batch-size", "10", "--quiet"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and _count(db)[0] < 50:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    stored, incomplete, status = _count(db)
    assert 0 < stored < n, "the run should have been stopped part-way"
    assert incomplete == 0  # every stored document has its layers: batches are atomic
    assert stored % 10 == 0
    assert status == ("interrupted" if sig == signal.SIGTERM else "running"), stderr.decode()[-3000:]
    if sig == signal.SIGTERM:
        assert proc.returncode == 130
    resumed = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout.splitlines()[-1])
    assert summary["unchanged"] == stored and summary["analysed"] == n - stored
    assert _count(db) == (n, 0, "finished")


@pytest.mark.ray
def test_ray_shards_then_import_match_the_in_process_run(tmp_path, db):
    pytest.importorskip("ray")
    skip = FAST[:-2]  # Ray decides the parallelism itself
    assert invoke("analyze", EXAMPLES, "--db", db, *skip, "--quiet").exit_code == 0
    shards = tmp_path / "shards"
    made = invoke("analyze", EXAMPLES, *skip, "--ray", "local", "--out-shards", shards)
    assert made.exit_code == 0 and "5 analysed" in made.stdout
    imported_db = str(tmp_path / "imported.db")
    assert invoke("import", shards, "--db", imported_db).exit_code == 0
    def exported(path: str) -> list[dict]:
        return sorted((json.loads(line) for line in invoke("export", "--db", path).stdout.splitlines()), key=lambda d: d["id"])

    assert exported(db) == exported(imported_db)


def test_show_hides_possible_labels_and_prints_reader_comments_apart(db):
    from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, SEGMENTS, Document, Label, Span
    from narrascope.store import Store

    text = "Article about the war.\n\nReader says: the climate is doomed."
    doc = Document(text, id="commented")
    doc.add_spans(SEGMENTS, [Span(0, 22, "body"), Span(24, len(text), "comment")])
    doc.cats[NARRATIVES] = [Label("URW: Amplifying war-related fears", 0.9, [Span(0, 22, "x")], {"display_threshold": 0.4}),
                            Label("URW: Praise of Russia", 0.2, [], {"display_threshold": 0.4})]
    doc.cats[COMMENT_NARRATIVES] = [Label("CC: Amplifying Climate Fears", 0.8, [Span(24, len(text), "x")],
                                          {"display_threshold": 0.4})]
    with Store(db) as store:
        store.save([doc], pipeline_signature="t")
    shown = invoke("show", "commented", "--db", db).stdout
    assert "Amplifying war-related fears" in shown and "Praise of Russia" not in shown
    assert "1 possible label(s)" in shown
    assert "Reader comments" in shown and "CC: Amplifying Climate Fears" in shown
    everything = invoke("show", "commented", "--db", db, "--possible").stdout
    assert "Praise of Russia (possible)" in everything


def test_show_says_on_one_line_that_labels_are_hidden_when_none_is_shown(db):
    from narrascope.document import NARRATIVES, Document, Label
    from narrascope.store import Store

    doc = Document("A plain report.", id="weak")
    doc.cats[NARRATIVES] = [Label("URW: Praise of Russia", 0.2, [], {"display_threshold": 0.4}),
                            Label("URW: Discrediting Ukraine", 0.3, [], {"display_threshold": 0.4})]
    with Store(db) as store:
        store.save([doc], pipeline_signature="t")
    shown = invoke("show", "weak", "--db", db).stdout
    assert "2 possible label(s) hidden (--possible shows them)" in shown
    assert "Praise of Russia" not in shown


def test_list_and_query_count_only_shown_narratives_unless_possible(db):
    from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, Document, Label
    from narrascope.store import Store

    doc = Document("Article about the war.", id="weak")
    doc.cats[NARRATIVES] = [Label("URW: Amplifying war-related fears", 0.9, [], {"display_threshold": 0.4}),
                            Label("URW: Praise of Russia", 0.2, [], {"display_threshold": 0.4})]
    doc.cats[COMMENT_NARRATIVES] = [Label("CC: Amplifying Climate Fears", 0.8, [], {"display_threshold": 0.4})]
    with Store(db) as store:
        store.save([doc], pipeline_signature="t")

    def listed(*extra: str) -> dict:
        return json.loads(invoke("list", "--db", db, "--narrative", "URW: Praise of Russia", "--json", *extra).stdout)

    assert listed()["total"] == 0 and listed()["possible"] is False
    assert [d["id"] for d in listed("--possible")["documents"]] == ["weak"]
    assert {n["name"]: n["possible"] for n in listed("--possible")["documents"][0]["narratives"]} == {
        "URW: Amplifying war-related fears": False, "URW: Praise of Russia": True}
    counted = json.loads(invoke("query", "--by", "narrative", "--db", db, "--json").stdout)
    assert counted["rows"] == [{"label": "URW: Amplifying war-related fears", "documents": 1, "share": 1.0}]
    with_possible = json.loads(invoke("query", "--by", "narrative", "--db", db, "--json", "--possible").stdout)
    assert {r["label"] for r in with_possible["rows"]} == {"URW: Amplifying war-related fears", "URW: Praise of Russia"}
    table = invoke("query", "--by", "narrative", "--db", db).stdout
    assert "shown labels only" in table and "Praise of Russia" not in table
    assert "CC: Amplifying Climate Fears" not in invoke("list", "--db", db, "--possible").stdout  # comments stay apart
    assert "URW: Praise of Russia" in invoke("export", "--db", db, "--format", "semeval").stdout  # decoder's decisions
