"""``narrascope semeval2023``: SemEval-2023 Task 3 subtask 3 (persuasion techniques per paragraph).

Register in the root app with ``app.add_typer(semeval2023.app, name="semeval2023")``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="SemEval-2023 Task 3 subtask 3: persuasion techniques per paragraph.", no_args_is_help=True)


@app.command()
def predict(
    docs: Path = typer.Option(..., "--docs", help="Folder of article<ID>.txt files."),
    out: Path = typer.Option(..., "--out", help="Paragraph-label file to write (ID<TAB>LINE<TAB>T1,T2)."),
    model_dir: Path | None = typer.Option(None, "--model-dir", help="Technique model folder (default: packaged)."),
    spans_out: Path | None = typer.Option(None, "--spans-out", help="Also write spans (ID<TAB>technique<TAB>start<TAB>end)."),
) -> None:
    """Detect techniques in task articles and write the subtask-3 paragraph format."""
    from narrascope.analysers.techniques import default_model_dir
    from narrascope.models.technique_training import predict_article
    from narrascope.models.techniques import TechniqueModel
    from narrascope.semeval import task3_2023 as task

    model = TechniqueModel.load(model_dir or default_model_dir())
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
    typer.echo(f"{len(articles)} articles, {len(labels)} paragraphs -> {out}")


@app.command()
def score(
    pred: Path = typer.Argument(..., help="Predicted paragraph labels."),
    gold: Path = typer.Argument(..., help="Gold paragraph labels."),
    techniques: Path | None = typer.Option(None, "--techniques", help="Technique list file (default: the task's 23)."),
) -> None:
    """Print micro- and macro-F1 of predicted against gold paragraph labels."""
    from narrascope.semeval import task3_2023 as task

    result = task.score_paragraphs(task.read_paragraph_labels(pred), task.read_paragraph_labels(gold), task.read_techniques(techniques))
    typer.echo(f"micro-F1\t{result['micro_f1']:.4f}")
    typer.echo(f"macro-F1\t{result['macro_f1']:.4f}")
    typer.echo(f"macro-F1 (techniques in gold)\t{result['macro_f1_gold']:.4f}")
    typer.echo(f"micro precision\t{result['micro_precision']:.4f}")
    typer.echo(f"micro recall\t{result['micro_recall']:.4f}")


@app.command()
def train(
    data: Path = typer.Option(..., "--data", help="SemEval-2023 language folder, e.g. ../shared/data/semeval2023-task3/en"),
    out: Path = typer.Option(..., "--out", help="Model folder to write."),
    ptc: Path | None = typer.Option(None, "--ptc", help="PTC (SemEval-2020 Task 11) folder to add mapped spans from."),
) -> None:
    """Train the technique model on all articles of a language folder."""
    from narrascope.models.technique_training import load_ptc_spans, load_task_data, merge_spans
    from narrascope.models.techniques import TechniqueModel

    articles, spans, _ = load_task_data(data)
    if ptc:
        spans = merge_spans(spans, load_ptc_spans(ptc), articles)
    TechniqueModel.fit(articles, spans).save(out)
    typer.echo(f"trained on {len(articles)} articles -> {out}")


@app.command("eval")
def evaluate(
    data: Path = typer.Option(..., "--data", help="SemEval-2023 language folder, e.g. ../shared/data/semeval2023-task3/en"),
    folds: int = typer.Option(5, "--folds", min=2),
    ptc: Path | None = typer.Option(None, "--ptc", help="Also train on mapped PTC spans of the training folds."),
    seed: int = typer.Option(0, "--seed"),
    out: Path | None = typer.Option(None, "--out", help="Write per-fold results as JSON."),
) -> None:
    """Article-level cross-validation: paragraph micro/macro-F1 and span-level scores, mean ± std over folds."""
    from narrascope.models.technique_training import cross_validate, load_ptc_spans, load_task_data

    articles, spans, gold = load_task_data(data)
    extra = load_ptc_spans(ptc) if ptc else None
    results = cross_validate(articles, spans, gold, folds=folds, extra_spans=extra, seed=seed, log=typer.echo)
    for key, value in results["summary"].items():
        typer.echo(f"{key}\t{value['mean']:.4f} ± {value['std']:.4f}")
    typer.echo(f"(baseline: {results['baseline_technique']} on every paragraph)")
    if out:
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")
