"""``narrascope semeval``: score and produce SemEval-2025 Task 10 submission files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from narrascope.cli._common import JsonOption, console, err_console
from narrascope.taxonomy import TaxonomyError, load_taxonomy

app = typer.Typer(help="SemEval-2025 Task 10: score submission files and predict them with narrascope.",
                  no_args_is_help=True)

SubtaskOption = Annotated[int, typer.Option("--subtask", "-s", help="Task 10 subtask: 2 (narratives); "
                                                                    "1 (entity framing) when installed.")]


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(2)


def _unsupported(subtask: int) -> typer.Exit:
    if subtask == 1:
        return _fail("subtask 1 (entity framing) is not available yet in this command")
    return _fail(f"unknown subtask {subtask}; SemEval-2025 Task 10 subtasks here: 2 (and 1 when available)")


def _print_subtask2_scores(result: dict[str, Any], pred: Path, gold: Path) -> None:
    table = Table(title="Subtask 2 samples-F1")
    for column, justify in (("set", "left"), ("documents", "right"), ("coarse F1", "right"), ("fine F1", "right")):
        table.add_column(column, justify=justify)
    rows = [("all", result)] + list(result["per_language"].items())
    for name, scores in rows:
        table.add_row(name, str(scores["n_documents"]), f"{scores['coarse_f1']:.3f}", f"{scores['fine_f1']:.3f}")
    console.print(table)
    console.print(f"[dim]pred: {escape(str(pred))}\ngold: {escape(str(gold))}[/]", soft_wrap=True)
    if result["missing_predictions"]:
        err_console.print(f"[yellow]warning:[/] {len(result['missing_predictions'])} gold document(s) have no prediction "
                          f"and score 0, e.g. {escape(result['missing_predictions'][0])}", soft_wrap=True)
    if result["extra_predictions"]:
        err_console.print(f"[yellow]note:[/] {result['extra_predictions']} predicted document(s) are not in gold (ignored)", soft_wrap=True)
    dropped = result["dropped_labels"]
    if dropped["gold"] or dropped["pred"]:
        err_console.print(f"note: labels outside the official list were dropped, as the official scorer does "
                          f"(gold: {dropped['gold']}, predictions: {dropped['pred']})", soft_wrap=True)


@app.command("score")
def score(
    pred: Annotated[Path, typer.Argument(help="Prediction file in the official layout.", exists=True, dir_okay=False)],
    gold: Annotated[Path, typer.Argument(help="Gold file in the official layout.", exists=True, dir_okay=False)],
    subtask: SubtaskOption = 2,
    taxonomy: Annotated[Path | None, typer.Option("--taxonomy", "-t", help="Taxonomy file whose official labels "
                                                                             "are scored (default: packaged).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score a prediction file against gold with the official metric, overall and per language."""
    if subtask == 2:
        from narrascope.semeval.subtask2 import score_subtask2

        try:
            result = score_subtask2(pred, gold, load_taxonomy(taxonomy))
        except (ValueError, TaxonomyError) as exc:
            raise _fail(str(exc)) from exc
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _print_subtask2_scores(result, pred, gold)
    else:
        raise _unsupported(subtask)


@app.command("predict")
def predict(
    docs: Annotated[Path, typer.Option("--docs", help="Folder of task documents (.txt, searched recursively).",
                                       exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Submission file to write.", dir_okay=False)],
    subtask: SubtaskOption = 2,
    model: Annotated[Path | None, typer.Option("--model", help="Narrative model folder (default: the packaged one).",
                                               exists=True, file_okay=False)] = None,
) -> None:
    """Analyse every document under DOCS and write a submission file in the official layout."""
    if subtask == 2:
        from narrascope.semeval.subtask2 import predict_subtask2, write_subtask2

        try:
            predictions = predict_subtask2(docs, model)
        except (RuntimeError, ValueError, FileNotFoundError) as exc:
            raise _fail(str(exc)) from exc
        write_subtask2(out, predictions)
        with_label = sum(1 for narratives, _ in predictions.values() if narratives and narratives != ["Other"])
        console.print(f"wrote {len(predictions)} predictions to {escape(str(out))} "
                      f"({with_label} with at least one narrative)")
    else:
        raise _unsupported(subtask)
