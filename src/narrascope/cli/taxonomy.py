"""``narrascope taxonomy``: show the narrative and entity-role taxonomies (packaged or a user file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.tree import Tree

from narrascope.cli._common import JsonOption, console, err_console
from narrascope.taxonomy import TaxonomyError, load_entity_roles, load_taxonomy

app = typer.Typer(help="Show the label taxonomies: narratives with sub-narratives, and entity roles.", no_args_is_help=True)

TaxonomyFileOption = Annotated[Path | None, typer.Option("--taxonomy", "-t", help="A taxonomy YAML/JSON file "
                                                                                  "instead of the packaged SemEval-2025 one.")]


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
    return typer.Exit(2)


@app.command("show")
def show(taxonomy: TaxonomyFileOption = None, as_json: JsonOption = False) -> None:
    """Print the narrative taxonomy as a tree with definitions (validates a user file on the way)."""
    try:
        tax = load_taxonomy(taxonomy)
    except TaxonomyError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(tax.to_dict(), ensure_ascii=False, indent=2))
        return
    tree = Tree(f"[bold]{escape(tax.name)}[/] {escape(tax.version)}  "
                f"({len(tax.narratives)} narratives, {len(tax.subnarratives)} sub-narratives)")
    for narrative in tax.narratives:
        branch = tree.add(f"[bold cyan]{escape(narrative)}[/]  [dim]{escape(tax.definition(narrative))}[/]")
        for sub in tax.subnarratives_of(narrative):
            short = sub[len(narrative) + 2:] if sub != narrative else sub
            mark = "" if tax.is_official(sub) else " [yellow](not in the official list)[/]"
            branch.add(f"{escape(short)}{mark}  [dim]{escape(tax.definition(sub))}[/]")
    console.print(tree)


@app.command("roles")
def roles(file: Annotated[Path | None, typer.Option("--file", "-f", help="An entity-role YAML/JSON file instead "
                                                                          "of the packaged one.")] = None,
          as_json: JsonOption = False) -> None:
    """Print the entity-role taxonomy (main roles and fine roles) with definitions."""
    try:
        taxonomy = load_entity_roles(file)
    except TaxonomyError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(taxonomy.to_dict(), ensure_ascii=False, indent=2))
        return
    tree = Tree(f"[bold]{escape(taxonomy.name)}[/] {escape(taxonomy.version)}")
    for main in taxonomy.main_roles:
        branch = tree.add(f"[bold cyan]{escape(main)}[/]  [dim]{escape(taxonomy.definition(main))}[/]")
        for fine in taxonomy.fine_roles_of(main):
            branch.add(f"{escape(fine)}  [dim]{escape(taxonomy.definition(fine))}[/]")
    console.print(tree)
