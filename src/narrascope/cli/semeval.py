"""``narrascope semeval``: score and produce SemEval-2025 Task 10 submission files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from narrascope.cli._common import JsonOption, console, err_console, resolve_model_option
from narrascope.taxonomy import TaxonomyError, load_taxonomy

app = typer.Typer(help="SemEval-2025 Task 10: score submission files and predict them with narrascope.",
                  no_args_is_help=True)

SubtaskOption = Annotated[int, typer.Option("--subtask", "-s", help="Task 10 subtask: 2 (narratives) or "
                                                                    "1 (entity framing).")]


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(2)


def _unsupported(subtask: int) -> typer.Exit:
    return _fail(f"unknown subtask {subtask}; SemEval-2025 Task 10 subtasks here: 1 and 2")


def _print_subtask2_scores(result: dict[str, Any], pred: Path, gold: Path) -> None:
    table = Table(title="Subtask 2 samples-F1")
    table.add_column("set", justify="left")
    for column in ("documents", "coarse F1", "fine F1"):
        table.add_column(column, justify="right")
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
    elif subtask == 1:
        _score_subtask1(pred, gold, as_json)
    else:
        raise _unsupported(subtask)


@app.command("predict")
def predict(
    docs: Annotated[Path, typer.Option("--docs", help="Folder of task documents (.txt, searched recursively).",
                                       exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Submission file to write.", dir_okay=False)],
    subtask: SubtaskOption = 2,
    model: Annotated[str | None, typer.Option("--model", help="Model folder or saved version name: narratives for "
                                              "--subtask 2, entity roles for --subtask 1 (default: the active "
                                              "version, else the packaged model).")] = None,
    mentions: Annotated[Path | None, typer.Option("--mentions", help="Subtask 1: entity mentions in the official "
                                                  "layout (id, mention, start, end).", exists=True, dir_okay=False)] = None,
) -> None:
    """Analyse every document under DOCS and write a submission file in the official layout."""
    folder = resolve_model_option("narratives" if subtask == 2 else "entities", model) if model else None
    if subtask == 2:
        from narrascope.semeval.subtask2 import write_subtask2
        from narrascope.semeval_predict import predict_subtask2

        try:
            predictions = predict_subtask2(docs, folder)
        except (RuntimeError, ValueError, FileNotFoundError) as exc:
            raise _fail(str(exc)) from exc
        write_subtask2(out, predictions)
        with_label = sum(1 for narratives, _ in predictions.values() if narratives and narratives != ["Other"])
        console.print(f"wrote {len(predictions)} predictions to {escape(str(out))} "
                      f"({with_label} with at least one narrative)")
    elif subtask == 1:
        _predict_subtask1(docs, mentions, out, folder)
    else:
        raise _unsupported(subtask)


def _score_subtask1(pred: Path, gold: Path, as_json: bool) -> None:
    from narrascope.semeval.corpus import language_of
    from narrascope.semeval.subtask1 import read_mentions, score_subtask1

    try:
        pred_rows, gold_rows = read_mentions(pred), read_mentions(gold)
        if any(r.main_role is None for r in gold_rows):
            raise ValueError(f"{gold}: gold mentions need a main role and fine roles")
        result: dict[str, Any] = score_subtask1(pred_rows, gold_rows)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    by_lang: dict[str, list[Any]] = {}
    for row in gold_rows:
        by_lang.setdefault(language_of(row.doc_id) or "?", []).append(row)
    result["per_language"] = {lang: score_subtask1(pred_rows, rows) for lang, rows in sorted(by_lang.items())}
    gold_keys, pred_keys = {r.key for r in gold_rows}, {r.key for r in pred_rows}
    result["missing_predictions"] = len(gold_keys - pred_keys)
    result["extra_predictions"] = len(pred_keys - gold_keys)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title="Subtask 1 entity framing")
    for column in ("set", "mentions", "exact match", "fine P", "fine R", "fine F1", "main-role acc"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for name, scores in [("all", result)] + list(result["per_language"].items()):
        table.add_row(name, str(int(scores["n"])), *(f"{scores[k]:.3f}" for k in (
            "exact_match", "micro_precision", "micro_recall", "micro_f1", "main_accuracy")))
    console.print(table)
    if result["missing_predictions"]:
        err_console.print(f"[yellow]warning:[/] {result['missing_predictions']} gold mention(s) have no prediction "
                          "and count as wrong", soft_wrap=True)
    if result["extra_predictions"]:
        err_console.print(f"[yellow]note:[/] {result['extra_predictions']} predicted mention(s) are not in gold (ignored)",
                          soft_wrap=True)


def _predict_subtask1(docs: Path, mentions: Path | None, out: Path, model_dir: Path | None) -> None:
    from narrascope.models.entity_roles import EntityRoleClassifier
    from narrascope.semeval.subtask1 import read_mentions, write_mentions
    from narrascope.semeval_predict import predict_subtask1

    if mentions is None:
        raise _fail("subtask 1 needs --mentions FILE (id, mention, start, end per line)")
    try:
        model = EntityRoleClassifier.load(model_dir) if model_dir else None
        rows = predict_subtask1(docs, read_mentions(mentions), model)
    except (ValueError, FileNotFoundError, TypeError) as exc:
        raise _fail(str(exc)) from exc
    write_mentions(rows, out)
    roles = ", ".join(f"{role} {n}" for role, n in sorted(Counter(r.main_role for r in rows).items()))
    console.print(f"wrote roles for {len(rows)} mentions to {escape(str(out))} ({roles})")
