"""Request and response bodies of the REST API (they also document it in the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import AliasChoices, BaseModel, Field

from narrascope.document import Document
from narrascope.export import FORMATS
from narrascope.ingest.metadata import MAX_OUTLET_CHARS, with_own_metadata
from narrascope.store.search import SORTS

MAX_PAGE_SIZE = 500
MAX_OFFSET = 2**62  # well within the 64-bit integers both databases take, so a larger offset is a 422, not a 500
PossibleQuery = Annotated[bool, Query(description="Also list labels below their display threshold (marked possible).")]
SortQuery = Annotated[Literal[SORTS],  # type: ignore[valid-type]
                     Query(description="newest first, or relevance: with a search (``q``), best match first (FTS5 "
                                       "bm25 on SQLite, ts_rank_cd on PostgreSQL), then newest.")]
MAX_BATCH_DOCUMENTS = 10_000
ExportFormat = Literal[FORMATS]  # type: ignore[valid-type]


class SpanOut(BaseModel):
    start: int = Field(description="Offset of the first character in the document text.")
    end: int = Field(description="Offset just past the last character (half-open).")
    label: str
    score: float | None = None
    attrs: dict[str, Any] | None = None


class LabelOut(BaseModel):
    name: str
    score: float
    evidence: list[SpanOut] = Field(default_factory=list, description="Sentences that support the label.")
    attrs: dict[str, Any] | None = Field(None, description="e.g. ``display_threshold``: the score below which the "
                                                           "label is only possible.")
    possible: bool = Field(False, description="Below its display threshold: a weak label, listed only on request.")


class DocumentOut(BaseModel):
    """A document with every stored layer; all offsets point into ``text``."""

    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    text: str
    spans: dict[str, list[SpanOut]] = Field(default_factory=dict, description="Span layers by name.")
    cats: dict[str, list[LabelOut]] = Field(default_factory=dict, description="Document-level label layers by name "
                                            "(reader comments' narratives apart, in ``comment_narratives``).")
    produced_by: dict[str, dict[str, str]] = Field(default_factory=dict, description=(
        "The analyser and version that produced each layer: {layer: {analyser, version}}."))

    @classmethod
    def of(cls, doc: Document, *, possible: bool = False) -> DocumentOut:
        """The document's layers; labels below their display threshold only when ``possible``."""
        data = doc.to_dict()
        data["cats"] = {layer: [{**label.to_dict(), "possible": label.possible} for label in labels
                                if possible or not label.possible] for layer, labels in doc.cats.items()}
        return cls.model_validate(data)


class NarrativeScore(BaseModel):
    name: str
    score: float | None = None
    possible: bool = Field(False, description="Below its display threshold (listed only with ``possible=true``).")
    reviewed: bool = Field(False, description="A reviewer kept or added it (else it is the model's prediction).")


class SnippetPiece(BaseModel):
    text: str = Field(description="Document text as stored (escape it before putting it in HTML).")
    match: bool = Field(description="Whether this piece matches the search.")


class DocumentSummary(BaseModel):
    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None
    reviewed: bool = Field(False, description="A reviewer corrected this document.")
    narratives: list[NarrativeScore] = Field(default_factory=list)
    snippet: list[SnippetPiece] | None = Field(None, description="With a search (``q``): the passage around the "
                                                                 "first match, in pieces.")


class DocumentPage(BaseModel):
    total: int = Field(description="Number of matching documents.")
    possible: bool = Field(False, description="Whether labels below their display threshold were matched and listed.")
    limit: int
    offset: int
    items: list[DocumentSummary]


