"""``narrascope train techniques`` / ``narrascope eval techniques``: train the persuasion-technique model of one
language on a SemEval-2023 Task 3 language folder, or measure it (repeated grouped CV on the development part, then
the fixed held-out split)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli._common import FoldsOption, RepeatsOption, SeedOption
from narrascope.cli.semeval2023 import LANG_HELP, task_language

DataOption = Annotated[Path, typer.Option("--semeval", help="SemEval-2023 Task 3 language folder, e.g. "
                                                            "../shared/data/semeval2023-task3/en.", exists=True,
                                          file_okay=False)]
LangOption = Annotated[str | None, typer.Option("--lang", help=LANG_HELP)]


def train_techniques(
    semeval: DataOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.", file_okay=False)],
    lang: LangOption = None,
    ptc: Annotated[Path | None, typer.Option("--ptc", help="PTC (SemEval-2020 Task 11) folder to add mapped spans "
                                                           "from.")] = None,
) -> None:
    """Train the technique model on the development part of a language folder (never on the held-out split)."""
    from narrascope.cli.train import command_line
    from narrascope.models.technique_training import (
        data_fingerprint,
        development_part,
        fit_model,
        load_ptc_spans,
        load_task_data,
        merge_spans,
    )

    language = task_language(lang, semeval)
    articles, spans, _ = load_task_data(semeval)
    development, heldout = development_part(articles, language)
    if ptc:
        spans = merge_spans(spans, load_ptc_spans(ptc), development)
    fit_model(development, spans, language).save(out, metadata={
        "command": command_line(), "articles": len(development), "heldout_articles": len(heldout),
        "labels_sha256": data_fingerprint(semeval)})
    typer.echo(f"trained on {len(development)} {language} articles ({len(heldout)} held out) -> {out}")


def eval_techniques(
    semeval: DataOption,
    lang: LangOption = None,
    folds: FoldsOption = 5,
    repeats: RepeatsOption = 3,
    ptc: Annotated[Path | None, typer.Option("--ptc", help="Also train on mapped PTC spans of the training "
                                                           "articles.")] = None,
    seed: SeedOption = 0,
    heldout: Annotated[bool, typer.Option("--heldout/--no-heldout", help="Also train on the development part and "
                                                                         "score the held-out split.")] = True,
    out: Annotated[Path | None, typer.Option("--out", help="Write all results as JSON.", dir_okay=False)] = None,
) -> None:
    """Repeated grouped CV on the development part, then the fixed held-out split; micro-F1 with 95 % intervals."""
    from narrascope.models import technique_training as training

    language = task_language(lang, semeval)
    articles, spans, gold = training.load_task_data(semeval)
    development, held = training.development_part(articles, language)
    extra = training.load_ptc_spans(ptc) if ptc else None
    results: dict[str, Any] = {"language": language}
    results["cv"] = training.cross_validate(
        development, spans, gold, lang=language, folds=folds, repeats=repeats, seed=seed, extra_spans=extra, log=typer.echo
    )
    _print_figures(f"CV ({len(development)} development articles, {repeats}x{folds} folds)", results["cv"]["summary"])
    if heldout and not held:
        typer.echo(f"held-out: none of the packaged {language} held-out articles is in {semeval}")
    elif heldout:
        results["heldout"] = training.evaluate_heldout(development, held, spans, gold, lang=language, extra_spans=extra)
        _print_figures(f"held-out ({len(held)} articles)", results["heldout"])
    if out:
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")


def _print_figures(title: str, figures: dict) -> None:
    low, high = figures["micro_f1_interval"]
    b_low, b_high = figures["baseline_micro_f1_interval"]
    typer.echo(f"{title}: paragraph micro-F1 {figures['micro_f1']:.3f} [{low:.3f}, {high:.3f}]")
    baseline = figures["baseline_micro_f1"]
    typer.echo(f"  baseline (most frequent technique everywhere) {baseline:.3f} [{b_low:.3f}, {b_high:.3f}]")
    for key in ("micro_precision", "micro_recall", "macro_f1", "macro_f1_gold", "span_partial_f1", "span_overlap_f1"):
        typer.echo(f"  {key}\t{figures[key]:.4f}")
