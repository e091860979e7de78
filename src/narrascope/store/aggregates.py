"""Corpus aggregates for the dashboard, ``query`` and the comparison view, computed in one pass over the same filters
as :class:`~narrascope.store.Store`.

``Store.label_counts`` answers one grouping per query; a dashboard needs several (totals, per period, per outlet,
per language, pairs), each joining every label row to its document; on SQLite, reading a document's metadata that
way steps over its stored text, once per label. Here the labels and the documents' metadata are read once each,
in index-only queries (see migration 0006), and grouped in Python.

Every figure counts documents, never labels: a document carrying two narratives counts once in its outlet's total.

Results are cached per store until its data changes (:func:`data_version`, kept by triggers of migration 0006), so
a dashboard reloaded, shared or switched between views is answered without recomputing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import select, text

from narrascope.document import NARRATIVES
from narrascope.store import DocumentFilter, Store
from narrascope.store.copies import count_texts
from narrascope.store.schema import DocumentRow

__all__ = ["INTERVALS", "STACKS", "VIEWS", "period_start", "label_breakdown", "parse_side", "compare", "view_table", "table_csv",
           "cached", "clear_cache", "compute_breakdown", "data_version", "OncePerText"]

INTERVALS = ("day", "week", "month")
STACKS = ("narrative", "outlet", "language")
# Filters on labels; an outlet's or language's share is taken over its documents under every other filter.
LABEL_FILTERS = ("narrative", "also_narrative", "subnarrative")


def period_start(day: date, period: str) -> date:
    """The day itself, the Monday of its week, or the first day of its month."""
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "day":
        return day
    raise ValueError(f"period must be one of {', '.join(INTERVALS)}")


class OncePerText(Counter):
    """A counter of documents in which exact re-uploads (one text under several ids) count once per key."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[Any, str]] = set()

    def add(self, key: Any, content_hash: str) -> None:
        """Count ``key`` for the text with ``content_hash``, unless that text was counted for it already."""
        if (key, content_hash) not in self._seen:
            self._seen.add((key, content_hash))
            self[key] += 1



def _next_period(start: date, period: str) -> date:
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7 if period == "week" else 1)


def _rows(counter: Counter, key: str, totals: Counter | None = None) -> list[dict[str, Any]]:
    rows = [{"label": label, key: group, "documents": n} | ({"share": n / totals[group]} if totals else {})
            for (label, group), n in counter.items()]
    return sorted(rows, key=lambda r: (-r["documents"], r["label"], str(r[key])))


def _groups(counter: Counter, key: str) -> list[dict[str, Any]]:
    return sorted(({key: group, "documents": n} for group, n in counter.items()),
                  key=lambda r: (-r["documents"], str(r[key])))


CACHE_ENTRIES = 64
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


