"""``narrascope train`` and ``narrascope eval``: fit the narrative model on SemEval-2025 Task 10 data, or cross-validate it."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from narrascope.cli._common import JsonOption, console, err_console

SemevalOption = Annotated[Path, typer.Option("--semeval", help="SemEval-2025 Task 10 training folder (raw-documents/, labels/).",
                                             exists=True, file_okay=False)]
LangsOption = Annotated[list[str] | None, typer.Option("--langs", help="Languages to use (BG EN HI PT RU; repeatable or "
                                                                       "comma-separated). Default: all.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (folds, calibration splits).")]


def _langs(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip().upper() for value in values for v in value.split(",") if v.strip()]


def _load(semeval: Path, langs: list[str] | None):
    from narrascope.semeval import load_corpus

    docs = [d for d in load_corpus(semeval, langs) if d.narratives]
    if not docs:
        err_console.print(f"[red]error:[/] no labelled subtask-2 documents under {escape(str(semeval))}")
        raise typer.Exit(2)
    return docs


def _cv_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"Narratives, {result['folds']}-fold CV, samples-F1 (mean ± std over folds)")
    for column in ("language", "docs", "coarse", "fine", "baseline coarse", "baseline fine"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for lang, row in result["per_language"].items():
        table.add_row(lang, str(row["n_documents"]), *(f"{row[k]['mean']:.3f} ± {row[k]['std']:.3f}"
                                                        for k in ("coarse", "fine", "base_coarse", "base_fine")))
    return table


def evaluate(
    semeval: SemevalOption,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Outer cross-validation folds.")] = 5,
    langs: LangsOption = None,
    seed: SeedOption = 0,
    predictions: Annotated[Path | None, typer.Option("--predictions", help="Also write every document's held-out "
                                                     "prediction here (official layout, for `narrascope semeval score`).",
                                                     dir_okay=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Cross-validate the narrative model: official samples-F1, coarse and fine, per language (mean ± std), with
    the 'Other everywhere' baseline and the calibration of held-out probabilities."""
    from narrascope.models.training import cross_validate

    docs = _load(semeval, _langs(langs))

    def progress(k: int, n: int, coarse: float, fine: float) -> None:
        err_console.print(f"fold {k}/{n}: coarse {coarse:.3f} fine {fine:.3f}")

    result = cross_validate(docs, n_folds=folds, random_state=seed, progress=None if as_json else progress)
    held_out = result.pop("predictions")
    if predictions:
        from narrascope.semeval import write_subtask2

        write_subtask2(predictions, held_out)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(_cv_table(result))
    console.print(f"calibration of held-out label probabilities: ECE {result['calibration']['ece']:.4f}")


def train(
    semeval: SemevalOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the model (and its MODEL_CARD.md) to.",
                                      file_okay=False)],
    langs: LangsOption = None,
    seed: SeedOption = 0,
    cv: Annotated[int, typer.Option("--cv", min=0, help="Also cross-validate with this many folds and put the figures "
                                                        "in the model card (0: skip).")] = 0,
) -> None:
    """Train the narrative model on SemEval-2025 Task 10 subtask-2 data (deterministic for a seed)."""
    from narrascope.models.training import cross_validate, label_file_hashes, train_model
    from narrascope.models.narratives_card import write_model_card

    chosen = _langs(langs)
    docs = _load(semeval, chosen)
    started = time.time()
    model, _ = train_model(docs, random_state=seed)
    elapsed = time.time() - started
    command = "narrascope train " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if len(sys.argv) > 2 else "narrascope train"
    model.info = {
        "command": command,
        "seed": seed,
        "documents": {lang: sum(d.lang == lang for d in docs) for lang in sorted({d.lang for d in docs})},
        "label_files_sha256": label_file_hashes(semeval, chosen),
        "train_seconds": round(elapsed, 1),
    }
    model.save(out)
    result = None
    if cv:
        err_console.print(f"cross-validating ({cv} folds)...")
        result = cross_validate(docs, n_folds=cv, random_state=seed)
        result.pop("predictions")
        (out / "cv.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        console.print(_cv_table(result))
    write_model_card(out, model, result)
    console.print(f"model written to {escape(str(out))} ({len(model.classes)} labels, {len(docs)} documents, "
                  f"{elapsed:.0f} s)")


def register(app: typer.Typer) -> None:
    """Add ``train`` and ``eval`` to the root command line."""
    app.command("train")(train)
    app.command("eval")(evaluate)
