"""``narrascope semeval2023``: SemEval-2023 Task 3 subtask 3 (persuasion techniques per paragraph), English and Russian.

Register in the root app with ``app.add_typer(semeval2023.app, name="semeval2023")``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="SemEval-2023 Task 3 subtask 3: persuasion techniques per paragraph.", no_args_is_help=True)

LANG_HELP = "Language of the articles (en, ru); default: the data folder's name, else en."


def _language(lang: str | None, folder: Path | None) -> str:
    """The language named by ``--lang``, else by a release folder on the path (``.../ru/...``), else English."""
    from narrascope.semeval.task3_2023 import TRAINED_LANGUAGES

    if lang is None and folder is not None:
        lang = next((part for part in reversed(folder.resolve().parts) if part in TRAINED_LANGUAGES), None)
    lang = lang or "en"
    if lang not in TRAINED_LANGUAGES:
        known = ", ".join(TRAINED_LANGUAGES)
        raise typer.BadParameter(f"no technique model or data for language {lang!r}; use one of {known}", param_hint="--lang")
    return lang


@app.command()
def predict(
    docs: Path = typer.Option(..., "--docs", help="Folder of article<ID>.txt files."),
    out: Path = typer.Option(..., "--out", help="Paragraph-label file to write (ID<TAB>LINE<TAB>T1,T2)."),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
    model_dir: Path | None = typer.Option(None, "--model-dir", help="Technique model folder (default: packaged, per language)."),
    spans_out: Path | None = typer.Option(None, "--spans-out", help="Also write spans (ID<TAB>technique<TAB>start<TAB>end)."),
) -> None:
    """Detect techniques in task articles and write the subtask-3 paragraph format."""
    from narrascope.analysers.techniques import default_model_dir
    from narrascope.models.technique_training import predict_article
    from narrascope.models.techniques import TechniqueModel
    from narrascope.semeval import task3_2023 as task

    model = TechniqueModel.load(model_dir or default_model_dir(_language(lang, docs)))
    articles = task.read_articles(docs)
    if not articles:
        raise typer.BadParameter(f"no article<ID>.txt files in {docs}", param_hint="--docs")
    labels, span_rows = {}, []
    for doc_id, text in articles.items():
        spans = [(t, s, e) for t, s, e, _ in predict_article(model, text)]
        labels.update(task.paragraph_labels_from_spans(doc_id, text, spans))
        span_rows.extend(f"{doc_id}\t{t}\t{s}\t{e}\n" for t, s, e in spans)
    task.write_paragraph_labels(out, labels)
    if spans_out:
        spans_out.write_text("".join(span_rows), encoding="utf-8")
    typer.echo(f"{len(articles)} articles ({model.language} model), {len(labels)} paragraphs -> {out}")


@app.command()
def score(
    pred: Path = typer.Argument(..., help="Predicted paragraph labels."),
    gold: Path = typer.Argument(..., help="Gold paragraph labels."),
    techniques: Path | None = typer.Option(None, "--techniques", help="Technique list file (default: the task's 23)."),
    lang: str | None = typer.Option(None, "--lang", help="Language of the files (en, ru): with --heldout, which split."),
    heldout: bool = typer.Option(False, "--heldout", help="Score only the articles of the packaged held-out split."),
) -> None:
    """Print micro- and macro-F1 of predicted against gold paragraph labels."""
    from narrascope.models.technique_training import heldout_split
    from narrascope.semeval import task3_2023 as task

    gold_labels = task.read_paragraph_labels(gold)
    if heldout:
        held = heldout_split(_language(lang, gold.parent))
        gold_labels = {k: v for k, v in gold_labels.items() if k[0] in held}
    result = task.score_paragraphs(task.read_paragraph_labels(pred), gold_labels, task.read_techniques(techniques))
    typer.echo(f"micro-F1\t{result['micro_f1']:.4f}")
    typer.echo(f"macro-F1\t{result['macro_f1']:.4f}")
    typer.echo(f"macro-F1 (techniques in gold)\t{result['macro_f1_gold']:.4f}")
    typer.echo(f"micro precision\t{result['micro_precision']:.4f}")
    typer.echo(f"micro recall\t{result['micro_recall']:.4f}")


@app.command()
def train(
    data: Path = typer.Option(..., "--data", help="SemEval-2023 language folder, e.g. ../shared/data/semeval2023-task3/en"),
    out: Path = typer.Option(..., "--out", help="Model folder to write."),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
    ptc: Path | None = typer.Option(None, "--ptc", help="PTC (SemEval-2020 Task 11) folder to add mapped spans from."),
) -> None:
    """Train the technique model on the development part of a language folder (never on the held-out split)."""
    from narrascope.models.technique_training import development_part, fit_model, load_ptc_spans, load_task_data, merge_spans

    language = _language(lang, data)
    articles, spans, _ = load_task_data(data)
    development, heldout = development_part(articles, language)
    if ptc:
        spans = merge_spans(spans, load_ptc_spans(ptc), development)
    fit_model(development, spans, language).save(out)
    typer.echo(f"trained on {len(development)} {language} articles ({len(heldout)} held out) -> {out}")


@app.command("eval")
def evaluate(
    data: Path = typer.Option(..., "--data", help="SemEval-2023 language folder, e.g. ../shared/data/semeval2023-task3/en"),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
    folds: int = typer.Option(5, "--folds", min=2),
    repeats: int = typer.Option(3, "--repeats", min=1, help="CV repetitions with different fold assignments."),
    ptc: Path | None = typer.Option(None, "--ptc", help="Also train on mapped PTC spans of the training articles."),
    seed: int = typer.Option(0, "--seed"),
    heldout: bool = typer.Option(
        True, "--heldout/--no-heldout", help="Also train on the development part and score the held-out split."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write all results as JSON."),
) -> None:
    """Repeated grouped CV on the development part, then the fixed held-out split; micro-F1 with 95 % intervals."""
    from narrascope.models import technique_training as training

    language = _language(lang, data)
    articles, spans, gold = training.load_task_data(data)
    development, held = training.development_part(articles, language)
    extra = training.load_ptc_spans(ptc) if ptc else None
    results = {"language": language}
    results["cv"] = training.cross_validate(
        development, spans, gold, lang=language, folds=folds, repeats=repeats, seed=seed, extra_spans=extra, log=typer.echo
    )
    _print_figures(f"CV ({len(development)} development articles, {repeats}x{folds} folds)", results["cv"]["summary"])
    if heldout and not held:
        typer.echo(f"held-out: none of the packaged {language} held-out articles is in {data}")
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
