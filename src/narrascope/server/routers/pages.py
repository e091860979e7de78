"""The web UI: dashboard, comparison, document list, document view, analyse form and job progress (server-rendered)."""

from __future__ import annotations

import calendar
import copy
from collections import defaultdict
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote_plus, urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, SEGMENTS, SUBNARRATIVES, Document
from narrascope.export import FORMATS
from narrascope.ingest.metadata import with_own_metadata
from narrascope.review import ReviewError, correct, review_queue
from narrascope.server import charts
from narrascope.server.analysis import AnalysisService
from narrascope.server.deps import document_filter, filter_params, get_service, get_settings, get_store, reviewer_of
from narrascope.server.render import (
    colour_class,
    document_path,
    entity_table,
    legend,
    orphan_subnarratives,
    reader_comments,
    render_document,
    technique_table,
)
from narrascope.server.schemas import DashboardData, SortQuery
from narrascope.server.services import (
    analyse_one,
    check_text,
    dashboard_data,
    read_upload,
    upload_metadata,
    upload_options,
)
from narrascope.server.settings import Settings
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import compare, parse_side
from narrascope.store.copies import earliest_publication
from narrascope.store.review import LABEL_LAYERS, Correction, apply_corrections, review_state
from narrascope.store.search import SORTS
from narrascope.taxonomy import load_entity_roles, load_taxonomy

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
TOP_BARS = 12
TOP_NARRATIVE_COLUMNS = 8
ROLE_ORDER = ("Protagonist", "Antagonist", "Innocent", "unclear")
FILTER_NAMES = {"narrative": "Narrative", "also_narrative": "With narrative", "subnarrative": "Sub-narrative", "entity": "Entity", "role": "Role",
                "technique": "Technique", "outlet": "Outlet", "language": "Language", "since": "From",
                "until": "To", "q": "Search", "possible": "Possible labels counted", "predicted": "Predictions only"}


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


@lru_cache(maxsize=8192)
def _quote(value: str) -> str:
    return quote_plus(value)


def documents_url(flt: DocumentFilter, path: str = "/documents", **changes: Any) -> str:
    """Link to the document list (or another page) for ``flt`` with some parameters changed (``None`` removes one)."""
    params = filter_params(flt)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value.isoformat() if isinstance(value, date) else str(value)
    return path + ("?" + "&".join(f"{k}={_quote(v)}" for k, v in params.items()) if params else "")


def _period_end(start: date, period: str) -> date:
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _filter_context(store: Store, flt: DocumentFilter, path: str) -> dict[str, Any]:
    """What the filter form on ``path`` needs: current values, choices, and removable chips for active filters."""
    params = filter_params(flt)
    chips = [{"name": FILTER_NAMES[k], "value": v, "remove": documents_url(flt, path, **{k: None})}
             for k, v in params.items()]
    return {
        "flt": flt, "params": params, "chips": chips,
        "narrative_choices": load_taxonomy().narratives,
        "outlet_choices": [r["value"] for r in store.field_counts("source") if r["value"]][:300],
        "language_choices": [r["value"] for r in store.field_counts("language") if r["value"]],
    }


def _period_label(start: str, period: str) -> str:
    return start[:7] if period == "month" else start


def _time_bars(data: DashboardData, flt: DocumentFilter, order: list[str]) -> list[charts.Bar]:
    """A column for every period from the first dated document to the last (an empty period stays an empty
    column), stacked by narrative, outlet or language; each segment links to its documents."""
    cells: dict[str, list[Any]] = defaultdict(list)
    for row in data.over_time:
        cells[row.period].append(row)
    rank = {name: i for i, name in enumerate(order)}
    bars = []
    for bucket in data.periods:
        start = date.fromisoformat(bucket.period)
        window: dict[str, Any] = {"since": start, "until": _period_end(start, data.period)}
        segments = []
        for row in sorted(cells.get(bucket.period, []), key=lambda r: (rank.get(r.group, len(rank)), str(r.group))):
            if data.stack == "narrative":
                href = documents_url(flt, narrative=row.group, **window)
            elif row.group is None:
                href = documents_url(flt, **window)
            else:
                href = documents_url(flt, **{data.stack: row.group}, **window)
            segments.append(charts.Segment(row.group or "unknown", row.documents,
                                           colour_class(row.group or "unknown"), href))
        bars.append(charts.Bar(_period_label(bucket.period, data.period), segments))
    return bars


