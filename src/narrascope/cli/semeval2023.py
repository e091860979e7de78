"""``narrascope semeval2023``: SemEval-2023 Task 3 subtask 3 (persuasion techniques per paragraph), English and
Russian: predict and score submission files. Training and evaluation are ``narrascope train techniques`` and
``narrascope eval techniques`` (:mod:`narrascope.cli.techniques`).

Register in the root app with ``app.add_typer(semeval2023.app, name="semeval2023")``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from narrascope.cli._common import resolve_model_option

app = typer.Typer(help="SemEval-2023 Task 3 subtask 3: persuasion techniques per paragraph.", no_args_is_help=True)

LANG_HELP = "Language of the articles (en, ru); default: a folder on the data path named en or ru, else en."


def task_language(lang: str | None, folder: Path | None) -> str:
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
    model: str | None = typer.Option(None, "--model", help="Technique model folder (default: the packaged one of the language)."),
    spans_out: Path | None = typer.Option(None, "--spans-out", help="Also write spans (ID<TAB>technique<TAB>start<TAB>end)."),
) -> None:
    """Detect techniques in task articles and write the subtask-3 paragraph format."""
    from narrascope.analysers.techniques import default_model_dir
    from narrascope.models.technique_training import predict_article
    from narrascope.models.techniques import TechniqueModel
    from narrascope.semeval import task3_2023 as task

    folder = resolve_model_option("techniques", model) if model else default_model_dir(task_language(lang, docs))
    technique_model = TechniqueModel.load(folder)
    articles = task.read_articles(docs)
    if not articles:
        raise typer.BadParameter(f"no article<ID>.txt files in {docs}", param_hint="--docs")
    labels: dict[tuple[str, int], set[str]] = {}
    span_rows: list[str] = []
    for doc_id, text in articles.items():
        spans = [(t, s, e) for t, s, e, _ in predict_article(technique_model, text)]
        labels.update(task.paragraph_labels_from_spans(doc_id, text, spans))
        span_rows.extend(f"{doc_id}\t{t}\t{s}\t{e}\n" for t, s, e in spans)
    task.write_paragraph_labels(out, labels)
    if spans_out:
        spans_out.write_text("".join(span_rows), encoding="utf-8")
    typer.echo(f"{len(articles)} articles ({technique_model.language} model), {len(labels)} paragraphs -> {out}")


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
        held = heldout_split(task_language(lang, gold.parent))
        gold_labels = {k: v for k, v in gold_labels.items() if k[0] in held}
    result = task.score_paragraphs(task.read_paragraph_labels(pred), gold_labels, task.read_techniques(techniques))
    typer.echo(f"micro-F1\t{result['micro_f1']:.4f}")
    typer.echo(f"macro-F1\t{result['macro_f1']:.4f}")
    typer.echo(f"macro-F1 (techniques in gold)\t{result['macro_f1_gold']:.4f}")
    typer.echo(f"micro precision\t{result['micro_precision']:.4f}")
    typer.echo(f"micro recall\t{result['micro_recall']:.4f}")
