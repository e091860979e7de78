"""``narrascope train COMPONENT`` and ``narrascope eval COMPONENT`` (narratives, entities, techniques): fit a
component's model, or measure it (cross-validation on the development part, the fixed held-out split apart); and
``narrascope models``, the saved versions. The narrative commands live here, the others in :mod:`.entities` and
:mod:`.techniques`."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from narrascope.cli import entities, techniques
from narrascope.cli._common import (
    DbOption,
    FoldsOption,
    JsonOption,
    OptionalSemevalOption,
    RepeatsOption,
    ReviewedModelOption,
    SeedOption,
    SemevalOption,
    console,
    err_console,
    open_store,
    resolve_model_option,
)

LangsOption = Annotated[list[str] | None, typer.Option("--langs", help="Languages to use (BG EN HI PT RU; repeatable or "
                                                                       "comma-separated). Default: all.")]
COMPONENT = "narratives"


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


def interval_cell(cell: dict[str, float]) -> str:
    return f"{cell['mean']:.3f} [{cell['low']:.3f}, {cell['high']:.3f}]"


def _scores_table(title: str, per_language: dict[str, Any]) -> Table:
    table = Table(title=title)
    for column in ("language", "docs", "coarse", "fine", "baseline coarse", "baseline fine"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for lang, row in per_language.items():
        table.add_row(lang, str(row["n_documents"]), *(interval_cell(row[k]) for k in ("coarse", "fine", "base_coarse", "base_fine")))
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
ReviewsOption = Annotated[bool, typer.Option("--reviews", help="Instead: the agreement of a model (--model, default the "
                                                               "active one) with the reviewed documents of --db.")]


def eval_narratives(
    semeval: OptionalSemevalOption = None,
    reviews: ReviewsOption = False,
    model: ReviewedModelOption = None,
    db: DbOption = None,
    folds: FoldsOption = 5,
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
    where the gold explanation points, beside a random and the lead sentence. With --reviews: how well a model
    agrees with a team's reviews (before switching to it)."""
    if reviews:
        _evaluate_reviews(model, db, as_json)
        return
    if semeval is None:
        raise typer.BadParameter("give --semeval DIR (or --reviews)", param_hint="--semeval")
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


def model_and_reviews(component: str, model: str | Path, db: str | None, read: Callable[[Any], list],
                      nothing: str) -> tuple[Path, list]:
    """The model folder to judge (a folder or a saved version name) and what ``read`` finds reviewed in the store;
    exits 2 saying ``nothing`` when the store holds no reviews."""
    folder = resolve_model_option(component, str(model))
    store = open_store(db)
    reviewed = read(store)
    store.close()
    if not reviewed:
        err_console.print(f"[red]error:[/] {nothing}")
        raise typer.Exit(2)
    return folder, reviewed


def _evaluate_reviews(model: str | None, db: str | None, as_json: bool) -> None:
    """Print the agreement of a model with the reviews of a store (:func:`narrascope.models.training.evaluate_reviews`)."""
    from narrascope.analysers.narratives import default_model_dir
    from narrascope.models.narratives import NarrativeModel
    from narrascope.models.training import evaluate_reviews
    from narrascope.review import reviewed_documents

    folder, docs = model_and_reviews("narratives", model or default_model_dir(), db, reviewed_documents,
                                     "no reviewed documents in the store (narrascope review correct, the web UI, "
                                     "or import-annotations record some)")
    result = {"model": str(folder), **evaluate_reviews(NarrativeModel.load(folder), docs)}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(f"model {escape(str(folder))}: {result['n_documents']} reviewed documents"
                  + (f" ({result['excluded_trained_on']} left out: the model was trained on them)"
                     if result["excluded_trained_on"] else ""))
    if result["n_documents"]:
        table = Table(title="Agreement with reviews, samples-F1 (mean [95 % interval])")
        for column in ("coarse", "fine", "baseline coarse", "baseline fine"):
            table.add_column(column, justify="right")
        table.add_row(*(interval_cell(result[k]) for k in ("coarse", "fine", "base_coarse", "base_fine")))
        console.print(table)


