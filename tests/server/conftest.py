"""Fixtures for the server tests: a tiny keyword analyser standing in for the trained models, an app on a temporary
SQLite store, and a small stored corpus with known labels, outlets, languages and dates."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
import uvicorn
from fastapi.testclient import TestClient

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, TECHNIQUES, Document, Label, Span
from narrascope.pipeline import PipelineConfig, register_analyser
from narrascope.server import Settings, create_app
from narrascope.store import Store

WAR = "URW: Amplifying war-related fears"
WAR_SUB = "URW: Amplifying war-related fears: By continuing the war we risk WWIII"
CLIMATE = "CC: Amplifying Climate Fears"
COMPONENTS = ["segmenter", "sentences", "test-framing"]


@register_analyser("test-framing")
class KeywordFraming:
    """Narratives from keywords ("war", "climate") with the matching sentences as evidence; NATO as antagonist;
    the word "terrible" as loaded language. Deterministic, instant, and enough to exercise every layer."""

    name = "test-framing"
    version = "1"
    requires = ("sentences",)
    assigns = (NARRATIVES, SUBNARRATIVES, ENTITIES, TECHNIQUES)

    def predict(self, docs: list[Document]) -> list[Document]:
        return docs

    def set_annotations(self, docs: list[Document], predictions: list[Document]) -> None:
        for doc in docs:
            sentences = doc.sentences()
            war = [s for s in sentences if "war" in doc.quote(s).lower()]
            climate = [s for s in sentences if "climate" in doc.quote(s).lower()]
            doc.cats[NARRATIVES] = ([Label(WAR, 0.91, war)] if war else []) + \
                ([Label(CLIMATE, 0.64, climate)] if climate else [])
            doc.cats[SUBNARRATIVES] = [Label(WAR_SUB, 0.55, war[:1])] if war else []
            doc.add_spans(ENTITIES, [Span(m.start(), m.end(), "Antagonist", 0.8, {"entity": "NATO", "fine_roles": ["Instigator"]})
                                     for m in re.finditer(r"\bNATO\b", doc.text)])
            doc.add_spans(TECHNIQUES, [Span(m.start(), m.end(), "Loaded_Language", 0.7)
                                       for m in re.finditer(r"\bterrible\b", doc.text)])


def settings_for(tmp_path, **overrides) -> Settings:
    values = {"db_url": str(tmp_path / "server.db"), "pipeline": PipelineConfig(components=COMPONENTS)}
    values.update(overrides)
    return Settings(**values)


def corpus_document(i: int, text: str, *, source: str, language: str, published: date,
                    narratives: list[str], title: str | None = None) -> Document:
    """A stored-looking analysed document; each narrative's evidence is the whole first sentence."""
    doc = Document(text=text, id=f"doc-{i}", title=title or f"Article {i}", source=source, language=language,
                   published=published)
    first = Span(0, text.index(".") + 1, "sentence")
    doc.cats[NARRATIVES] = [Label(n, 0.8, [first]) for n in narratives]
    at = text.find("NATO")
    if at >= 0:
        doc.spans[ENTITIES] = [Span(at, at + 4, "Antagonist", 0.9, {"entity": "NATO"})]
    return doc


CORPUS = [
    # id, outlet, language, date, narratives
    (1, "daily.example", "en", date(2024, 1, 3), [WAR]),
    (2, "daily.example", "en", date(2024, 1, 20), [WAR, CLIMATE]),
    (3, "weekly.example", "bg", date(2024, 2, 5), [CLIMATE]),
    (4, "weekly.example", "en", date(2024, 3, 11), [WAR]),
    (5, "other.example", "ru", date(2024, 3, 30), []),
]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def make_settings(tmp_path):
    """Settings for this test's store with some values overridden."""
    return lambda **overrides: settings_for(tmp_path, **overrides)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def save_corpus(db_url: str) -> list[Document]:
    docs = [corpus_document(i, f"NATO is mentioned in article {i}. Some more text about things number {i}.",
                            source=s, language=lang, published=d, narratives=n) for i, s, lang, d, n in CORPUS]
    with Store(db_url) as store:
        store.save(docs, pipeline_signature="test")
    return docs


@pytest.fixture
def corpus(settings) -> list[Document]:
    """Five documents saved straight into the app's store (no analysis needed)."""
    return save_corpus(settings.db_url)


@pytest.fixture
def postgres_settings(tmp_path, postgres_url):
    """Settings on a new, empty PostgreSQL database (see ``postgres_url`` in tests/conftest.py)."""
    return settings_for(tmp_path, db_url=postgres_url)


@pytest.fixture
def postgres_client(postgres_settings):
    """A client of an app on PostgreSQL holding the five-document corpus."""
    save_corpus(postgres_settings.db_url)
    with TestClient(create_app(postgres_settings)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(app) -> Iterator[str]:
    """An application (``create_app(settings)``) under uvicorn on 127.0.0.1 and a free port, in a thread; yields
    its address."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
