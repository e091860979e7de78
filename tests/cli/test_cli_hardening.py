"""Issue 13 through the real CLI in subprocesses: stop signals inside a long document, problems said when found,
workers that die with their parent, unreadable input named, id conflicts with stored documents settled visibly."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.distributed.memory import descendants
from narrascope.store import Store

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--workers", "1"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
runner = CliRunner()


def _lines_of(stream, into: list[str]) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.extend(iter(stream.readline, "")), daemon=True)
    thread.start()
    return thread


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow  # a real analysis process stopped inside a long document
def test_sigterm_stops_a_run_inside_a_long_document_and_problems_are_said_when_found(tmp_path):
    """Issue 13.12: SIGTERM was honoured only between batches (minutes inside a huge document), and a file over
    --max-chars was reported only at the end of the run."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "0-big.txt").write_text("Big\n\n" + "word " * 400, encoding="utf-8")
    (folder / "1-fast.txt").write_text("Fast\n\nA quick article.", encoding="utf-8")
    (folder / "2-slow.txt").write_text("Slow\n\nA SLOW article that takes minutes.", encoding="utf-8")
    marker, db = tmp_path / "slow-started", str(tmp_path / "cli.db")
    cmd = [sys.executable, "-m", "tests.cli.slow_cli", "analyze", str(folder), "--db", db, "--skip", "narratives",
           "--skip", "entities", "--workers", "1", "--batch-size", "1", "--max-chars", "1000", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**ENV, "SLOW_MARKER": str(marker)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    reader = _lines_of(proc.stderr, stderr)
    try:
        _wait_for(marker.exists, 120, "the slow document to start")
        assert any("0-big.txt" in line and "too large" in line for line in stderr), stderr  # said before the end
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    reader.join(5)
    assert proc.returncode == 130 and took < 5, (took, "".join(stderr))
    with Store(db) as store:
        (run,) = store.runs()
        assert [d.id for d in store.iter_documents()] == ["1-fast.txt"]
        assert run["status"] == "interrupted" and (run["n_analysed"], run["n_failed"]) == (1, 1)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.slow  # worker processes
def test_worker_processes_exit_when_the_parent_is_killed(tmp_path):
    """Issue 13.10: after ``kill -9`` of ``analyze --workers 2`` its worker processes lived on."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Title {i}\n\nBody number {i}. More text here."}) + "\n"
                            for i in range(20000)), encoding="utf-8")
    db = str(tmp_path / "cli.db")
    cmd = [sys.executable, "-m", "narrascope", "analyze", str(feed), "--db", db, "--skip", "narratives", "--skip",
           "entities", "--skip", "techniques", "--workers", "2", "--batch-size", "20", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: len(descendants(proc.pid)) >= 2 and Path(db).exists() and Store(db).count() > 0, 180,
                  "workers to analyse")
        children = descendants(proc.pid)
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in children if _alive(p)], "worker processes outlived their parent"
    finally:
        proc.kill()


def test_unreadable_folders_and_broken_or_looping_links_are_named_with_exit_3(tmp_path, monkeypatch):
    """Issue 13.11: these gave "0 analysed, 0 skipped" and exit 0, or vanished without a word."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.txt").write_text("Good\n\nA fine article.", encoding="utf-8")
    (folder / "locked" / "hidden.txt").write_text("Hidden\n\nUnreachable.", encoding="utf-8")
    (folder / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "loops").mkdir()
    (folder / "loops" / "back").symlink_to(folder)
    (folder / "locked").chmod(0)
    if os.geteuid() == 0:  # root lists every folder whatever its mode: make the listing fail as it would for others
        listing = os.scandir

        def scandir(path="."):
            if Path(path) == folder / "locked":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return listing(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        result = runner.invoke(app, ["analyze", str(folder), "--db", str(tmp_path / "cli.db"), *FAST, "--quiet"])
        alone = runner.invoke(app, ["analyze", str(folder / "locked"), "--db", str(tmp_path / "cli.db"), *FAST])
    finally:
        (folder / "locked").chmod(0o755)
    said = " ".join((result.stdout + result.stderr).split())
    assert result.exit_code == 3 and "1 analysed" in said, said
    assert f"{folder / 'locked'}: cannot read folder: Permission denied" in said
    assert f"{folder / 'broken.txt'}: broken symbolic link" in said
    assert f"{folder / 'loop.txt'}: symbolic link loop" in said
    assert f"{folder / 'loops' / 'back'}: symbolic link loop: it leads back to a folder being read" in said
    assert alone.exit_code == 3 and "cannot read folder" in alone.stderr


def test_an_id_conflict_with_a_stored_document_is_said_and_settled_as_asked(tmp_path):
    """Issue 13.7 through the CLI: the conflict, its policy and the default are in the run summary."""
    db = str(tmp_path / "cli.db")
    for outlet in ("a", "b"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "x.txt").write_text(f"Title\n\nThe story as outlet {outlet} tells it.", encoding="utf-8")
    assert runner.invoke(app, ["analyze", str(tmp_path / "a"), "--db", db, *FAST]).exit_code == 0
    skipped = runner.invoke(app, ["analyze", str(tmp_path / "b"), "--db", db, *FAST])
    said = " ".join((skipped.stdout + skipped.stderr).split())
    assert skipped.exit_code == 3 and "1 id conflicts with stored documents, settled by --on-conflict skip" in said
    assert f"already stored with different text, read from {tmp_path / 'a' / 'x.txt'}" in said
    kept = runner.invoke(app, ["analyze", str(tmp_path / "b"), "--db", db, *FAST, "--on-conflict", "keep-both"])
    assert kept.exit_code == 0 and "settled by --on-conflict keep-both" in " ".join(kept.stdout.split())
    with Store(db) as store:
        assert store.count() == 2 and store.get("x.txt").text.endswith("outlet a tells it.")
