"""``narrascope serve`` as a newcomer uses it: analyse a folder, serve it, open the printed address."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import narrascope
from narrascope.analysers.techniques import TechniqueAnalyser
from narrascope.cli import app
from narrascope.server.settings import is_loopback

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--workers", "1"]


def start_serve(*args: str) -> tuple[subprocess.Popen, str]:
    """Run ``narrascope serve`` on a free port; return the process and the address it printed."""
    env = {**os.environ, "PYTHONPATH": str(Path(narrascope.__file__).parents[1]), "COLUMNS": "300"}
    env.pop("NARRASCOPE_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-c", "from narrascope.cli import main; main()", "serve", "--port", "0",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
    if not match:
        proc.kill()
        raise AssertionError(f"no address printed: {line!r} {proc.stderr.read()}")
    return proc, match.group(1)


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/articles missing")
def test_analyze_a_folder_then_serve_and_browse_it(tmp_path):
    db = str(tmp_path / "newcomer.db")
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLES), "--db", db, *FAST])
    assert result.exit_code == 0, result.output
    proc, address = start_serve("--db", db)
    try:
        assert address.endswith(":" + address.rsplit(":", 1)[1])  # a concrete port, not 0
        with httpx.Client(timeout=30) as client:
            dashboard = client.get(address)
            assert dashboard.status_code == 200 and "Corpus dashboard" in dashboard.text
            listing = client.get(address + "api/documents").json()
            assert listing["total"] == len(list(EXAMPLES.glob("*.txt")))
            first = listing["items"][0]["id"]
            assert client.get(f"{address}documents/{first}").status_code == 200
            # a Host header other than the loopback names is refused (DNS rebinding)
            assert client.get(address, headers={"Host": "rebind.example"}).status_code == 400
    finally:
        stop(proc)


def test_serve_analyses_with_the_model_folder_it_was_given(tmp_path):
    """Issue 17: ``serve`` takes the same pipeline options as ``analyze``, and its runs record them."""
    from narrascope.models import model_version
    from narrascope.store import Store

    spec = importlib.util.spec_from_file_location("technique_corpus", FIXTURES / "techniques" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    toy = corpus.save_toy_model(tmp_path / "toy")
    db = str(tmp_path / "served.db")
    proc, address = start_serve("--db", db, "--skip", "narratives", "--skip", "entities", "--model", f"techniques={toy}")
    try:
        with httpx.Client(timeout=60) as client:
            analysed = client.post(address + "api/analyse", json={"text": "The so-called experts of group 7 made a claim.",
                                                                  "language": "en"})
            assert analysed.status_code == 200, analysed.text
            version = f"{TechniqueAnalyser.code_version}-{model_version(toy)}"
            assert analysed.json()["produced_by"]["techniques"]["version"] == version
    finally:
        stop(proc)
    with Store(db) as store:
        assert store.runs()[0]["config"]["models"] == {"techniques": toy}


def test_serve_with_token_prints_a_working_address(tmp_path):
    proc, address = start_serve("--db", str(tmp_path / "t.db"), "--token", "abc[1]&23")
    try:
        assert address.endswith("/?token=abc%5B1%5D%2623")
        with httpx.Client(timeout=30, follow_redirects=True) as client:
            assert client.get(address.split("?")[0] + "api/documents").status_code == 401
            page = client.get(address)  # trades the token for a cookie
            assert page.status_code == 200 and "Corpus dashboard" in page.text
            assert client.get(address.split("?")[0] + "api/documents").status_code == 200
    finally:
        stop(proc)


def test_serve_reports_a_bad_database_instead_of_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["serve", "--db", str(blocker / "x.db"), "--port", "0"])
    assert result.exit_code == 2
    assert "cannot open database" in result.output


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True),
                                            ("::1", True), ("[::1]", True), ("0.0.0.0", False),
                                            ("192.168.1.5", False), ("example.org", False)])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_serving_beyond_loopback_without_a_token_is_refused_unless_meant(tmp_path):
    """Issue 13.3: ``--host 0.0.0.0`` without a token only warned, then served the corpus to the network."""
    env = {k: v for k, v in os.environ.items() if k != "NARRASCOPE_TOKEN"}
    with socket.socket() as taken:  # a port in use: whatever gets past the checks stops at binding, never serves
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        serve = ["serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0", "--port", str(taken.getsockname()[1])]
        refused = CliRunner().invoke(app, serve, env=env)
        assert not (tmp_path / "s.db").exists()  # refused before anything was opened
        meant = CliRunner().invoke(app, [*serve, "--insecure-no-token"], env=env)
    assert refused.exit_code == 2 and "refusing to serve on 0.0.0.0 without --token" in " ".join(refused.output.split())
    assert meant.exit_code == 2 and "without a token (--insecure-no-token)" in " ".join(meant.output.split())
    assert "cannot listen on 0.0.0.0" in meant.output
