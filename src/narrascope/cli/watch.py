"""``narrascope watch``: poll RSS/Atom feeds and analyse their new articles into the store."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from platformdirs import user_data_dir
from rich.markup import escape

from narrascope.cli._common import (
    EXIT_SKIPPED,
    ContactOption,
    DbOption,
    DelayOption,
    ModelOption,
    RetriesOption,
    SkipOption,
    build_pipeline,
    console,
    err_console,
    open_store,
    pipeline_config,
)
from narrascope.cli.analyse import _stop_on_signals, read_run_metadata
from narrascope.ingest import IngestError, IngestOptions
from narrascope.ingest.feeds import WatchState, parse_interval, poll_feeds, read_feed_list
from narrascope.ingest.fetch import Fetcher, FetchPolicy

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported when a watch starts, so --help stays quick
    from narrascope.store import Store


def watch(
    feed_list: Annotated[Path, typer.Argument(help="A text file with one RSS or Atom feed URL a line (# comments).")],
    every: Annotated[str, typer.Option("--every", help="Time between two polls, e.g. 30m, 1h, 1h30m.")] = "30m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit (for cron).")] = False,
    db: DbOption = None,
    state: Annotated[Path | None, typer.Option("--state", help="Where the feeds' ETag/Last-Modified are kept between "
                                                               "runs (default: beside a SQLite store, else in the user "
                                                               "data folder).")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Outlet of articles whose page names none (before "
                                                                "the URL's domain).")] = None,
    model: ModelOption = None,
    skip: SkipOption = None,
    contact: ContactOption = None,
    delay: DelayOption = 1.0,
    retries: RetriesOption = 3,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only problems and poll totals.")] = False,
) -> None:
    """Poll feeds and analyse each new article once: an article already stored (by URL) is never fetched again.
    Runs until Ctrl-C (or one poll with --once); exit code 3 if any feed or article failed, each named url: reason."""
    from narrascope.runner import analyse_into_store

    try:
        interval = parse_interval(every)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--every") from exc
    feeds, errors = read_feed_list(feed_list)
    for error in errors:
        err_console.print(f"[red]error:[/] {escape(str(error))}", soft_wrap=True)
    if errors or not feeds:
        err_console.print(f"[red]error:[/] {escape(str(feed_list))} {'has problems' if errors else 'lists no feed'}; "
                          "nothing was polled")
        raise typer.Exit(2)
    run_metadata = read_run_metadata(None, outlet, None)
    pipeline = build_pipeline(pipeline_config(model, skip))
    store = open_store(db)
    try:
        watch_state = WatchState.load(state or _default_state(store))
    except ValueError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    options = IngestOptions(fetch=FetchPolicy(contact=contact, host_interval=delay, retries=retries))
    stop = _stop_on_signals()
    failed = False
    while True:
        with Fetcher(options.fetch, validators=watch_state.validators) as fetcher:  # robots.txt read afresh each poll
            def on_found(kind: str, problem: IngestError) -> None:
                err_console.print(f"{'[cyan]note[/]' if kind == 'notice' else '[yellow]skipped[/]'} "
                                  f"{escape(str(problem))}", soft_wrap=True)

            def on_progress(_seen: int, _report: Any, docs: list[Any]) -> None:
                if not quiet:
                    for doc in docs:
                        console.print(f"  [bold cyan]{escape(doc.id)}[/] {escape((doc.title or '')[:80])}")

            items = poll_feeds(feeds, fetcher, lambda ids: set(store.stored(ids)), options)
            report = analyse_into_store(run_metadata.stream(items), store, pipeline, command_line=" ".join(sys.argv),
                                        on_found=on_found, on_progress=on_progress, stop=stop)
        watch_state.save()
        failed = failed or bool(report.failed)
        console.print(f"{datetime.now():%Y-%m-%d %H:%M:%S} polled {len(feeds)} feeds: [bold]{report.analysed}[/] new "
                      f"articles analysed, {report.failed} failed — run {report.run_id} in {store.url}")
        if report.interrupted or once or stop.wait(interval):
            break
    store.close()
    if report.interrupted:
        err_console.print("[yellow]interrupted:[/] every completed batch is stored; the next poll goes on from there.")
        raise typer.Exit(130)
    if failed:
        raise typer.Exit(EXIT_SKIPPED)


def _default_state(store: Store) -> Path:
    """Beside a SQLite store's file; for a server database, in the user's data folder."""
    if store.url.startswith("sqlite:///"):
        return Path(store.url.removeprefix("sqlite:///") + ".watch.json")
    return Path(user_data_dir("narrascope", appauthor=False)) / "watch.json"


def register(app: typer.Typer) -> None:
    app.command()(watch)
