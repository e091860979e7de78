"""``narrascope import``: load result shards written by a cluster run into the store."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from narrascope.cli._common import EXIT_SKIPPED, DbOption, JsonOption, console, err_console, open_store


def import_command(
    shards: Annotated[list[str], typer.Argument(help="Shard files (.jsonl) or folders of shards written by "
                                                      "'analyze --ray ... --out-shards DIR'.")],
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents committed together.")] = 200,
    as_json: JsonOption = False,
) -> None:
    """Store analysed documents from result shards; safe to re-run (stored documents are skipped, never doubled)."""
    from narrascope.distributed.shards import import_shards

    store = open_store(db)
    try:
        reports = import_shards(shards, store, batch_size=batch_size, command_line=" ".join(sys.argv))
    except (FileNotFoundError, ValueError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    problems = [p for r in reports for p in r.problems]
    for problem in problems:
        err_console.print(f"[yellow]skipped[/] {problem}")
    imported = sum(r.analysed for r in reports)
    unchanged = sum(r.unchanged for r in reports)
    if as_json:
        print(json.dumps({"runs": [r.run_id for r in reports], "imported": imported, "unchanged": unchanged,
                          "skipped": len(problems), "database": store.url}))
    else:
        console.print(f"[bold]{imported}[/] imported, {unchanged} unchanged (already stored), {len(problems)} skipped "
                      f"— {store.url}")
    if problems:
        raise typer.Exit(EXIT_SKIPPED)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
