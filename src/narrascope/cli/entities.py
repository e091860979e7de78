"""``narrascope eval-entities`` / ``train-entities``: cross-validate and train the entity-role model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from narrascope.cli._common import DbOption, open_store

SemevalOption = Annotated[
    Path,
    typer.Option("--semeval", help="SemEval-2025 Task 10 train folder (labels/, raw-documents/).", exists=True,
                 file_okay=False),
]


def eval_entities(
    semeval: SemevalOption,
    folds: Annotated[int, typer.Option("--folds", min=2)] = 5,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Repeat the CV with this many shuffles.")] = 1,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    recall: Annotated[bool, typer.Option("--recall/--no-recall", help="Also measure mention-finder recall.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Cross-validate entity roles on the development part (k-fold grouped by near-duplicate document group, all
    five languages), then score the fixed held-out split once: main-role accuracy, fine-role exact match and
    micro-F1, per-class recall and the share of roles shown (not unclear), beside the majority baseline."""
    from narrascope.models.entity_training import (
        cross_validate, format_heldout, format_table, heldout_figures, load_subtask1, mention_recall, split_heldout,
    )

    data = load_subtask1(semeval)
    dev, _ = split_heldout(data)
    results: dict = {"roles": cross_validate(dev, folds=folds, seed=seed, repeats=repeats),
                     "heldout": heldout_figures(data)}
    if recall:
        results["mention_recall"] = mention_recall(dev, folds=folds, seed=seed)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    typer.echo(format_table(results["roles"]))
    typer.echo("held-out split:")
    typer.echo(format_heldout(results["heldout"]))
    for lang, r in results.get("mention_recall", {}).items():
        typer.echo(f"mention recall {lang}: exact {r['exact']:.3f}, overlap {r['overlap']:.3f}, "
                   f"{r['candidates_per_doc']:.1f} candidates per document")


def train_entities(
    semeval: SemevalOption,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Model folder to write (model.json, weights.npz, "
                                             "gazetteer.json).", file_okay=False)] = None,
    with_reviews: Annotated[bool, typer.Option("--with-reviews", help="Also train on the mentions whose role "
                                                                      "reviewers set in --db.")] = False,
    db: DbOption = None,
    save_version: Annotated[str | None, typer.Option("--save-version", help="Keep the model as this named entities "
                                                     "version in the models directory ($NARRASCOPE_MODELS).")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="With --save-version: make it the active version.")] = False,
) -> None:
    """Train the entity-role model and mention gazetteer on the development part of the subtask-1 annotations (the
    fixed held-out split left out), with --with-reviews also on reviewed entity roles, and save them in OUT and/or
    as a saved version."""
    import tempfile

    from narrascope.cli.train import check_destination, command_line, keep_version
    from narrascope.models.entity_training import data_fingerprint, load_subtask1, split_heldout, train_and_save

    check_destination("entities", out, save_version)
    dev, _ = split_heldout(load_subtask1(semeval))
    reviewed = []
    if with_reviews:
        from narrascope.review import reviewed_mentions

        store = open_store(db)
        reviewed = reviewed_mentions(store)
        store.close()
    folder = out or Path(tempfile.mkdtemp(prefix="narrascope-entities-"))  # a scratch folder only for --save-version
    train_and_save(dev, folder, fingerprint=data_fingerprint(semeval), reviewed=reviewed, command=command_line())
    typer.echo(f"trained on {len(dev)} mentions" + (f" + {len(reviewed)} reviewed" if with_reviews else "")
               + (f"; model and gazetteer saved in {out}" if out else ""))
    if save_version is not None:
        keep_version("entities", save_version, folder, activate, scratch=out is None)


def register(app: typer.Typer) -> None:
    app.command("eval-entities")(eval_entities)
    app.command("train-entities")(train_entities)
