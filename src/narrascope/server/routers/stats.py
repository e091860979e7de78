"""Aggregate counts of documents over the (filtered) corpus: for charts, tables and CSV downloads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from narrascope.document import NARRATIVES, SUBNARRATIVES, TECHNIQUES
from narrascope.server.deps import document_filter, get_store
from narrascope.server.schemas import (
    Comparison,
    DashboardData,
    EntityRoleCount,
    FieldCount,
    Interval,
    LabelCount,
    OutletCopies,
    PairCount,
    Stack,
    ViewTable,
)
from narrascope.server.services import dashboard_data
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import compare, label_breakdown, table_csv, view_table

router = APIRouter(prefix="/stats", tags=["stats"])

Layer = Literal["narratives", "subnarratives", "techniques", "entities"]


@router.get("/labels", response_model=list[LabelCount])
def label_counts(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    layer: Layer = "narratives",
    by: Literal["period", "outlet", "language"] | None = None,
    period: Literal["week", "month"] = "month",
) -> list[dict]:
    """Documents per label of a layer, optionally also per period (week/month start), outlet or language; labels
    below their display threshold count only with ``possible=true``."""
    return store.label_counts(layer, flt, by=by, period=period)


@router.get("/fields/{field}", response_model=list[FieldCount])
def field_counts(
    field: Literal["source", "language"],
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
) -> list[dict]:
    """Documents per outlet (``source``) or language."""
    return store.field_counts(field, flt)


@router.get("/entities", response_model=list[EntityRoleCount])
def entity_roles(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    by: Literal["outlet", "period"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[dict]:
    """Mentions and documents per entity and main role (the ``entity`` filter narrows to one entity)."""
    return store.entity_roles(flt.entity, flt, by=by, limit=limit)


@router.get("/cooccurrence", response_model=list[PairCount])
def cooccurrence(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    layer: Layer = "narratives",
    limit: Annotated[int, Query(ge=1, le=10000)] = 500,
) -> list[dict]:
    """Documents carrying each pair of labels together."""
    return label_breakdown(store, flt, layer=layer)["pairs"][:limit]


@router.get("/copies", response_model=list[OutletCopies])
def outlet_copies(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
) -> list[dict]:
    """Who re-publishes whom: pairs of copies per pair of outlets (at least one document of each pair matching the
    filters), and which outlet published first."""
    return store.outlet_copies(flt)


@router.get("/dashboard", response_model=DashboardData)
def dashboard(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    period: Interval = "month",
    stack: Stack = "narrative",
) -> DashboardData:
    """Everything the dashboard draws in one response: documents per narrative, over time (every period from the
    first dated document to the last; ``undated`` says how many have no date), per outlet and language with each
    narrative's share of the group's documents, co-occurrence and entity roles."""
    try:
        return dashboard_data(store, flt, period, stack)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


Format = Literal["json", "csv"]


def table_response(view: str, columns: list[str], rows: list[dict[str, Any]], fmt: str, **fields: Any) -> Any:
    """A view as JSON (:class:`ViewTable`) or as a CSV download of the same rows."""
    if fmt == "json":
        return ViewTable(view=view, columns=columns, rows=rows, **fields)
    return Response(table_csv(columns, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="narrascope-{view}.csv"'})


@router.get("/views/{view}", response_model=ViewTable,
            responses={200: {"content": {"text/csv": {}}, "description": "The view as JSON, or as CSV with format=csv."}})
def corpus_view(
    view: Literal["narratives", "subnarratives", "techniques", "outlets", "languages", "time", "pairs"],
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    period: Interval = "month",
    stack: Stack = "narrative",
    format: Format = "json",
) -> Any:
    """One corpus view as a table of documents (``format=csv`` to download it): per narrative (``subnarratives``,
    ``techniques``: per label of those layers), per outlet or language with each narrative's share of the group's
    documents, over time (every ``period``, stacked by ``stack``), or narrative pairs. ``narrascope query --by ...
    --json`` prints the same rows."""
    layer = {"subnarratives": SUBNARRATIVES, "techniques": TECHNIQUES}.get(view, NARRATIVES)
    data = label_breakdown(store, flt, layer=layer, period=period, stack=stack)
    columns, rows = view_table("narratives" if layer != NARRATIVES else view, data)
    return table_response(view, columns, rows, format, documents=data["documents"], undated=data["undated"],
                          possible=flt.possible, predicted=flt.predicted)


@router.get("/compare", response_model=Comparison,
            responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv."},
                       400: {"description": "A side that is not outlet:NAME, language:CODE or a period FROM..TO"}})
def compare_view(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    a: Annotated[str, Query(max_length=300, description="Side A: outlet:NAME, language:CODE, or a period FROM..TO "
                                                         "(YYYY, YYYY-MM or YYYY-MM-DD; an end may be left open).")],
    b: Annotated[str, Query(max_length=300, description="Side B, as side A.")],
    format: Format = "json",
) -> Any:
    """Two outlets, languages or periods side by side under the same other filters: per narrative, each side's
    documents carrying it, their share of the side's documents and the difference in percentage points."""
    try:
        result = compare(store, flt, a, b)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    if format == "csv":
        return table_response("compare", *view_table("compare", result), "csv")
    return Comparison(possible=flt.possible, predicted=flt.predicted, **result)


#END
