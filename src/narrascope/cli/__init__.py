"""The ``narrascope`` command line: a thin layer over the Python API, one module per command group."""

from __future__ import annotations

import importlib
import os

import typer

app = typer.Typer(
    name="narrascope",
    help="Find propaganda narratives, entity framing and persuasion techniques in news text, with quotable evidence.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# Command modules exposing register(app); sub-command groups exposing a Typer `app`.
_COMMANDS = ("analyze", "corpus", "train", "serve", "importer", "entities")
_GROUPS = {"taxonomy": "taxonomy", "semeval": "semeval", "semeval2023": "semeval2023"}

for _name in _COMMANDS:
    try:
        importlib.import_module(f"narrascope.cli.{_name}").register(app)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"narrascope.cli.{_name}":
            raise
for _group, _module in _GROUPS.items():
    try:
        app.add_typer(importlib.import_module(f"narrascope.cli.{_module}").app, name=_group)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"narrascope.cli.{_module}":
            raise


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()
