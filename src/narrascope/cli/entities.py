"""``narrascope train entities`` / ``narrascope eval entities``: train the entity-role model and gazetteer, or
measure them (grouped cross-validation on the development part, the fixed held-out split apart, or the agreement
with a team's reviews)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

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
    open_store,
)

COMPONENT = "entities"
ParamsOption = Annotated[str, typer.Option("--params", help="JSON of EntityRoleClassifier keyword arguments, e.g. "
                                                            "'{\"min_recall\": 0.35}' (for ablations).")]
ThresholdsOption = Annotated[str, typer.Option("--thresholds", help="Comma-separated fine_threshold values whose fine "
                                                                    "exact match is also reported.")]


def _params(text: str) -> dict[str, Any]:
    """``--params`` as keyword arguments (``views`` as a tuple, as the estimator keeps it)."""
    try:
        params = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--params") from None
    if not isinstance(params, dict):
        raise typer.BadParameter("give a JSON object of keyword arguments", param_hint="--params")
    if "views" in params:
        params["views"] = tuple(params["views"])
    return params


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give numbers separated by commas", param_hint="--thresholds") from None


def _measure(data: list, semeval: Path, folds: int, repeats: int, seed: int, thresholds: tuple[float, ...],
             heldout: bool, params: dict[str, Any]) -> dict[str, Any]:
    """Cross-validation on the development part of ``data`` (the mentions of ``semeval``), then (with ``heldout``)
    the held-out figure."""
    from narrascope.models.entity_training import cross_validate, heldout_figures, split_heldout

    dev, held = split_heldout(data)
    results: dict[str, Any] = {"cv": cross_validate(dev, folds=folds, seed=seed, repeats=repeats,
                                                    thresholds=thresholds, **params)}
    if heldout and not held:
        typer.echo(f"held-out: none of the packaged held-out documents is in {semeval}")
    elif heldout:
        results["heldout"] = heldout_figures(data, thresholds, **params)
    return results


def _print(results: dict[str, Any], folds: int, repeats: int) -> None:
    from narrascope.models.entity_training import format_heldout, format_table

    typer.echo(f"{repeats} x {folds}-fold CV of the development part, grouped by near-duplicate document group:")
    typer.echo(format_table(results["cv"]))
    for lang, r in results["cv"].items():
        extra = {k: round(v["mean"], 3) for k, v in r.items() if k.startswith("exact_match@")}
        if extra:
            typer.echo(f"{lang} {extra}")
    if "heldout" in results:
        typer.echo("held-out split (trained on the development part):")
        typer.echo(format_heldout(results["heldout"]))
    for lang, r in results.get("mention_recall", {}).items():
        typer.echo(f"mention recall {lang}: exact {r['exact']:.3f}, overlap {r['overlap']:.3f}, "
                   f"{r['candidates_per_doc']:.1f} candidates per document")


def eval_entities(
    semeval: OptionalSemevalOption = None,
    folds: FoldsOption = 5,
    repeats: RepeatsOption = 1,
    seed: SeedOption = 0,
    params: ParamsOption = "{}",
    thresholds: ThresholdsOption = "",
    heldout: Annotated[bool, typer.Option("--heldout/--no-heldout", help="Also train on the development part and "
                                                                         "score the fixed held-out split once.")] = True,
    recall: Annotated[bool, typer.Option("--recall/--no-recall", help="Also measure mention-finder recall.")] = False,
    reviews: Annotated[bool, typer.Option("--reviews", help="Instead: how often a model's main role (--model, default "
                                                            "the active one) agrees with the roles reviewers set in "
                                                            "--db.")] = False,
    model: ReviewedModelOption = None,
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the results as JSON here.", dir_okay=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Cross-validate entity roles on the development part (k-fold grouped by near-duplicate document group, all
    five languages), then score the fixed held-out split once: main-role accuracy, fine-role exact match and
    micro-F1, per-class recall and the share of roles shown (not unclear), beside the majority baseline. With
    --reviews: the agreement of a model with a team's reviewed roles."""
    if reviews:
        _evaluate_reviews(model, db, as_json)
        return
    if semeval is None:
        raise typer.BadParameter("give --semeval DIR (or --reviews)", param_hint="--semeval")
    from narrascope.models.entity_training import load_subtask1

    data = load_subtask1(semeval)
    results = _measure(data, semeval, folds, repeats, seed, _thresholds(thresholds), heldout, _params(params))
    if recall:
        from narrascope.models.entity_training import mention_recall, split_heldout

        results["mention_recall"] = mention_recall(split_heldout(data)[0], folds=folds, seed=seed)
    if out:
        out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    _print(results, folds, repeats)


