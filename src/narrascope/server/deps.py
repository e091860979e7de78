"""Dependencies shared by the routers: the store, the analysis service, settings and the corpus filter."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, Request

from narrascope.server.analysis import AnalysisService
from narrascope.server.settings import Settings
from narrascope.store import DocumentFilter, FilterError, Store
from narrascope.store.search import SearchSyntaxError


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_service(request: Request) -> AnalysisService:
    return request.app.state.analysis


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def reviewer_of(request: Request, given: str | None = None) -> str | None:
    """Who makes a correction: the reviewer the request's token names, else the server's configured reviewer, else
    ``given`` (a name the client sent); None leaves it to :func:`narrascope.review.default_reviewer`."""
    return getattr(request.state, "reviewer", None) or request.app.state.settings.reviewer or given


def document_filter(
    narrative: Annotated[str | None, Query(description="Documents carrying this narrative.")] = None,
    also_narrative: Annotated[str | None, Query(description="…and this second narrative too (co-occurrence).")] = None,
    subnarrative: Annotated[str | None, Query(description="Documents carrying this sub-narrative.")] = None,
    entity: Annotated[str | None, Query(description="Documents mentioning this entity (case-insensitive).")] = None,
    role: Annotated[str | None, Query(description="…cast in this main role (Protagonist, Antagonist, Innocent).")] = None,
    technique: Annotated[str | None, Query(description="Documents using this persuasion technique.")] = None,
    outlet: Annotated[str | None, Query(description="Source/outlet name, exact.")] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code.")] = None,
    since: Annotated[str | None, Query(description="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, Query(description="Published on or before (YYYY-MM-DD).")] = None,
    q: Annotated[str | None, Query(max_length=500, description=(
        'Full-text search of title and text: words (all required), "quoted phrases", OR between two terms, '
        "-word or NOT word to exclude; case-insensitive, no stemming. A malformed query is a 400."))] = None,
    possible: Annotated[bool, Query(description="Also count and match narrative and sub-narrative labels below their "
                                                "display threshold (by default only those the document view shows).")] = False,
    predicted: Annotated[bool, Query(description="Use the model's predictions alone (by default reviewed labels "
                                                 "where reviewers corrected them, else predicted).")] = False,
) -> DocumentFilter:
    """The corpus filter from query parameters (checked by :meth:`DocumentFilter.from_strings`; the search is ``q``):
    400 for a malformed search, 422 for any other value that cannot be used."""
    try:
        return DocumentFilter.from_strings(narrative=narrative, also_narrative=also_narrative, subnarrative=subnarrative,
                                           entity=entity, role=role, technique=technique, outlet=outlet,
                                           language=language, since=since, until=until, text=q, possible=possible,
                                           predicted=predicted)
    except FilterError as exc:
        if isinstance(exc.__cause__, SearchSyntaxError):
            raise HTTPException(400, f"q: {exc.problem}") from None
        raise HTTPException(422, f"{'q' if exc.field == 'text' else exc.field} {exc.problem}") from None


def filter_params(flt: DocumentFilter) -> dict[str, str]:
    """The query parameters that reproduce a filter (the inverse of :func:`document_filter`)."""
    out = {}
    for name, value in vars(flt).items():
        if name in ("possible", "predicted"):
            if value:
                out[name] = "true"
        elif value is not None:
            out["q" if name == "text" else name] = value.isoformat() if isinstance(value, date) else str(value)
    return out