def _group_view(totals: list[dict[str, Any]], rows: list[Any], key: str, flt: DocumentFilter,
                order: list[str]) -> dict[str, Any]:
    """Documents per outlet (or language) as bars, known ones only (the unknown apart), and each narrative's share of
    the group's documents as a table."""
    known = [t for t in totals if t[key] is not None][:TOP_BARS]
    unknown = next((t["documents"] for t in totals if t[key] is None), 0)
    bars = [charts.Bar(t[key], [charts.Segment("documents", t["documents"], "docs",
                                               documents_url(flt, **{key: t[key]}))]) for t in known]
    share = {(getattr(r, key), r.label): r for r in rows}
    columns = order[:TOP_NARRATIVE_COLUMNS]
    table = []
    for group in known + ([{key: None, "documents": unknown}] if unknown else []):
        cells = []
        for label in columns:
            row = share.get((group[key], label))
            cells.append({"share": row.share, "documents": row.documents,
                          "href": documents_url(flt, narrative=label, **({key: group[key]} if group[key] else {}))}
                         if row else None)
        table.append({"name": group[key], "documents": group["documents"], "cells": cells})
    return {"bars": bars, "unknown": unknown, "columns": columns, "table": table, "more": len(totals) - len(known)
            - (1 if unknown else 0)}


def build_dashboard(data: DashboardData, flt: DocumentFilter) -> dict[str, Any]:
    """Charts (as SVG markup), share tables and legend rows for the dashboard."""
    order = [n.label for n in data.narratives]
    narratives = [{"name": n.label, "count": n.documents, "share": n.share, "colour": colour_class(n.label),
                   "href": documents_url(flt, narrative=n.label)} for n in data.narratives]
    outlets = _group_view([r.model_dump() for r in data.outlets], data.by_outlet, "outlet", flt, order)
    languages = _group_view([r.model_dump() for r in data.languages], data.by_language, "language", flt, order)

    entity_segments: dict[str, list[charts.Segment]] = defaultdict(list)
    for row in data.entities:
        if row.entity:
            entity_segments[row.entity].append(charts.Segment(
                row.role, row.mentions, "role-" + row.role.lower(), documents_url(flt, entity=row.entity, role=row.role)))
    role_rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    entity_bars = sorted((charts.Bar(name, sorted(segs, key=lambda s: role_rank.get(s.name, 9)))
                          for name, segs in entity_segments.items()), key=lambda b: -b.total)[:15]

    pairs = {(p.a, p.b): p.documents for p in data.cooccurrence}
    in_pairs = [n for n in order if any(n in pair for pair in pairs)][:TOP_BARS]
    time_bars = _time_bars(data, flt, order)
    stacked = {"narrative": "narrative", "outlet": "outlet", "language": "language"}[data.stack]
    return {
        "narratives": narratives,
        "time_chart": charts.column_chart(time_bars, title=f"Documents per {data.period}, by {stacked}",
                                          empty=_no_time_axis(data)),
        "time_legend": sorted({(s.name, s.css) for bar in time_bars for s in bar.segments}) if data.stack != "narrative"
        else [],
        "outlets": outlets, "languages": languages,
        "outlet_chart": charts.bar_chart(outlets["bars"], title="Documents per outlet"),
        "language_chart": charts.bar_chart(languages["bars"], title="Documents per language", label_width=120),
        "cooccurrence_chart": charts.heatmap(in_pairs, pairs, lambda a, b: documents_url(flt, narrative=a, also_narrative=b),
                                             title="Documents carrying both narratives"),
        "entity_chart": charts.bar_chart(entity_bars, title="Most mentioned entities by role (mentions)"),
        "roles": ROLE_ORDER,
    }


def _no_time_axis(data: DashboardData) -> str:
    """Why the time chart is empty."""
    if not data.documents:
        return "No documents match these filters."
    if data.undated == data.documents:
        return (f"None of the {data.documents:,} matching documents has a publication date, so none can be placed "
                "in time. Dates come with the input: a date or published field in JSONL/CSV, or the page's metadata.")
    return "No data."


def view_links(params: dict[str, str], **extra: str) -> dict[str, str]:
    """CSV download addresses of the dashboard's views, under the same filters."""
    return {view: "/api/stats/views/" + view + "?" + urlencode({**params, **extra, "format": "csv"})
            for view in ("narratives", "time", "outlets", "languages", "pairs")}


