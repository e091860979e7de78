"""The dashboard warmer recomputes the whole-corpus dashboard when the store's data changes, and only then."""

from __future__ import annotations

import time

import pytest

from narrascope.document import Document, Label
from narrascope.server.services import dashboard_data
from narrascope.server.warm import DashboardWarmer
from narrascope.store import DocumentFilter, Store, aggregates
from narrascope.store.aggregates import data_version

WAR = "URW: Amplifying war-related fears"


def doc(i: int) -> Document:
    d = Document(f"Article number {i}.", id=f"d{i}", source="a.example", language="en")
    d.cats["narratives"] = [Label(WAR, 0.9)]
    return d


@pytest.fixture
def counted(monkeypatch):
    """The number of whole-corpus computations made (cache misses)."""
    calls = []
    compute = aggregates.compute_breakdown
    monkeypatch.setattr(aggregates, "compute_breakdown", lambda *a, **k: calls.append(1) or compute(*a, **k))
    aggregates.clear_cache()
    return calls


def test_refresh_computes_once_per_data_version_and_serves_the_dashboard(tmp_path, counted):
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        store.save([doc(1), doc(2)], pipeline_signature="s")
        warmer = DashboardWarmer(store)
        warmer.refresh()
        assert len(counted) == 1
        assert dashboard_data(store, DocumentFilter()).documents == 2 and len(counted) == 1  # served from the cache
        warmer.refresh()
        assert len(counted) == 1  # nothing changed: nothing recomputed
        store.save([doc(3)], pipeline_signature="s")
        warmer.refresh()
        assert len(counted) == 2
        assert dashboard_data(store, DocumentFilter()).documents == 3 and len(counted) == 2


def test_background_thread_follows_writes(tmp_path, counted):
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        warmer = DashboardWarmer(store, every=0.05).start()
        try:
            store.save([doc(1)], pipeline_signature="s")
            deadline = time.monotonic() + 10
            while warmer.refreshed_version != data_version(store) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert warmer.refreshed_version == data_version(store)
        finally:
            warmer.close()
        calls = len(counted)
        assert dashboard_data(store, DocumentFilter()).documents == 1 and len(counted) == calls
