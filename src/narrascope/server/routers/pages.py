"""The web UI: dashboard, document list, document view, analyse form and job progress (server-rendered)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote_plus, urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from narrascope.document import COMMENT_NARRATIVES, Document
from narrascope.export import FORMATS
from narrascope.server import charts
from narrascope.server.analysis import AnalysisService
from narrascope.server.deps import document_filter, filter_params, get_service, get_settings, get_store
from narrascope.server.render import (
    colour_class, document_path, entity_table, legend, reader_comments, render_document, technique_table,
)
from narrascope.server.routers.analyse import analyse_one, check_text, read_upload, upload_options
from narrascope.server.routers.stats import dashboard_data
from narrascope.server.schemas import DashboardData
from narrascope.server.settings import Settings
from narrascope.store import DocumentFilter, Store
from narrascope.taxonomy import load_taxonomy

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
TOP_BARS = 12
ROLE_ORDER = ("Protagonist", "Antagonist", "Innocent", "unclear")
FILTER_NAMES = {"narrative": "Narrative", "also_narrative": "With narrative", "subnarrative": "Sub-narrative", "entity": "Entity", "role": "Role",
                "technique": "Technique", "outlet": "Outlet", "language": "Language", "since": "From",
                "until": "To", "q": "Search", "possible": "Possible labels counted"}


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


def _narrative_bars(rows: list[dict[str, Any]], key: str, order: list[str], link: Any, *,
                    top: int | None = None) -> list[charts.Bar]:
    """Bars of narrative segments grouped by ``key``: the ``top`` largest groups (all if None) in group order."""
    grouped: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    groups = sorted(grouped, key=lambda g: -sum(r["count"] for r in grouped[g]))[:top] if top else sorted(grouped)
    rank = {name: i for i, name in enumerate(order)}
    return [charts.Bar(group or "unknown",
                       [charts.Segment(r["label"], r["count"], colour_class(r["label"]), link(group, r["label"]))
                        for r in sorted(grouped[group], key=lambda r: rank.get(r["label"], len(rank)))])
            for group in groups]


def build_dashboard(data: DashboardData, flt: DocumentFilter) -> dict[str, Any]:
    """Charts (as SVG markup) and legend rows for the dashboard."""
    order = [n.label for n in data.narratives]
    narratives = [{"name": n.label, "count": n.count, "colour": colour_class(n.label),
                   "href": documents_url(flt, narrative=n.label)} for n in data.narratives]

    def period_link(group: str | None, label: str) -> str:
        start = date.fromisoformat(group) if group else None
        return documents_url(flt, narrative=label, since=start,
                             until=_period_end(start, data.period) if start else None)

    time_bars = _narrative_bars([r.model_dump() for r in data.over_time if r.period], "period", order, period_link)
    if data.period == "month":  # label months as YYYY-MM rather than by their first day
        time_bars = [charts.Bar(bar.label[:7], bar.segments) for bar in time_bars]
    outlet_bars = _narrative_bars([r.model_dump() for r in data.by_outlet], "outlet", order,
                                  lambda g, lb: documents_url(flt, narrative=lb, outlet=g), top=TOP_BARS)
    language_bars = _narrative_bars([r.model_dump() for r in data.by_language], "language", order,
                                    lambda g, lb: documents_url(flt, narrative=lb, language=g), top=TOP_BARS)

    entity_segments: dict[str, list[charts.Segment]] = defaultdict(list)
    for row in data.entities:
        if row.entity:
            entity_segments[row.entity].append(charts.Segment(
                row.role, row.mentions, "role-" + row.role.lower(), documents_url(flt, entity=row.entity, role=row.role)))
    role_rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    entity_bars = sorted((charts.Bar(name, sorted(segs, key=lambda s: role_rank.get(s.name, 9)))
                          for name, segs in entity_segments.items()), key=lambda b: -b.total)[:15]

    pairs = {(p.a, p.b): p.count for p in data.cooccurrence}
    in_pairs = [n for n in order if any(n in pair for pair in pairs)][:TOP_BARS]
    period_name = "week" if data.period == "week" else "month"
    return {
        "narratives": narratives,
        "time_chart": charts.column_chart(time_bars, title=f"Documents per narrative and {period_name}"),
        "outlet_chart": charts.bar_chart(outlet_bars, title="Narratives by outlet"),
        "language_chart": charts.bar_chart(language_bars, title="Narratives by language", label_width=120),
        "cooccurrence_chart": charts.heatmap(in_pairs, pairs, lambda a, b: documents_url(flt, narrative=a, also_narrative=b),
                                             title="Narratives occurring in the same document"),
        "entity_chart": charts.bar_chart(entity_bars, title="Most mentioned entities by role"),
        "roles": ROLE_ORDER,
    }


@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    period: Annotated[str, Query(pattern="^(week|month)$")] = "month",
) -> HTMLResponse:
    data = dashboard_data(store, flt, period)
    context = {"data": data, "period": period, "page": "dashboard", "list_url": documents_url(flt),
               **build_dashboard(data, flt), **_filter_context(store, flt, "/")}
    return _render(request, "dashboard.html", context)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    total = store.count(flt)
    rows = store.list(flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for row in rows:
        row["narratives"] = [{**n, "colour": colour_class(n["name"]), "href": documents_url(flt, narrative=n["name"])}
                             for n in sorted(row["narratives"], key=lambda n: -(n["score"] or 0))]
    pages = max(1, -(-total // PAGE_SIZE))
    params = filter_params(flt)
    context = {"rows": rows, "total": total, "pagenum": page, "pages": pages, "page": "documents",
               "prev_url": documents_url(flt, page=page - 1) if page > 1 else None,
               "next_url": documents_url(flt, page=page + 1) if page < pages else None,
               "exports": [(fmt, "/api/export?" + urlencode({**params, "format": fmt})) for fmt in FORMATS],
               "dashboard_url": "/" + (f"?{urlencode(params)}" if params else ""),
               **_filter_context(store, flt, "/documents")}
    return _render(request, "documents.html", context)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, store: Annotated[Store, Depends(get_store)]) -> HTMLResponse:
    doc = store.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"No document with id {doc_id!r}.")
    return _render(request, "document.html", document_context(doc))


def document_context(doc: Document) -> dict[str, Any]:
    return {"doc": doc, "article": render_document(doc), "comments": reader_comments(doc), "legend": legend(doc),
            "comment_legend": legend(doc, COMMENT_NARRATIVES), "entities": entity_table(doc),
            "possible_labels": doc.possible_labels(),
            "techniques": technique_table(doc), "page": "document",
            "segments": sorted({s.label for s in doc.spans.get("segments", [])})}


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
    source: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
) -> Response:
    """Analyse pasted text, store it, and show it."""
    # Browsers submit textarea line breaks as CRLF (HTML form encoding); the text the user pasted has LF.
    text = text.replace("\r\n", "\n")
    try:
        check_text(text, settings)
        day = date.fromisoformat(published) if published.strip() else None
    except ValueError:
        return _analyse_error(request, service, "The date must be YYYY-MM-DD.", text)
    except HTTPException as exc:
        return _analyse_error(request, service, str(exc.detail), text, exc.status_code)
    doc = Document(text=text, title=title.strip() or None, source=source.strip() or None, published=day)
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
) -> Response:
    """Analyse uploaded files as a background job (which also reads them) and show its progress."""
    try:
        uploads = [await read_upload(upload, settings) for upload in files if upload.filename]
    except HTTPException as exc:
        return await run_in_threadpool(_analyse_error, request, service, str(exc.detail), "", exc.status_code)
    if not uploads:
        return await run_in_threadpool(_analyse_error, request, service, "Choose at least one file.", "")
    job = service.submit(lambda: service.read_files(uploads, upload_options(settings)))
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
