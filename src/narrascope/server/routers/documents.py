"""Listing, filtering and reading stored documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from narrascope.server.deps import document_filter, get_store
from narrascope.server.schemas import (
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    DocumentCopies,
    DocumentOut,
    DocumentPage,
    DocumentSummary,
    PossibleQuery,
    SortQuery,
)
from narrascope.store import DocumentFilter, Store
from narrascope.store.copies import earliest_publication

router = APIRouter(tags=["documents"])


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    sort: SortQuery = "newest",
) -> DocumentPage:
    """Matching documents, newest first (``sort=relevance`` with ``q``: best match first), one page at a time
    (metadata and the narrative labels shown on each, no text; ``possible=true`` also matches and lists those below
    the display threshold)."""
    items = [DocumentSummary.model_validate(row) for row in store.list(flt, limit=limit, offset=offset, sort=sort)]
    return DocumentPage(total=store.count(flt, per_id=True), possible=flt.possible, limit=limit, offset=offset, items=items)


@router.get("/documents/{doc_id:path}", response_model=DocumentOut, responses={404: {"description": "No such document"}})
def get_document(doc_id: str, store: Annotated[Store, Depends(get_store)], possible: PossibleQuery = False,
                 predicted: Annotated[bool, Query(description="The model's predictions alone, without reviewers' "
                                                              "corrections.")] = False) -> DocumentOut:
    """One document with all its layers: segments, narratives and sub-narratives with evidence, entities, techniques;
    reviewed where reviewers corrected it (``attrs.review`` says ``reviewed`` or ``predicted`` on each label of a
    reviewed document), else predicted.

    Ids may contain ``/`` (folder paths with ``--ids path``); other reserved characters are percent-encoded."""
    doc = store.get(doc_id, predicted=predicted)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return DocumentOut.of(doc, possible=possible)


@router.get("/copies/{doc_id:path}", response_model=DocumentCopies, responses={404: {"description": "No such document"}})
def get_copies(doc_id: str, store: Annotated[Store, Depends(get_store)]) -> DocumentCopies:
    """The stored copies of a document (syndicated or re-published versions of its article text, and exact
    re-uploads) with their outlets, dates and similarity, and the earliest known publication."""
    doc = store.get(doc_id)
    copies = store.copies(doc_id) if doc is not None else None
    if doc is None or copies is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return DocumentCopies.model_validate({"id": doc.id, "copies": copies,
                                          "earliest_publication": earliest_publication(doc, copies)})