class AnalyseRequest(BaseModel):
    """A text to analyse, with optional metadata."""

    text: str = Field(min_length=1, description="The article text, analysed exactly as given.")
    title: str | None = None
    source: str | None = Field(None, max_length=MAX_OUTLET_CHARS, validation_alias=AliasChoices("source", "outlet"),
                               description="Outlet or site name (also accepted as ``outlet``); without one, the "
                                           "URL's registered domain.")
    url: str | None = Field(None, description="Where the text was published; tracking parameters are dropped.")
    published: date | None = Field(None, validation_alias=AliasChoices("published", "date"),
                                   description="YYYY-MM-DD (also accepted as ``date``).")
    author: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code; detected when omitted.")
    id: str | None = Field(None, max_length=255, description="Document id; the content hash when omitted.")

    def to_document(self) -> Document:
        """The document, its metadata its own (a sidecar may still correct it), the URL cleaned."""
        return with_own_metadata(Document(text=self.text, id=self.id or "", title=self.title, language=self.language),
                                 {"source": self.source, "url": self.url, "published": self.published,
                                  "author": self.author})


class BatchRequest(BaseModel):
    documents: list[AnalyseRequest] = Field(min_length=1, max_length=MAX_BATCH_DOCUMENTS)


class JobOut(BaseModel):
    """A batch analysis: ``done`` of ``total`` input items processed so far (``total`` is null until the job has
    read its uploaded files)."""

    id: str
    status: Literal["queued", "running", "finished", "failed"]
    total: int | None
    done: int
    analysed: int
    unchanged: int
    failed: int
    problems: list[str]
    document_ids: list[str]
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class LabelCount(BaseModel):
    label: str
    documents: int = Field(description="Number of documents carrying the label (not of labels).")
    share: float | None = Field(None, description="Documents carrying the label over the documents of its group "
                                                   "(all matching documents, or the outlet's or language's).")
    period: str | None = Field(None, description="First day of the week or month, when grouped by period.")
    outlet: str | None = None
    language: str | None = None


class FieldCount(BaseModel):
    value: str | None
    documents: int


class EntityRoleCount(BaseModel):
    entity: str | None
    role: str
    mentions: int
    documents: int
    outlet: str | None = None
    period: str | None = None


class PairCount(BaseModel):
    a: str
    b: str
    documents: int = Field(description="Documents carrying both labels.")


class PeriodCount(BaseModel):
    period: str = Field(description="First day of the day, week or month (ISO date).")
    documents: int = Field(description="Dated matching documents in the period (0 for a gap).")


class TimeCount(BaseModel):
    period: str
    group: str | None = Field(description="The narrative, outlet or language (see ``stack``); null: unknown.")
    documents: int


class OutletCount(BaseModel):
    outlet: str | None = Field(description="null: documents without a known outlet.")
    documents: int = Field(description="The outlet's documents under every filter but the narrative ones.")


class LanguageCount(BaseModel):
    language: str | None
    documents: int = Field(description="The language's documents under every filter but the narrative ones.")


Interval = Literal["day", "week", "month"]
Stack = Literal["narrative", "outlet", "language"]


class CopyOut(BaseModel):
    """A stored document carrying the same article text as another one."""

    id: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    url: str | None = None
    similarity: float = Field(description="Estimated Jaccard similarity of the two article texts' word 5-grams "
                                          "(MinHash); 1.0 for the exact same text.")
    exact: bool = Field(description="The exact same text stored under another id (a re-upload).")


class Publication(BaseModel):
    id: str
    outlet: str | None = None
    published: date


class DocumentCopies(BaseModel):
    """Where else a document's article text was published, and when first."""

    id: str
    copies: list[CopyOut] = Field(description="Copies found in the store, earliest publication first (undated last).")
    earliest_publication: Publication | None = Field(
        None, description="The first dated publication among the document and its copies (none when none is dated).")


class OutletCopies(BaseModel):
    """Copy pairs between the documents of two outlets (``outlet_a`` <= ``outlet_b``) and which published first."""

    outlet_a: str | None
    outlet_b: str | None
    copies: int = Field(description="Pairs of copies with one document in each outlet.")
    a_first: int = Field(description="Pairs in which ``outlet_a`` published first.")
    b_first: int = Field(description="Pairs in which ``outlet_b`` published first.")
    order_unknown: int = Field(description="Pairs published the same day, or with an undated document.")


