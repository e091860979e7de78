"""``narrascope train`` and ``narrascope eval``: fit the narrative model on SemEval-2025 Task 10 data, or measure it
(cross-validation on the development part, the fixed held-out split apart)."""

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


def _cell(cell: dict[str, float]) -> str:
    return f"{cell['mean']:.3f} [{cell['low']:.3f}, {cell['high']:.3f}]"


def _scores_table(title: str, per_language: dict[str, Any]) -> Table:
    table = Table(title=title)
    for column in ("language", "docs", "coarse", "fine", "baseline coarse", "baseline fine"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for lang, row in per_language.items():
        table.add_row(lang, str(row["n_documents"]), *(_cell(row[k]) for k in ("coarse", "fine", "base_coarse", "base_fine")))
    return table


def _evidence_table(title: str, evidence: dict[str, Any]) -> Table:
    table = Table(title=title)
    for column in ("language", "docs", "model", "random sentence", "lead sentence"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for lang, row in evidence.items():
        table.add_row(lang, str(row["n_documents"]), *(f"{row[k]:.3f}" for k in ("model", "random", "lead")))
    return table


def _print_results(result: dict[str, Any]) -> None:
    console.print(_scores_table(f"Narratives, {result['folds']}-fold CV x {result['repeats']} on the development part, "
                                "samples-F1 (mean [95 % interval])", result["per_language"]))
    console.print(f"calibration of held-out label probabilities: ECE {result['calibration']['ece']:.4f}")
    console.print(_evidence_table("Evidence: top sentence for the dominant narrative in the top 3 sentences closest "
                                  "to the gold explanation (CV)", result["evidence"]))
    heldout = result.get("heldout")
    if heldout:
        console.print(_scores_table("Fixed held-out split (never used for a choice), samples-F1", heldout["per_language"]))
        console.print(_evidence_table("Evidence on the held-out split", heldout["evidence"]))


def _protocol(docs: list, include_heldout: bool) -> tuple[list, list]:
    """``(development, held-out)`` documents: the packaged held-out split set apart unless asked not to."""
    from narrascope.models.training import split_heldout

    return (list(docs), []) if include_heldout else split_heldout(docs)


def _measure(dev: list, heldout: list, folds: int, repeats: int, seed: int, progress: Any = None) -> dict[str, Any]:
    """Cross-validation on ``dev`` and, when there is one, the held-out figure (``result["heldout"]``)."""
    from narrascope.models.training import cross_validate, evaluate_heldout

    result = cross_validate(dev, n_folds=folds, n_repeats=repeats, random_state=seed, progress=progress)
    if heldout:
        result["heldout"] = evaluate_heldout(dev, heldout, random_state=seed)
    return result


IncludeHeldoutOption = Annotated[bool, typer.Option(
    "--include-heldout", help="Use the packaged held-out split of the SemEval-2025 training corpus too (default: set "
                              "apart, so its figure stays honest).")]
RepeatsOption = Annotated[int, typer.Option("--repeats", min=1, help="Repeat the cross-validation with this many seeds.")]


def evaluate(
    semeval: SemevalOption,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Outer cross-validation folds.")] = 5,
    repeats: RepeatsOption = 1,
    langs: LangsOption = None,
    seed: SeedOption = 0,
    include_heldout: IncludeHeldoutOption = False,
    predictions: Annotated[Path | None, typer.Option("--predictions", help="Also write every document's held-out "
                                                     "prediction here (official layout, for `narrascope semeval score`).",
                                                     dir_okay=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate the narrative model honestly: cross-validation (folds grouped by near-duplicate copies) on the
    development part, and the packaged fixed held-out split scored once by a model trained on the development
    part. Official samples-F1, coarse and fine, per language (mean and 95 % interval), beside the 'Other
    everywhere' baseline; the calibration of held-out probabilities; and how often the top evidence sentence is
    where the gold explanation points, beside a random and the lead sentence."""
    docs = _load(semeval, _langs(langs))
    dev, heldout = _protocol(docs, include_heldout)

    def progress(k: int, n: int, coarse: float, fine: float) -> None:
        err_console.print(f"fold {k}/{n}: coarse {coarse:.3f} fine {fine:.3f}")

    result = _measure(dev, heldout, folds, repeats, seed, None if as_json else progress)
    cv_predictions = result.pop("predictions")
    if "heldout" in result:
        cv_predictions = {**cv_predictions, **result["heldout"].pop("predictions")}
    if predictions:
        from narrascope.semeval import write_subtask2

        write_subtask2(predictions, cv_predictions)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    _print_results(result)


def train(
    semeval: SemevalOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the model (and its MODEL_CARD.md) to.",
                                      file_okay=False)],
    langs: LangsOption = None,
    seed: SeedOption = 0,
    include_heldout: IncludeHeldoutOption = False,
    cv: Annotated[int, typer.Option("--cv", min=0, help="Also cross-validate with this many folds, score the held-out "
                                                        "split, and put the figures in the model card (0: skip).")] = 0,
    repeats: RepeatsOption = 1,
) -> None:
    """Train the narrative model on SemEval-2025 Task 10 subtask-2 data (deterministic for a seed). The packaged
    held-out split is left out unless --include-heldout."""
    from narrascope.models.narratives_card import write_model_card
    from narrascope.models.training import label_file_hashes, train_model

    chosen = _langs(langs)
    docs = _load(semeval, chosen)
    dev, heldout = _protocol(docs, include_heldout)
    started = time.time()
    model, _ = train_model(dev, random_state=seed)
    elapsed = time.time() - started
    command = "narrascope train " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if len(sys.argv) > 2 else "narrascope train"
    model.info.update({
        "command": command,
        "seed": seed,
        "documents": {lang: sum(d.lang == lang for d in dev) for lang in sorted({d.lang for d in dev})},
        "heldout_documents": len(heldout),
        "label_files_sha256": label_file_hashes(semeval, chosen),
        "train_seconds": round(elapsed, 1),
    })
    model.save(out)
    result = None
    if cv:
        err_console.print(f"cross-validating ({cv} folds x {repeats}) and scoring the held-out split...")
        result = _measure(dev, heldout, cv, repeats, seed)
        result.pop("predictions")
        if "heldout" in result:
            result["heldout"].pop("predictions")
        (out / "cv.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        _print_results(result)
    write_model_card(out, model, result)
    console.print(f"model written to {escape(str(out))} ({len(model.classes)} labels, {len(dev)} documents, "
                  f"{elapsed:.0f} s)")


def register(app: typer.Typer) -> None:
    """Add ``train`` and ``eval`` to the root command line."""
    app.command("train")(train)
    app.command("eval")(evaluate)
