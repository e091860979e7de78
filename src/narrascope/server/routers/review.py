"""The review loop over REST: record corrections, read them, and the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from narrascope.review import ReviewError, correct, review_queue
from narrascope.server.deps import document_filter, get_store, reviewer_of
from narrascope.server.schemas import MAX_PAGE_SIZE, CorrectionIn, CorrectionOut, QueueItemOut
from narrascope.store import DocumentFilter, Store

router = APIRouter(tags=["review"])


def record(store: Store, reviewer: str | None, body: CorrectionIn) -> CorrectionOut:
    """Store one correction; 404 for an unknown document, 422 for one that cannot apply."""
    if store.get(body.document_id, predicted=True) is None:
        raise HTTPException(404, f"no document with id {body.document_id!r}")
    try:
        made = correct(store, body.document_id, body.layer, body.action, body.target, start=body.start, end=body.end,
                       role=body.role, fine_roles=body.fine_roles, reviewer=reviewer)
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from None
    return CorrectionOut.model_validate(made.to_dict())


@router.post("/corrections", response_model=CorrectionOut, status_code=201,
             responses={404: {"description": "No such document"}, 422: {"description": "The correction cannot apply"}})
async def add_correction(request: Request, body: CorrectionIn,
                         store: Annotated[Store, Depends(get_store)]) -> CorrectionOut:
    """Record a reviewer's correction of one prediction. It is kept apart from the predictions (a re-analysis never
    loses it) and supersedes an earlier correction of the same target. The reviewer is the one the request's token
    names (``serve --reviewer-token NAME=TOKEN``), else the server's configured name (``serve --reviewer``), else
    ``reviewer`` in the body."""
    return await run_in_threadpool(record, store, reviewer_of(request, body.reviewer), body)


@router.get("/corrections", response_model=list[CorrectionOut])
def list_corrections(
    store: Annotated[Store, Depends(get_store)],
    document_id: Annotated[str | None, Query(description="Only this document's corrections.")] = None,
    history: Annotated[bool, Query(description="Also superseded corrections.")] = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[CorrectionOut]:
    """Corrections, oldest first: who changed what, when, and the model output each replaced."""
    found = store.corrections([document_id] if document_id is not None else None, history=history)
    return [CorrectionOut.model_validate(c.to_dict()) for cs in found.values() for c in cs][:limit]


@router.get("/review-queue", response_model=list[QueueItemOut])
def queue(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> list[QueueItemOut]:
    """Documents not yet fully reviewed, most needing a human first: conflicting labels, then low-confidence, then
    possible-only ones (filter by narrative, outlet, language, ...)."""
    return [QueueItemOut.model_validate(item.to_dict()) for item in review_queue(store, flt, limit=limit)]
