"""Dependencies shared by the routers: the store, the analysis service, settings and the corpus filter."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, Request

from narrascope.server.analysis import AnalysisService
from narrascope.server.settings import Settings
from narrascope.store import DocumentFilter, Store
from narrascope.store.search import SearchSyntaxError, parse_search


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


def _blank_to_none(value: str | None) -> str | None:
    """HTML forms send empty fields as ``""``; treat them as not set."""
    return value.strip() or None if value is not None else None


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
    """The corpus filter from query parameters; 422 for malformed or inverted dates, and for a NUL character (which
    no stored text can contain, and which SQLite would read as the end of the pattern, matching everything)."""
    for name, value in locals().items():
        if isinstance(value, str) and "\x00" in value:
            raise HTTPException(422, f"{name} contains a NUL character")
    dates = {}
    for name, value in (("since", since), ("until", until)):
        value = _blank_to_none(value)
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            raise HTTPException(422, f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        raise HTTPException(422, "since is after until")
    if q := _blank_to_none(q):
        try:
            parse_search(q)
        except SearchSyntaxError as exc:
            raise HTTPException(400, f"q: {exc}") from None
    return DocumentFilter(narrative=_blank_to_none(narrative), also_narrative=_blank_to_none(also_narrative),
                          subnarrative=_blank_to_none(subnarrative),
                          entity=_blank_to_none(entity), role=_blank_to_none(role),
                          technique=_blank_to_none(technique), outlet=_blank_to_none(outlet),
                          language=_blank_to_none(language), since=dates["since"], until=dates["until"],
                          text=q, possible=possible, predicted=predicted)


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
