"""``narrascope review``: record corrections, read them, and list documents by how much they need a reviewer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from narrascope.cli._common import (
    EXIT_SKIPPED,
    DbOption,
    JsonOption,
    LanguageOption,
    NarrativeOption,
    OutletOption,
    build_filter,
    console,
    err_console,
    open_store,
)

app = typer.Typer(help="Review: correct labels, list corrections, and the review queue.", no_args_is_help=True)

ReviewerOption = Annotated[str | None, typer.Option("--reviewer", envvar="NARRASCOPE_REVIEWER", show_envvar=True,
                                                    help="Who reviews (default: the login name).")]


@app.command("correct")
def correct_command(
    doc_id: Annotated[str, typer.Argument(help="Document id.")],
    layer: Annotated[str, typer.Option("--layer", help="narratives, subnarratives, evidence or entities.")],
    action: Annotated[str, typer.Option("--action", help="accept, reject, add (labels); mark-evidence-wrong, "
                                                         "pick-evidence (evidence); set-role (entities).")],
    target: Annotated[str, typer.Option("--target", help="The label (for evidence: whose evidence) or the entity id.")],
    start: Annotated[int | None, typer.Option("--start", help="Evidence span start.")] = None,
    end: Annotated[int | None, typer.Option("--end", help="Evidence span end (half-open).")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Main role (set-role).")] = None,
    fine_role: Annotated[list[str] | None, typer.Option("--fine-role", help="Fine role (set-role; repeatable).")] = None,
    reviewer: ReviewerOption = None,
    db: DbOption = None,
) -> None:
    """Record one correction; it is kept apart from the predictions, so a re-analysis never loses it."""
    from narrascope.review import ReviewError, correct

    store = open_store(db)
    try:
        made = correct(store, doc_id, layer, action, target, start=start, end=end, role=role,
                       fine_roles=fine_role or [], reviewer=reviewer)
    except ReviewError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    console.print(f"recorded: {escape(made.action)} {escape(made.target)} on {escape(doc_id)} by {escape(made.reviewer)}")


@app.command("list")
def list_corrections(
    doc_id: Annotated[str | None, typer.Argument(help="Only this document's corrections.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Also superseded corrections.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Corrections, oldest first: who changed what, when, and the model output each replaced."""
    store = open_store(db)
    found = store.corrections([doc_id] if doc_id else None, history=history)
    store.close()
    rows = [c.to_dict() for cs in found.values() for c in cs]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} corrections")
    for column in ("document", "layer", "action", "target", "set", "replaced", "reviewer", "when"):
        table.add_column(column, overflow="fold")
    for r in rows:
        replaced = r["replaced"] or {}
        table.add_row(r["document_id"], r["layer"], r["action"] + ("" if r["current"] else " (superseded)"),
                      r["target"] + (f" [{r['start']}, {r['end']})" if r["start"] is not None else ""),
                      r["label"] or "", f"{replaced.get('label', '')} {replaced.get('score') or ''}".strip(),
                      r["reviewer"], (r["created_at"] or "")[:19])
    console.print(table)


@app.command("queue")
def queue(
    db: DbOption = None, narrative: NarrativeOption = None, outlet: OutletOption = None,
    language: LanguageOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Documents to list.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Documents not yet fully reviewed, most needing a human first: conflicting labels, then labels scored below
    50 %, then labels only possible."""
    from narrascope.review import review_queue

    store = open_store(db)
    items = review_queue(store, build_filter(narrative=narrative, outlet=outlet, language=language), limit=limit)
    store.close()
    if as_json:
        print(json.dumps([i.to_dict() for i in items], ensure_ascii=False))
        return
    table = Table(title="review queue")
    for column in ("id", "outlet", "lang", "state", "why"):
        table.add_column(column, overflow="fold")
    for i in items:
        why = [f"conflict: {c}" for c in i.conflicts] + ([f"low confidence: {', '.join(i.low_confidence)}"]
                                                          if i.low_confidence else []) + \
              ([f"possible only: {', '.join(i.possible)}"] if i.possible else [])
        table.add_row(i.id, i.source or "", i.language or "", i.state, "\n".join(why))
    console.print(table)


def import_annotations(
    file: Annotated[Path, typer.Argument(help="A Label Studio JSON export (Export → JSON) of tasks written by "
                                              "`narrascope export --format label-studio`.", exists=True, dir_okay=False)],
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Record the corrections under this name (default: "
                                                                    "each annotator's Label Studio e-mail or user number).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a Label Studio export back as corrections: narratives and sub-narratives (choices), evidence and entity
    roles (labelled spans). Whatever cannot be mapped is listed with the file and task id (exit code 3)."""
    from narrascope.label_studio import import_label_studio

    store = open_store(db)
    try:
        report = import_label_studio(store, file, reviewer=reviewer)
    except ValueError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if as_json:
        print(json.dumps(vars(report), ensure_ascii=False))
    else:
        for problem in report.unmapped:
            err_console.print(f"[yellow]not mapped:[/] {escape(problem)}")
        console.print(f"{report.tasks} tasks read, {report.recorded} corrections recorded, "
                      f"{len(report.unmapped)} things not mapped")
    if report.unmapped:
        raise typer.Exit(EXIT_SKIPPED)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="review")
    root.command("import-annotations")(import_annotations)
