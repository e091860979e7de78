"""Analysing new text: one document synchronously, batches as background jobs with progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from narrascope._version import __version__
from narrascope.document import Document
from narrascope.ingest import IngestError
from narrascope.server.analysis import AnalysisService, Job
from narrascope.server.deps import get_service, get_settings
from narrascope.server.schemas import AnalyseRequest, BatchRequest, DocumentOut, Info, JobOut, PossibleQuery
from narrascope.server.services import analyse_one, check_text, read_upload, upload_metadata, upload_options
from narrascope.server.settings import Settings

router = APIRouter(tags=["analyse"])

OutletForm = Annotated[str, Form(description="Outlet of documents that name none (like `--outlet`).")]
DateForm = Annotated[str, Form(alias="date", description="YYYY-MM-DD, for documents without a date (like `--date`).")]
UrlForm = Annotated[str, Form(description="URL of documents that carry none.")]
AuthorForm = Annotated[str, Form(description="Author of documents that name none.")]


def job_out(job: Job) -> JobOut:
    return JobOut(id=job.id, status=job.status, total=job.total, done=job.done, analysed=job.analysed,
                  unchanged=job.unchanged, failed=job.failed, problems=job.problems, document_ids=job.document_ids,
                  error=job.error, created_at=job.created_at, finished_at=job.finished_at)



@router.get("/info", response_model=Info)
def info(
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Info:
    """What this server runs: version, stored documents, the analysers it can use, and its limits."""
    return Info(version=__version__, documents=service.store.count(),
                analysers=service.component_names(), pipeline_loaded=service.pipeline_loaded,
                token_required=bool(settings.token or settings.reviewer_tokens), max_upload_bytes=settings.max_upload_bytes,
                max_text_chars=settings.max_text_chars)


@router.post("/analyse", response_model=DocumentOut)
def analyse_text(
    body: AnalyseRequest,
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
    save: bool = True,
    possible: PossibleQuery = False,
) -> DocumentOut:
    """Analyse one text and return it with all layers; with ``save`` (default) it is also stored."""
    check_text(body.text, settings)
    return DocumentOut.of(analyse_one(body.to_document(), service, save=save), possible=possible)


@router.post("/analyse/file", response_model=DocumentOut)
async def analyse_file(
    file: Annotated[UploadFile, File(description="A .txt, .html, or one-record .jsonl/.csv file.")],
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
    save: Annotated[bool, Form()] = True,
    possible: PossibleQuery = False,
    outlet: OutletForm = "",
    day: DateForm = "",
    url: UrlForm = "",
    author: AuthorForm = "",
) -> DocumentOut:
    """Analyse an uploaded file holding one document. Files with several documents go to ``POST /api/jobs``.
    ``outlet``, ``date``, ``url`` and ``author`` fill what the file does not say itself."""
    metadata = upload_metadata(outlet, day, url, author)
    read = await run_in_threadpool(service.read_files, [await read_upload(file, settings)], upload_options(settings))
    items = list(metadata.stream(read))
    errors = [str(i) for i in items if isinstance(i, IngestError)]
    if errors:
        raise HTTPException(422, "; ".join(errors))
    docs = [i for i in items if isinstance(i, Document)]
    if len(docs) != 1:
        raise HTTPException(422, f"the file holds {len(docs)} documents; submit it as a batch to POST /api/jobs")
    doc = await run_in_threadpool(analyse_one, docs[0], service, save=save)
    return DocumentOut.of(doc, possible=possible)


@router.post("/jobs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
async def submit_files(
    files: Annotated[list[UploadFile], File(description="One or more .txt/.jsonl/.csv/.html files.")],
    response: Response,
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
    outlet: OutletForm = "",
    day: DateForm = "",
    url: UrlForm = "",
    author: AuthorForm = "",
) -> JobOut:
    """Analyse uploaded files in the background; poll ``GET /api/jobs/{id}`` for progress. Results go to the store.

    The files are read into documents by the job too, so this answers at once however large they are; problems
    with a file (not text, no article in an HTML page, over a limit) are listed in the job's ``problems``.
    ``outlet``, ``date``, ``url`` and ``author`` fill what a document does not say itself."""
    metadata = upload_metadata(outlet, day, url, author)
    uploads = [await read_upload(upload, settings) for upload in files]
    job = service.submit(lambda: list(metadata.stream(service.read_files(uploads, upload_options(settings)))))
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return job_out(job)


@router.post("/jobs/documents", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def submit_documents(
    body: BatchRequest,
    response: Response,
    service: Annotated[AnalysisService, Depends(get_service)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> JobOut:
    """Analyse a list of texts in the background, like ``POST /api/jobs`` but as JSON."""
    for item in body.documents:
        check_text(item.text, settings)
    job = service.submit([item.to_document() for item in body.documents])
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return job_out(job)


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(service: Annotated[AnalysisService, Depends(get_service)]) -> list[JobOut]:
    """Recent jobs of this server process, newest first."""
    return [job_out(j) for j in service.jobs()]


@router.get("/jobs/{job_id}", response_model=JobOut, responses={404: {"description": "No such job"}})
def get_job(job_id: str, service: Annotated[AnalysisService, Depends(get_service)]) -> JobOut:
    """Progress of a batch analysis."""
    job = service.job(job_id)
    if job is None:
        raise HTTPException(404, f"no job with id {job_id!r} (jobs are forgotten when the server restarts)")
    return job_out(job)