@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    period: Annotated[str, Query(pattern="^(day|week|month)$")] = "month",
    stack: Annotated[str, Query(pattern="^(narrative|outlet|language)$")] = "narrative",
) -> HTMLResponse:
    try:
        data = dashboard_data(store, flt, period, stack)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    params = filter_params(flt)
    context = {"data": data, "period": period, "stack": stack, "page": "dashboard", "list_url": documents_url(flt),
               "csv": view_links(params, period=period, stack=stack),
               "compare_url": "/compare" + (f"?{urlencode(params)}" if params else ""),
               "hidden": {"period": period, "stack": stack}, **build_dashboard(data, flt),
               **_filter_context(store, flt, "/")}
    return _render(request, "dashboard.html", context)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    a: Annotated[str, Query(max_length=300)] = "",
    b: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    """Two outlets, languages or periods side by side; the address reproduces the comparison."""
    params = filter_params(flt)
    context: dict[str, Any] = {"page": "compare", "a": a, "b": b, "hidden": {"a": a, "b": b},
                               **_filter_context(store, flt, "/compare")}
    if a.strip() and b.strip():
        try:
            result = compare(store, flt, a, b)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        peak = max([r["a_share"] for r in result["rows"]] + [r["b_share"] for r in result["rows"]] + [0.01])
        context |= {"result": result, "peak": peak, "counted": flt.possible,
                    "rows": [{**r, "colour": colour_class(r["label"]),
                              "a_href": documents_url(flt, narrative=r["label"], **parse_side(a)),
                              "b_href": documents_url(flt, narrative=r["label"], **parse_side(b))}
                             for r in result["rows"]],
                    "csv_url": "/api/stats/compare?" + urlencode({**params, "a": a, "b": b, "format": "csv"}),
                    "api_url": "/api/stats/compare?" + urlencode({**params, "a": a, "b": b})}
    return _render(request, "compare.html", context)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    sort: SortQuery = "newest",
) -> HTMLResponse:
    total = store.count(flt, per_id=True)
    rows = store.list(flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, sort=sort)
    for row in rows:
        row["narratives"] = [{**n, "colour": colour_class(n["name"]), "href": documents_url(flt, narrative=n["name"])}
                             for n in sorted(row["narratives"], key=lambda n: -(n["score"] or 0))]
    pages = max(1, -(-total // PAGE_SIZE))
    params = filter_params(flt)
    sorting = {"sort": sort} if sort != "newest" else {}
    context = {"rows": rows, "total": total, "pagenum": page, "pages": pages, "page": "documents",
               "prev_url": documents_url(flt, page=page - 1, **sorting) if page > 1 else None,
               "next_url": documents_url(flt, page=page + 1, **sorting) if page < pages else None,
               "sort": sort, "sort_choices": SORTS,
               "exports": [(fmt, "/api/export?" + urlencode({**params, "format": fmt})) for fmt in FORMATS],
               "dashboard_url": "/" + (f"?{urlencode(params)}" if params else ""),
               **_filter_context(store, flt, "/documents")}
    return _render(request, "documents.html", context)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, store: Annotated[Store, Depends(get_store)]) -> HTMLResponse:
    predicted = store.get(doc_id, predicted=True)
    if predicted is None:
        raise HTTPException(404, f"No document with id {doc_id!r}.")
    corrections = store.corrections([doc_id]).get(doc_id, [])
    doc = apply_corrections(copy.deepcopy(predicted), corrections)  # it changes the copy in place
    context = document_context(doc, store.copies(doc_id) or []) | review_context(doc, predicted, corrections)
    return _render(request, "document.html", context)


def document_context(doc: Document, copies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"doc": doc, "copies": copies, "earliest": earliest_publication(doc, copies),
            "article": render_document(doc), "comments": reader_comments(doc), "legend": legend(doc),
            "comment_legend": legend(doc, COMMENT_NARRATIVES), "entities": entity_table(doc),
            "possible_labels": doc.possible_labels(), "orphan_subs": orphan_subnarratives(doc),
            "techniques": technique_table(doc), "page": "document",
            "segments": sorted({s.label for s in doc.spans.get(SEGMENTS, [])})}


def review_context(doc: Document, predicted: Document, corrections: list[Correction]) -> dict[str, Any]:
    """What the review controls need: the review state, labels reviewers rejected (to restore), the taxonomy labels
    one may add, and the entity roles to choose from."""
    shown = {(layer, lab.name) for layer in LABEL_LAYERS for lab in doc.cats.get(layer, [])}
    rejected = [{"layer": layer, "name": lab.name, "score": lab.score,
                 "reviewer": next((c.reviewer for c in corrections if c.target == lab.name and c.layer == layer), None)}
                for layer in LABEL_LAYERS for lab in predicted.cats.get(layer, []) if (layer, lab.name) not in shown]
    taxonomy, roles = load_taxonomy(), load_entity_roles()
    return {"review_state": review_state(predicted, corrections), "rejected": rejected,
            "add_narratives": [n for n in taxonomy.narratives if (NARRATIVES, n) not in shown],
            "add_subnarratives": [n for n in taxonomy.subnarratives if (SUBNARRATIVES, n) not in shown],
            "main_roles": roles.main_roles, "fine_roles": {r: roles.fine_roles_of(r) for r in roles.main_roles},
            "corrections": corrections}


@router.post("/review/{doc_id:path}", response_class=HTMLResponse)
def review_form(
    request: Request,
    doc_id: str,
    store: Annotated[Store, Depends(get_store)],
    action: Annotated[str, Form()],
    target: Annotated[str, Form(max_length=255)],
    layer: Annotated[str, Form()] = "label",
    start: Annotated[int | None, Form()] = None,
    end: Annotated[int | None, Form()] = None,
    role: Annotated[str, Form()] = "",
    fine_role: Annotated[str, Form()] = "",
) -> Response:
    """A correction from the document page's review controls; back to the page (``layer=label`` finds whether the
    target is a narrative or a sub-narrative)."""
    if store.get(doc_id, predicted=True) is None:
        raise HTTPException(404, f"No document with id {doc_id!r}.")
    if layer == "label":
        layer = SUBNARRATIVES if target in load_taxonomy().subnarratives else NARRATIVES
    try:
        correct(store, doc_id, layer, action, target, start=start, end=end, role=role or None,
                fine_roles=[fine_role] if fine_role else [], reviewer=reviewer_of(request))
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(document_path(doc_id), status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_queue_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
) -> HTMLResponse:
    """Documents most needing review first, with the reasons."""
    items = review_queue(store, flt, limit=PAGE_SIZE)
    return _render(request, "review.html", {"items": items, "page": "review", **_filter_context(store, flt, "/review")})


@router.get("/analyse", response_class=HTMLResponse)
def analyse_page(request: Request, service: Annotated[AnalysisService, Depends(get_service)]) -> HTMLResponse:
    return _render(request, "analyse.html", {"page": "analyse", "jobs": service.jobs()[:10],
                                             "components": service.component_names()})


@router.post("/analyse", response_class=HTMLResponse)
def analyse_form(
    request: Request,
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "",
    day: Annotated[str, Form(alias="date")] = "",
    url: Annotated[str, Form()] = "",
    author: Annotated[str, Form()] = "",
) -> Response:
    """Analyse pasted text, store it, and show it."""
    # Browsers submit textarea line breaks as CRLF (HTML form encoding); the text the user pasted has LF.
    text = text.replace("\r\n", "\n")
    try:
        check_text(text, settings)
        given = upload_metadata(outlet, day, url, author)
    except HTTPException as exc:
        return _analyse_error(request, service, str(exc.detail), text, exc.status_code)
    doc = with_own_metadata(Document(text=text, title=title.strip() or None),
                            {"source": given.outlet, "url": given.url, "published": given.published,
                             "author": given.author})
    try:
        stored = analyse_one(doc, service, save=True)
    except HTTPException as exc:
        return _analyse_error(request, service, str(exc.detail), text, exc.status_code)
    return RedirectResponse(document_path(stored.id), status_code=303)


@router.post("/analyse/upload", response_class=HTMLResponse)
async def analyse_upload(
    request: Request,
    files: Annotated[list[UploadFile], File()],
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
    outlet: Annotated[str, Form()] = "",
    day: Annotated[str, Form(alias="date")] = "",
    url: Annotated[str, Form()] = "",
    author: Annotated[str, Form()] = "",
) -> Response:
    """Analyse uploaded files as a background job (which also reads them) and show its progress; the outlet, date,
    URL and author given fill what a document does not say itself."""
    try:
        metadata = upload_metadata(outlet, day, url, author)
        uploads = [await read_upload(upload, settings) for upload in files if upload.filename]
    except HTTPException as exc:
        return await run_in_threadpool(_analyse_error, request, service, str(exc.detail), "", exc.status_code)
    if not uploads:
        return await run_in_threadpool(_analyse_error, request, service, "Choose at least one file.", "")
    job = service.submit(lambda: list(metadata.stream(service.read_files(uploads, upload_options(settings)))))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _analyse_error(request: Request, service: AnalysisService, message: str, text: str,
                   status_code: int = 422) -> HTMLResponse:
    return _render(request, "analyse.html", {"page": "analyse", "error": message, "text": text,
                                             "jobs": service.jobs()[:10],
                                             "components": service.component_names()},
                   status_code=status_code)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, service: Annotated[AnalysisService, Depends(get_service)],
             store: Annotated[Store, Depends(get_store)]) -> HTMLResponse:
    job = service.job(job_id)
    if job is None:
        raise HTTPException(404, f"No job with id {job_id!r} (jobs are forgotten when the server restarts).")
    shown = [store.get(i) for i in job.document_ids[:200]]
    return _render(request, "job.html", {"job": job, "page": "analyse", "docs": [d for d in shown if d]})
