"""``narrascope analyze``: documents in, narratives out, results stored."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from narrascope.cli._common import (
    EXIT_SKIPPED,
    ContactOption,
    DbOption,
    DelayOption,
    JsonOption,
    ModelOption,
    PossibleOption,
    RetriesOption,
    SkipOption,
    build_pipeline,
    console,
    err_console,
    open_store,
    parse_date,
    pipeline_config,
)
from narrascope.document import Document
from narrascope.export import document_summary
from narrascope.ingest import IngestError, IngestOptions, find_files, read_documents
from narrascope.ingest.fetch import FetchPolicy, is_url
from narrascope.ingest.metadata import MAX_OUTLET_CHARS, RunMetadata, Sidecar
from narrascope.pipeline import PipelineConfig

if TYPE_CHECKING:  # the runner (and through it the store, SQLAlchemy) is imported when a run starts
    from narrascope.runner import RunReport, RunStop

SUMMARY_LIMIT = 50  # print per-document summaries for runs up to this size; larger runs get totals


def analyse(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders to analyse (.txt, .jsonl, .csv, .html), http(s) "
                                                     "URLs of pages (fetched politely); '-' reads stdin.")],
    db: DbOption = None,
    model: ModelOption = None,
    skip: SkipOption = None,
    pattern: Annotated[str | None, typer.Option("--glob", help="Only files whose name matches this glob, e.g. 'EN_*.txt'.")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", help="Map a record field to a column, e.g. text=body (JSONL/CSV).")] = None,
    stdin_format: Annotated[str, typer.Option("--stdin-format", help="Format of stdin input: txt, jsonl, csv or html.")] = "txt",
    ids: Annotated[str, typer.Option("--ids", help="Id of a .txt/.html document: 'name' (file name, the SemEval layout) or "
                                            "'path' (path under the folder read, when file names repeat across folders).")] = "name",
    max_chars: Annotated[int, typer.Option("--max-chars", help="Skip documents longer than this many characters.")] = 1_000_000,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents analysed and committed together.")] = 32,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (default: the cores available).")] = None,
    ray: Annotated[str | None, typer.Option("--ray", help="Run on a Ray cluster at this address; 'local' starts one here.")] = None,
    out_shards: Annotated[Path | None, typer.Option("--out-shards", help="With --ray: the actors read the inputs and write "
                                                    "JSONL result shards here; load them with 'narrascope import'.")] = None,
    meta: Annotated[Path | None, typer.Option("--meta", help="Metadata sidecar (CSV or JSONL): one row per document, "
                                              "keyed by 'id' or 'path' (relative to the sidecar's folder), with "
                                              "outlet, url, date (YYYY-MM-DD), author. Beats the documents' own.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Outlet of documents that name none (no sidecar "
                                               "value, no outlet field); before the URL's domain.")] = None,
    published: Annotated[str | None, typer.Option("--date", help="Publication date (YYYY-MM-DD) of documents that "
                                                  "give none.")] = None,
    contact: ContactOption = None,
    delay: DelayOption = 1.0,
    retries: RetriesOption = 3,
    on_conflict: Annotated[str, typer.Option("--on-conflict", help="A document whose id is already stored with other "
                                             "text read from another file: 'skip' it (reported), 'replace' the stored "
                                             "one, or 'keep-both' (this one is stored as ID~HASH).")] = "skip",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summaries; problems and totals only.")] = False,
    possible: PossibleOption = False,
    as_json: JsonOption = False,
) -> None:
    """Analyse documents and store the results; prints each document's language, narratives and top evidence."""
    from narrascope.runner import ON_CONFLICT, analyse_into_store

    fields = _parse_fields(field or [])
    try:
        options = IngestOptions(fields=fields, pattern=pattern, max_chars=max_chars, ids=ids,
                                stdin_format="." + stdin_format.lstrip("."),
                                fetch=FetchPolicy(contact=contact, host_interval=delay, retries=retries))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--ids") from exc
    if on_conflict not in ON_CONFLICT:
        raise typer.BadParameter(f"{on_conflict!r}: choose one of {', '.join(ON_CONFLICT)}", param_hint="--on-conflict")
    run_metadata = read_run_metadata(meta, outlet, published)
    pipeline = build_pipeline(pipeline_config(model, skip))
    if out_shards is not None:
        if meta or outlet or published or any(is_url(item) for item in inputs):
            raise typer.BadParameter("the Ray actors read files only and keep their own metadata: leave out URLs, "
                                     "--meta, --outlet and --date, and after 'narrascope import' set metadata with "
                                     "'narrascope meta FILE'", param_hint="--out-shards")
        _analyse_to_shards(inputs, out_shards, ray, workers, pipeline.config, batch_size, options)
    total = _count_inputs(inputs, options)
    if workers is None and total is not None and total <= batch_size:
        workers = 1  # one batch: starting worker processes would cost more than it saves
    executor = _executor(workers, ray, pipeline.config)
    store = open_store(db)
    shown: list[dict[str, Any]] = []
    stop = _stop_on_signals()

    with Progress(TextColumn("[bold]analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err_console,
                  disable=quiet or as_json or not err_console.is_terminal and total is not None and total < 2) as progress:
        task = progress.add_task("analyse", total=total, rate="")

        def on_progress(seen: int, report: RunReport, docs: list[Document]) -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            rate = f"{seen / elapsed:.1f} docs/s" if elapsed > 0 else ""
            progress.update(task, completed=seen, rate=rate)
            for doc in docs:
                if as_json:
                    print(json.dumps(document_summary(doc, possible=possible), ensure_ascii=False), flush=True)
                elif len(shown) < SUMMARY_LIMIT:
                    shown.append(document_summary(doc, possible=possible))

        def on_found(kind: str, problem: IngestError) -> None:  # said when found, not only at the end of a long run
            label = "[cyan]note[/]" if kind == "notice" else "[yellow]skipped[/]"
            progress.console.print(f"{label} {escape(str(problem))}", soft_wrap=True)

        documents = run_metadata.stream(read_documents(inputs, options))
        report = analyse_into_store(documents, store, pipeline, executor=executor,
                                    batch_size=batch_size, command_line=" ".join(sys.argv), on_progress=on_progress,
                                    on_found=on_found, stop=stop, on_conflict=on_conflict)

    if run_metadata.sidecar is not None:
        for unused in run_metadata.sidecar.unused():
            err_console.print(f"[cyan]note[/] {escape(str(unused))}", soft_wrap=True)
    conflicts = (f"; {report.conflicts} id conflicts with stored documents, settled by --on-conflict {on_conflict}"
                 if report.conflicts else "")
    if as_json:
        print(json.dumps({"run": report.run_id, "analysed": report.analysed, "unchanged": report.unchanged,
                          "metadata_updated": report.metadata_updated,
                          "skipped": report.failed, "conflicts": report.conflicts, "on_conflict": on_conflict,
                          "database": store.url}))
    else:
        if not quiet:
            for summary in shown:
                _print_summary(summary)
            if report.analysed > len(shown):
                console.print(f"… and {report.analysed - len(shown)} more (see [bold]narrascope list[/]).")
        updated = f" ({report.metadata_updated} with new metadata)" if report.metadata_updated else ""
        console.print(f"[bold]{report.analysed}[/] analysed, {report.unchanged} unchanged (already stored){updated}, "
                      f"{report.failed} skipped{conflicts} — run {report.run_id} in {store.url}")
    store.close()
    if report.interrupted:
        err_console.print("[yellow]interrupted:[/] every completed batch is stored; run the same command to resume.")
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(EXIT_SKIPPED)


def read_run_metadata(meta: Path | None, outlet: str | None, published: str | None) -> RunMetadata:
    """The run's metadata sources (see :mod:`narrascope.ingest.metadata` for their precedence)."""
    if outlet and len(outlet) > MAX_OUTLET_CHARS:
        raise typer.BadParameter(f"an outlet name of {len(outlet):,} characters is longer than the "
                                 f"{MAX_OUTLET_CHARS} the store holds", param_hint="--outlet")
    return RunMetadata(_read_sidecar(meta) if meta is not None else None, outlet=outlet or None,
                       published=parse_date(published, "--date"))


def _read_sidecar(path: Path) -> Sidecar:
    """A sidecar file; one with any bad row is refused whole (exit 2, nothing done), every problem named."""
    sidecar, errors = Sidecar.read(path)
    for error in errors:
        err_console.print(f"[red]error:[/] {escape(str(error))}", soft_wrap=True)
    if errors:
        err_console.print(f"[red]error:[/] {len(errors)} problem(s) in {escape(str(path))}; nothing was done")
        raise typer.Exit(2)
    return sidecar


def meta(
    file: Annotated[Path, typer.Argument(help="Metadata sidecar (CSV or JSONL) keyed by 'id' or 'path', as for "
                                              "analyze --meta.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set outlet, url, date and author of stored documents from a sidecar file, without analysing them again."""
    sidecar = _read_sidecar(file)
    store = open_store(db)
    rows = dict(sidecar.by_id)
    if sidecar.by_path:
        for doc_id, origin in store.origins().items():
            if doc_id not in rows and (found := sidecar.by_origin(origin)) is not None:
                rows[doc_id] = found
    lines = {doc_id: line for doc_id, (line, _) in rows.items()}
    updated = store.update_metadata({doc_id: {**row, "metadata_from": dict.fromkeys(row, "sidecar")}
                                     for doc_id, (_, row) in rows.items()})
    store.close()
    sidecar.used.update(lines[doc_id] for doc_id in updated)
    missing = [str(e).replace("matched no document", "matched no stored document") for e in sidecar.unused()]
    if as_json:
        print(json.dumps({"updated": len(updated), "unmatched": missing}))
    else:
        for problem in missing:
            err_console.print(f"[yellow]skipped[/] {escape(problem)}", soft_wrap=True)
        console.print(f"[bold]{len(updated)}[/] documents updated, {len(missing)} rows matched no stored document "
                      "(annotations unchanged; nothing analysed)")
    if missing:
        raise typer.Exit(EXIT_SKIPPED)


def _print_summary(summary: dict[str, Any]) -> None:
    title = summary["title"] or ""
    console.print(f"\n[bold cyan]{summary['id']}[/] [dim]({summary['language'] or '?'})[/] {title[:90]}")
    for label in summary["narratives"]:
        console.print(f"  [green]{label['score']:.2f}[/] {label['name']}{_possible_tag(label)}")
        subs = [s for s in summary["subnarratives"] if s["name"].startswith(label["name"] + ":")]
        for sub in subs:
            console.print(f"       [dim]{sub['score']:.2f} {sub['name'][len(label['name']) + 2:]}{_possible_tag(sub)}[/]")
        for ev in label["evidence"]:
            console.print(f"       [italic]“{escape(_clip(ev['text']))}”[/]")
    for label in summary["comment_narratives"]:
        console.print(f"  [magenta]reader comments[/] {label['score']:.2f} {label['name']}{_possible_tag(label)}")


def _possible_tag(label: dict[str, Any]) -> str:
    return " (possible)" if label.get("possible") else ""


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _parse_fields(items: list[str]) -> dict[str, str] | None:
    fields = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name or not column:
            raise typer.BadParameter(f"{item!r}: expected FIELD=COLUMN, e.g. text=body", param_hint="--field")
        fields[name.strip()] = column.strip()
    return fields or None


def _count_inputs(inputs: list[str], options: IngestOptions) -> int | None:
    """Number of documents to expect, when cheap to know (files of one document each); else None."""
    total = 0
    for item in inputs:
        if is_url(item):
            total += 1
            continue
        path = Path(item)
        files = [f for f in find_files(path, options) if isinstance(f, Path)] if path.is_dir() else \
            [path] if path.is_file() else []
        if item == "-" or any(f.suffix.lower() in (".jsonl", ".csv") for f in files):
            return None
        total += len(files)
    return total


def _analyse_to_shards(inputs: list[str], out_shards: Path, ray: str | None, workers: int | None,
                       config: PipelineConfig, batch_size: int, options: IngestOptions) -> None:
    if ray is None:
        raise typer.BadParameter("--out-shards needs --ray", param_hint="--out-shards")
    from narrascope.distributed.ray_runner import analyse_to_shards

    summary = analyse_to_shards(inputs, out_shards, config, address=None if ray in ("", "local") else ray,
                                num_actors=workers, batch_size=batch_size, options=options)
    for problem in summary["problems"]:
        err_console.print(f"[yellow]skipped[/] {problem}")
    console.print(f"{summary['analysed']} analysed into {len(summary['shards'])} shards in {out_shards}; "
                  f"load them with: narrascope import {out_shards}")
    raise typer.Exit(EXIT_SKIPPED if summary["problems"] else 0)


def _executor(workers: int | None, ray: str | None, config: PipelineConfig):
    try:
        from narrascope.distributed import build_executor
    except ImportError:
        if ray or (workers or 1) > 1:
            raise typer.BadParameter("parallel execution is not available in this installation") from None
        return None
    return build_executor(workers=workers, ray=ray, config=config)


def _stop_on_signals() -> RunStop:
    """SIGTERM or Ctrl-C stops the run within moments, even inside a long document: the batch being analysed is
    dropped (analysed again on resume), every stored batch stays. A second Ctrl-C aborts outright."""
    from narrascope.runner import RunStop

    stop = RunStop()

    def request_stop(signum: int, _frame: Any) -> None:
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        stop.request()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyse)
    app.command()(meta)
