"""The ``narrascope`` command line: a thin layer over the Python API, one module per command group."""

from __future__ import annotations

import os

import typer

from narrascope.cli import analyse, corpus, importer, review, semeval, semeval2023, serve, taxonomy, train, watch

app = typer.Typer(
    name="narrascope",
    help="Find propaganda narratives, entity framing and persuasion techniques in news text, with quotable evidence.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for _module in (analyse, corpus, train, serve, importer, review, watch):
    _module.register(app)
app.add_typer(taxonomy.app, name="taxonomy")
app.add_typer(semeval.app, name="semeval")
app.add_typer(semeval2023.app, name="semeval2023")


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()