class DashboardData(BaseModel):
    """Everything the dashboard draws, for the current filters, in one response. Every count is of documents."""

    documents: int = Field(description="Matching documents.")
    undated: int = Field(description="Matching documents without a publication date (not on the time axis).")
    period: Interval
    stack: Stack = Field("narrative", description="What ``over_time`` groups by.")
    possible: bool = Field(False, description="Whether narratives below their display threshold were counted.")
    predicted: bool = Field(False, description="Whether the model's predictions alone were counted (else reviewed "
                                               "labels where reviewed).")
    reviewed: int = Field(0, description="Matching documents with reviewers' corrections.")
    narratives: list[LabelCount]
    periods: list[PeriodCount] = Field(description="Every period from the first dated document to the last.")
    over_time: list[TimeCount]
    outlets: list[OutletCount]
    by_outlet: list[LabelCount]
    languages: list[LanguageCount]
    by_language: list[LabelCount]
    cooccurrence: list[PairCount]
    entities: list[EntityRoleCount]


class ViewTable(BaseModel):
    """One corpus view as a table: the same rows ``narrascope query --json`` prints and the CSV download holds."""

    view: str
    documents: int = Field(description="Matching documents.")
    undated: int = Field(description="Matching documents without a publication date.")
    possible: bool
    predicted: bool = Field(False, description="Whether the model's predictions alone were counted.")
    columns: list[str]
    rows: list[dict[str, Any]]


class CompareSide(BaseModel):
    spec: str = Field(description="outlet:NAME, language:CODE or a period FROM..TO.")
    documents: int
    undated: int


class CompareRow(BaseModel):
    label: str
    a_documents: int
    a_share: float = Field(description="a_documents over side A's documents.")
    b_documents: int
    b_share: float
    difference: float = Field(description="b_share minus a_share, in percentage points.")


class Comparison(BaseModel):
    """Two outlets, languages or periods side by side, each under the same other filters."""

    a: CompareSide
    b: CompareSide
    possible: bool
    predicted: bool = Field(False, description="Whether the model's predictions alone were counted.")
    rows: list[CompareRow]


class Info(BaseModel):
    version: str
    documents: int = Field(description="Documents in the store.")
    analysers: list[str] = Field(description="Components of the analysis pipeline (built on the first analysis).")
    pipeline_loaded: bool
    token_required: bool
    max_upload_bytes: int
    max_text_chars: int


class CorrectionIn(BaseModel):
    """A reviewer's correction of one prediction of one document."""

    document_id: str
    layer: Literal["narratives", "subnarratives", "evidence", "entities"]
    action: Literal["accept", "reject", "add", "set-role", "mark-evidence-wrong", "pick-evidence"] = Field(
        description="accept/reject/add a narrative or sub-narrative; mark-evidence-wrong/pick-evidence for a label's "
                    "evidence sentence; set-role for an entity.")
    target: str = Field(max_length=255, description="The label (for evidence: the label whose evidence it is), or "
                                                    "the entity id.")
    start: int | None = Field(None, ge=0, description="Evidence span start (evidence only).")
    end: int | None = Field(None, ge=0, description="Evidence span end, half-open (evidence only).")
    role: str | None = Field(None, description="Main role (set-role only).")
    fine_roles: list[str] = Field(default_factory=list, description="Fine roles (set-role only).")
    reviewer: str | None = Field(None, max_length=255, description="Who reviews, when the server has no "
                                                                  "configured reviewer name.")


class CorrectionOut(BaseModel):
    id: int
    document_id: str
    layer: str
    target: str
    action: str
    label: str | None = None
    start: int | None = None
    end: int | None = None
    value: dict[str, Any] = Field(default_factory=dict)
    replaced: dict[str, Any] | None = Field(None, description="The model output it replaced: label, score, "
                                                              "analyser, version.")
    reviewer: str
    created_at: datetime
    current: bool = Field(description="False once a later correction of the same target superseded it.")


class QueueItemOut(BaseModel):
    id: str
    title: str | None = None
    source: str | None = None
    language: str | None = None
    state: Literal["unreviewed", "partly reviewed", "reviewed"]
    conflicts: list[str]
    low_confidence: list[str]
    possible: list[str]