def train_narratives(
    semeval: SemevalOption,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write the model (and its MODEL_CARD.md) "
                                             "to.", file_okay=False)] = None,
    save_version: Annotated[str | None, typer.Option("--save-version", help="Keep the model as this named version in "
                                                     "the models directory ($NARRASCOPE_MODELS), beside the others.")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="With --save-version: make it the active version.")] = False,
    with_reviews: Annotated[bool, typer.Option("--with-reviews", help="Add the reviewed documents of --db (their "
                                                                      "reviewed labels, any language) to the training data.")] = False,
    db: DbOption = None,
    langs: LangsOption = None,
    seed: SeedOption = 0,
    include_heldout: IncludeHeldoutOption = False,
    cv: Annotated[int, typer.Option("--cv", min=0, help="Also cross-validate with this many folds, score the held-out "
                                                        "split, and put the figures in the model card (0: skip).")] = 0,
    repeats: RepeatsOption = 1,
) -> None:
    """Train the narrative model on SemEval-2025 Task 10 subtask-2 data (deterministic for a seed), with --with-reviews
    also on a team's reviewed documents. The packaged held-out split is left out unless --include-heldout."""
    import tempfile

    from narrascope.models import CV_RECORD
    from narrascope.models.narratives_card import write_model_card
    from narrascope.models.training import label_file_hashes, train_model

    check_destination(COMPONENT, out, save_version)
    chosen = _langs(langs)
    docs = _load(semeval, chosen)
    dev, heldout = _protocol(docs, include_heldout)
    reviewed = []
    if with_reviews:
        from narrascope.review import reviewed_documents

        store = open_store(db)
        reviewed = reviewed_documents(store)
        store.close()
        err_console.print(f"adding {len(reviewed)} reviewed documents from the store")
    started = time.time()
    model, _ = train_model(dev + reviewed, random_state=seed)
    elapsed = time.time() - started
    command = command_line()
    model.info.update({
        "command": command,
        "seed": seed,
        "documents": {lang: sum(d.lang == lang for d in dev) for lang in sorted({d.lang for d in dev})},
        "reviewed_documents": sorted(d.id for d in reviewed),
        "heldout_documents": len(heldout),
        "label_files_sha256": label_file_hashes(semeval, chosen),
        "train_seconds": round(elapsed, 1),
    })
    scratch: Path | None = None
    if out is None:  # only for --save-version
        out = scratch = Path(tempfile.mkdtemp(prefix="narrascope-model-"))
    out.mkdir(parents=True, exist_ok=True)
    model.save(out)
    result = None
    if cv:
        err_console.print(f"cross-validating ({cv} folds x {repeats}) and scoring the held-out split...")
        result = _measure(dev, heldout, cv, repeats, seed)
        result.pop("predictions")
        if "heldout" in result:
            result["heldout"].pop("predictions")
        (out / CV_RECORD).write_text(json.dumps(result, indent=1), encoding="utf-8")
        _print_results(result)
    write_model_card(out, model, result)
    console.print(("trained" if scratch else f"model written to {escape(str(out))}") + f" ({len(model.classes)} "
                  f"labels, {len(dev)} documents" + (f" + {len(reviewed)} reviewed" if with_reviews else "")
                  + f", {elapsed:.0f} s)")
    if save_version is not None:
        keep_version(COMPONENT, save_version, out, activate, scratch is not None)


def command_line() -> str:
    """The command that trained a model, for its card and version list."""
    return "narrascope " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def check_destination(component: str, out: Path | None, save_version: str | None) -> None:
    """Before training: a model needs somewhere to go, and a version name must be valid."""
    from narrascope.models.versions import VersionError, version_dir

    if out is None and save_version is None:
        raise typer.BadParameter("give --out FOLDER or --save-version NAME", param_hint="--out")
    if save_version is not None:
        try:
            version_dir(component, save_version)
        except VersionError as exc:
            raise typer.BadParameter(str(exc), param_hint="--save-version") from None


def keep_version(component: str, name: str, folder: Path, make_active: bool, scratch: bool) -> None:
    """Copy a trained model folder in as a saved version (made active if asked); a scratch folder is removed."""
    import shutil

    from narrascope.models.versions import VersionError, activate, add_version

    try:
        saved = add_version(component, name, folder)
    except VersionError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    finally:
        if scratch:
            shutil.rmtree(folder, ignore_errors=True)
    if make_active:
        activate(component, name)
    console.print(f"saved as {component} version {escape(name)} in {escape(str(saved))}"
                  + (" (active)" if make_active else " (not active: `narrascope models activate` switches)"))


models_app = typer.Typer(help="Model versions kept side by side; one is active.", no_args_is_help=True)


@models_app.command("list")
def list_models(component: Annotated[str, typer.Argument(help="narratives or entities")] = "narratives",
                as_json: JsonOption = False) -> None:
    """Saved versions of a component's model, and which one is active (none: the packaged model)."""
    from narrascope.models.versions import VersionError, list_versions, models_dir

    try:
        versions = list_versions(component)
    except VersionError as exc:
        raise typer.BadParameter(str(exc), param_hint="COMPONENT") from None
    if as_json:
        typer.echo(json.dumps(versions, indent=1))
        return
    table = Table(title=f"{component} model versions in {escape(str(models_dir()))}")
    for column in ("active", "name", "reviewed documents", "command"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row("*" if v["active"] else "", v["name"], str(v["reviewed_documents"]),
                      escape(v["command"] or v.get("problem", "")))
    console.print(table if versions else f"no saved {component} versions; the packaged model is used")


@models_app.command("activate")
def activate_model(name: Annotated[str, typer.Argument(help="The version to make active.")],
                   component: Annotated[str, typer.Option("--component", help="narratives or entities")] = "narratives") -> None:
    """Make a saved version the one `analyze` and `serve` use (documents are re-analysed on their next run)."""
    from narrascope.models.versions import VersionError, activate

    try:
        folder = activate(component, name)
    except VersionError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(f"{component} model version {escape(name)} is active ({escape(str(folder))})")


train_app = typer.Typer(help="Train a component's model: narratives, entities or techniques.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure a component's model honestly (grouped cross-validation on the development part, "
                            "the fixed held-out split apart): narratives, entities or techniques.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``train COMPONENT``, ``eval COMPONENT`` and ``models`` to the root command line."""
    train_app.command("narratives")(train_narratives)
    train_app.command("entities")(entities.train_entities)
    train_app.command("techniques")(techniques.train_techniques)
    eval_app.command("narratives")(eval_narratives)
    eval_app.command("entities")(entities.eval_entities)
    eval_app.command("techniques")(techniques.eval_techniques)
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
    app.add_typer(models_app, name="models")