def _evaluate_reviews(model: str | None, db: str | None, as_json: bool) -> None:
    """Print how often an entity model's main role agrees with reviewers' roles
    (:func:`narrascope.models.entity_training.evaluate_reviews`)."""
    from narrascope.analysers.entities import default_model_dir
    from narrascope.cli.train import interval_cell, model_and_reviews
    from narrascope.models.entity_roles import EntityRoleClassifier
    from narrascope.models.entity_training import evaluate_reviews
    from narrascope.models.versions import training_info
    from narrascope.review import reviewed_mentions

    folder, mentions = model_and_reviews(COMPONENT, model or default_model_dir(), db, reviewed_mentions,
                                         "no reviewed entity roles in the store (narrascope review correct ... "
                                         "set-role, the web UI, or import-annotations record some)")
    trained_on = training_info(folder).get("reviewed_documents", [])
    result: dict[str, Any] = {"model": str(folder), **evaluate_reviews(EntityRoleClassifier.load(folder), mentions, trained_on)}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(f"model {escape(str(folder))}: {result['n_mentions']} reviewed mentions in {result['n_documents']} "
                  "documents" + (f" ({result['excluded_trained_on']} documents left out: the model was trained on "
                                 "them)" if result["excluded_trained_on"] else ""))
    if result["n_mentions"]:
        console.print(f"main role agrees with reviewers: {interval_cell(result['main_agreement'])} (mean [95 % interval]); "
                      f"most frequent reviewed role: {result['majority_role_share']:.3f}")


def train_entities(
    semeval: SemevalOption,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Model folder to write (meta.json, model.json, "
                                             "weights.npz, gazetteer.json).", file_okay=False)] = None,
    save_version: Annotated[str | None, typer.Option("--save-version", help="Keep the model as this named entities "
                                                     "version in the models directory ($NARRASCOPE_MODELS).")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="With --save-version: make it the active version.")] = False,
    with_reviews: Annotated[bool, typer.Option("--with-reviews", help="Also train on the mentions whose role "
                                                                      "reviewers set in --db.")] = False,
    db: DbOption = None,
    params: ParamsOption = "{}",
    cv: Annotated[int, typer.Option("--cv", min=0, help="Also cross-validate with this many folds, score the held-out "
                                                        "split, and record the figures in the model's meta.json "
                                                        "(0: skip).")] = 0,
    repeats: RepeatsOption = 1,
    seed: SeedOption = 0,
    thresholds: ThresholdsOption = "",
) -> None:
    """Train the entity-role model and mention gazetteer on the development part of the subtask-1 annotations (the
    fixed held-out split left out), with --with-reviews also on reviewed entity roles, and save them in OUT and/or
    as a saved version. Training is deterministic."""
    import tempfile

    from narrascope.cli.train import check_destination, command_line, keep_version
    from narrascope.models.entity_training import data_fingerprint, load_subtask1, split_heldout, train_and_save

    check_destination(COMPONENT, out, save_version)
    keywords = _params(params)
    data = load_subtask1(semeval)
    results = None
    if cv:
        results = _measure(data, semeval, cv, repeats, seed, _thresholds(thresholds), True, keywords)
        _print(results, cv, repeats)
    dev, _ = split_heldout(data)
    reviewed = []
    if with_reviews:
        from narrascope.review import reviewed_mentions

        store = open_store(db)
        reviewed = reviewed_mentions(store)
        store.close()
    folder = out or Path(tempfile.mkdtemp(prefix="narrascope-entities-"))  # a scratch folder only for --save-version
    train_and_save(dev, folder, keywords, cv=results, fingerprint=data_fingerprint(semeval), reviewed=reviewed,
                   command=command_line())
    typer.echo(f"trained on {len(dev)} mentions" + (f" + {len(reviewed)} reviewed" if with_reviews else "")
               + (f"; model and gazetteer saved in {out}" if out else ""))
    if save_version is not None:
        keep_version(COMPONENT, save_version, folder, activate, scratch=out is None)