def data_version(store: Store) -> int:
    """A number that changes whenever a document is inserted, updated or deleted (committed), from migration 0006's
    ``store_changes``."""
    sql = ("SELECT count(*) FROM store_changes" if store.engine.dialect.name == "postgresql"
           else "SELECT version FROM store_changes WHERE id = 1")
    with store.engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def cached(store: Store, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered for this store until its data changes. The version is read first, so a write that
    lands during the computation only makes the entry unused, never stale. Callers must not modify the result."""
    entry = (store.url, data_version(store), key)
    with _cache_lock:
        if entry in _cache:
            _cache.move_to_end(entry)
            return _cache[entry]
    value = compute()
    with _cache_lock:
        _cache[entry] = value
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget every cached view (benchmarks use it to time the computation itself)."""
    with _cache_lock:
        _cache.clear()


def label_breakdown(store: Store, flt: DocumentFilter | None = None, *, layer: str = NARRATIVES,
                    period: str = "month", stack: str = "narrative") -> dict[str, Any]:
    """:func:`compute_breakdown`, cached until the store's data changes."""
    flt = flt or DocumentFilter()
    return cached(store, ("breakdown", layer, period, stack, dataclasses.astuple(flt)),
                  lambda: compute_breakdown(store, flt, layer=layer, period=period, stack=stack))


def compute_breakdown(store: Store, flt: DocumentFilter | None = None, *, layer: str = NARRATIVES,
                      period: str = "month", stack: str = "narrative") -> dict[str, Any]:
    """Documents per label of ``layer`` among matching documents: overall, over time, per outlet and language, and
    per unordered pair of labels found in the same document.

    Returns ``documents`` (matching), ``undated`` (matching, without a publication date), and rows:
    ``labels`` ``{label, documents, share}`` (share of the matching documents); ``periods`` ``{period,
    documents}`` for every ``period`` (day, week or month, ISO start date) from the first dated document to the
    last, empty ones included, so gaps stay gaps; ``over_time`` ``{period, group, documents}``, the group being
    each label (``stack="narrative"``), outlet or language; ``outlets`` / ``languages`` ``{outlet|language,
    documents}`` (every document of the group under the filter's non-label conditions) and ``by_outlet`` /
    ``by_language`` ``{label, outlet|language, documents, share}`` (share of the group's documents); ``pairs``
    ``{a, b, documents}`` with ``a < b``.

    Labels are reviewed where corrections exist, else predicted (``flt.predicted``: predicted only); possible labels
    (below their display threshold) count only with ``flt.possible``, as on the document page. Exact re-uploads
    count once everywhere, numerators and denominators alike (:class:`OncePerText`, as ``count_texts`` in the
    store's SQL counts).
    """
    if period not in INTERVALS:
        raise ValueError(f"period must be one of {', '.join(INTERVALS)}")
    if stack not in STACKS:
        raise ValueError(f"stack must be one of {', '.join(STACKS)}")
    flt = flt or DocumentFilter()
    unset: dict[str, Any] = {name: None for name in LABEL_FILTERS}
    base = dataclasses.replace(flt, **unset)
    matching = store.filtered_query(flt)
    A = flt.labels(layer).subquery().c
    labels_stmt = select(A.document_id, A.label)
    if not flt.is_empty():
        labels_stmt = labels_stmt.where(A.document_id.in_(matching.with_only_columns(DocumentRow.id)))
    meta_stmt = matching.with_only_columns(DocumentRow.id, DocumentRow.published, DocumentRow.source,
                                           DocumentRow.language, DocumentRow.content_hash)
    labels_of: dict[str, set[str]] = defaultdict(set)
    with store.engine.connect() as connection:  # Core rows: no ORM overhead on thousands of tuples
        for doc_id, label in connection.execute(labels_stmt):
            labels_of[doc_id].add(label)
        meta = {row[0]: row[1:] for row in connection.execute(meta_stmt)}
        outlets, languages = OncePerText(), OncePerText()
        if base == flt:
            for _, source, language, content_hash in meta.values():
                outlets.add(source, content_hash)
                languages.add(language, content_hash)
        else:  # the groups' documents under the non-label filters: counted by the database, from its indexes
            group_of = store.filtered_query(base).subquery()
            for counter, column in ((outlets, group_of.c.source), (languages, group_of.c.language)):
                counter.update(dict(connection.execute(
                    select(column, count_texts(group_of.c.content_hash)).group_by(column)).all()))

    texts, undated = set(), set()
    totals, dated, over_time, by_outlet, by_language, pairs = (OncePerText() for _ in range(6))
    starts: dict[date, str] = {}
    for doc_id, (published, source, language, content_hash) in meta.items():
        texts.add(content_hash)
        labels = labels_of.get(doc_id, ())
        if published:
            start = starts.get(published) or starts.setdefault(published, period_start(published, period).isoformat())
            dated.add(start, content_hash)
            if stack == "narrative":
                for label in labels:
                    over_time.add((start, label), content_hash)
            else:
                over_time.add((start, source if stack == "outlet" else language), content_hash)
        else:
            undated.add(content_hash)
        for label in labels:
            totals.add(label, content_hash)
            by_outlet.add((label, source), content_hash)
            by_language.add((label, language), content_hash)
        for pair in combinations(sorted(labels), 2):
            pairs.add(pair, content_hash)
    documents = len(texts)
    return {
        "documents": documents,
        "undated": len(undated),
        "labels": sorted(({"label": k, "documents": n, "share": n / documents} for k, n in totals.items()),
                         key=lambda r: (-r["documents"], r["label"])),
        "periods": _every_period(dated, period),
        "over_time": sorted(({"period": p, "group": g, "documents": n} for (p, g), n in over_time.items()),
                            key=lambda r: (r["period"], -r["documents"], str(r["group"]))),
        "outlets": _groups(outlets, "outlet"),
        "languages": _groups(languages, "language"),
        "by_outlet": _rows(by_outlet, "outlet", outlets),
        "by_language": _rows(by_language, "language", languages),
        "pairs": sorted(({"a": a, "b": b, "documents": n} for (a, b), n in pairs.items()),
                        key=lambda r: (-r["documents"], r["a"], r["b"])),
    }


def _every_period(dated: Counter[str], period: str) -> list[dict[str, Any]]:
    """Dated documents per period from the first to the last, with the empty periods between them."""
    if not dated:
        return []
    start, last = date.fromisoformat(min(dated)), date.fromisoformat(max(dated))
    out = []
    while start <= last:
        key = start.isoformat()
        out.append({"period": key, "documents": dated.get(key, 0)})
        start = _next_period(start, period)
    return out


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _date_bound(value: str, *, end: bool) -> date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as its first day (or, with ``end``, its last day)."""
    if not _DATE.match(value):
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    first = date(parts[0], parts[1] if len(parts) == 2 else 1, 1)
    if not end:
        return first
    return (_next_period(first, "month") if len(parts) == 2 else date(parts[0] + 1, 1, 1)) - timedelta(days=1)


def parse_side(spec: str) -> dict[str, Any]:
    """One side of a comparison as filter changes: ``outlet:NAME``, ``language:CODE``, or a period ``FROM..TO``
    (either end may be left open; dates as YYYY, YYYY-MM or YYYY-MM-DD) or a single ``YYYY-MM`` / ``YYYY`` /
    ``YYYY-MM-DD``. :class:`ValueError` names what is wrong."""
    spec = spec.strip()
    kind, _, value = spec.partition(":")
    if kind in ("outlet", "language") and value.strip():
        return {kind: value.strip()}
    try:
        if ".." in spec:
            low, _, high = spec.partition("..")
            since = _date_bound(low.strip(), end=False) if low.strip() else None
            until = _date_bound(high.strip(), end=True) if high.strip() else None
            if since is None and until is None:
                raise ValueError("a period needs at least one end")
        else:
            since, until = _date_bound(spec, end=False), _date_bound(spec, end=True)
    except ValueError as exc:
        raise ValueError(f"{spec!r}: compare outlet:NAME, language:CODE or a period FROM..TO ({exc})") from None
    if since and until and since > until:
        raise ValueError(f"{spec!r}: the period ends before it starts")
    return {"since": since, "until": until}


def compare(store: Store, flt: DocumentFilter | None, side_a: str, side_b: str, *,
            layer: str = NARRATIVES) -> dict[str, Any]:
    """Two outlets, languages or periods side by side under the same other filters: per label, the documents of each
    side carrying it and their share of that side's documents, and the difference of shares (B minus A, in
    percentage points)."""
    flt = flt or DocumentFilter()
    sides = {}
    for name, spec in (("a", side_a), ("b", side_b)):
        side_filter = dataclasses.replace(flt, **parse_side(spec))
        breakdown = label_breakdown(store, side_filter, layer=layer)
        sides[name] = {"spec": spec, "documents": breakdown["documents"], "undated": breakdown["undated"],
                       "labels": {r["label"]: r["documents"] for r in breakdown["labels"]}}
    rows = []
    for label in sorted(sides["a"]["labels"].keys() | sides["b"]["labels"].keys()):
        row: dict[str, Any] = {"label": label}
        for name, side in sides.items():
            n = side["labels"].get(label, 0)
            row[f"{name}_documents"] = n
            row[f"{name}_share"] = n / side["documents"] if side["documents"] else 0.0
        row["difference"] = round(100 * (row["b_share"] - row["a_share"]), 1)
        rows.append(row)
    rows.sort(key=lambda r: (-(r["a_documents"] + r["b_documents"]), r["label"]))
    return {"a": {k: v for k, v in sides["a"].items() if k != "labels"},
            "b": {k: v for k, v in sides["b"].items() if k != "labels"}, "rows": rows}


VIEWS = ("narratives", "outlets", "languages", "time", "pairs")


def view_table(view: str, data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """One view of a :func:`label_breakdown` (or, for ``"compare"``, of :func:`compare`) as flat rows with named
    columns: what ``query --json/--csv``, the API's CSV and JSON views and the UI's downloads all print."""
    if view == "narratives":
        return ["label", "documents", "share"], [dict(r) for r in data["labels"]]
    if view in ("outlets", "languages"):
        key = view[:-1]  # every group, largest first, with a row per label (or one without a label when it has none)
        labelled: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for r in data[f"by_{key}"]:
            labelled[r[key]].append(r)
        rows = [{key: g[key], f"{key}_documents": g["documents"], "label": r["label"], "documents": r["documents"],
                 "share": r["share"]}
                for g in data[view] for r in labelled.get(g[key]) or [{"label": None, "documents": 0, "share": 0.0}]]
        return [key, f"{key}_documents", "label", "documents", "share"], rows
    if view == "time":
        groups = sorted({r["group"] for r in data["over_time"]}, key=lambda g: (g is None, str(g)))
        cells = {(r["period"], r["group"]): r["documents"] for r in data["over_time"]}
        names = [g if g is not None else "unknown" for g in groups]
        rows = [{"period": p["period"], "documents": p["documents"],
                 **{name: cells.get((p["period"], g), 0) for name, g in zip(names, groups)}} for p in data["periods"]]
        return ["period", "documents", *names], rows
    if view == "pairs":
        return ["a", "b", "documents"], [dict(r) for r in data["pairs"]]
    if view == "compare":
        return ["label", "a_documents", "a_share", "b_documents", "b_share", "difference"], [dict(r) for r in data["rows"]]
    raise ValueError(f"no view {view!r}; choose one of {', '.join(VIEWS + ('compare',))}")


def table_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """A view's rows as CSV (shares to four decimals, unknown outlets and languages as empty cells)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else round(v, 4) if isinstance(v, float) else v for k, v in row.items()})
    return out.getvalue()
