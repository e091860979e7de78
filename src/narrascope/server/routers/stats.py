"""Aggregate counts over the (filtered) corpus, for charts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from narrascope.document import NARRATIVES
from narrascope.server.deps import document_filter, get_store
from narrascope.server.schemas import DashboardData, EntityRoleCount, FieldCount, LabelCount, OutletCopies, PairCount
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import label_breakdown

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


def dashboard_data(store: Store, flt: DocumentFilter, period: str = "month", *, top_entities: int = 15) -> DashboardData:
    """All dashboard aggregates for one filter (narrative counts come from one pass, see ``label_breakdown``)."""
    if period not in ("week", "month"):
        raise HTTPException(422, "period must be week or month")
    breakdown = label_breakdown(store, flt, layer=NARRATIVES, period=period)
    return DashboardData(
        total=store.count(flt),
        period=period,  # type: ignore[arg-type]
        possible=flt.possible,
        predicted=flt.predicted,
        reviewed=store.count_reviewed(flt),
        narratives=breakdown["labels"],
        over_time=breakdown["by_period"],
        by_outlet=breakdown["by_outlet"],
        by_language=breakdown["by_language"],
        cooccurrence=breakdown["pairs"],
        entities=store.entity_roles(flt.entity, flt, limit=top_entities * 3),
    )


@router.get("/dashboard", response_model=DashboardData)
def dashboard(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    period: Literal["week", "month"] = "month",
) -> DashboardData:
    """Everything the dashboard draws in one response: totals, narratives over time, by outlet and language,
    co-occurrence and entity roles."""
    return dashboard_data(store, flt, period)
