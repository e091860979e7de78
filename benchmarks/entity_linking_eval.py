"""Precision and recall of entity linking on a hand-labelled sample of SemEval-2025 Task 10 mentions.

The sample: 40 gold mentions per language (EN, BG, HI, PT, RU) drawn with a fixed seed from the documents of the
packaged held-out split (``../shared`` is read; nothing from it is stored here). Each was labelled by hand, by
reading the mention in its document, with its referent: an id of the alias table when the referent is one of its
entities, else an ``x:`` label of our own (the same label for one referent across languages, e.g. "Ukrainians"
and "यूक्रेनियों"; generic groups such as "children" in two documents get two labels). ``LABELS`` holds the labels
in sample order with the first 8 hex digits of the sha1 of each mention, to check the sample drawn is the one
labelled.

Each mention's predicted id is what a document with only that mention would store: the linker's canonical id, else
``lang:name key``. Over all pairs of sampled mentions, a pair is predicted linked when both ids are equal, and truly
linked when both labels are; precision and recall are over pairs (also for cross-language pairs alone).
Caveat: the alias table was written after looking at the most frequent training mentions of all documents, so
frequent entities are favoured; rare referents test the fallbacks.

    PYTHONPATH=src .venv/bin/python benchmarks/entity_linking_eval.py
"""

from __future__ import annotations

import argparse
import hashlib
import random
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train"

LABELS = """x:iraq x:russians x:davos-media x:ua-special-services russia x:viet-children ukraine x:usyk x:skripal kremlin
gates un moscow kyiv russia biden x:ua-leaders ukraine kyiv wef x:budanova x:ukrainians biden x:liao ukraine putin
starmer x:dailysceptic medvedev x:saudi russia russia london the_west x:vanderplas putin gore usa thunberg
x:dailysceptic
eu europe zelensky ukraine nato eu putin usa x:kotin zelensky russia orban russia x:estonia usa the_west ukraine
x:landrut bulgaria russia europe radev the_west eu north_korea ukraine usa nuland poland zelensky the_west russia
bulgaria sandu x:us-and-allies x:budapest brussels putin ukraine zelensky
the_west europe india trump zelensky washington x:birpur x:children-hi87 x:sobyanin kyiv x:airdefence-hi x:jaiswal
france russia ukraine kyiv x:indian-embassy putin india russia x:sudan modi x:children-hi102 x:officials-hi modi
x:ukrainians russia india x:reuters ukraine x:bihar-districts russia x:savasleka x:scheduled-castes x:ft zelensky
ukraine jaishankar russia x:russian-aircraft
x:cdc x:colombia peskov kyiv trump x:samoa russia x:naxos kyiv kharkiv the_west ukraine sbu x:crete x:sifnos ukraine
kuleba un x:costa x:kharchenko fsb x:chios x:machado nato x:borari x:tokhosashvili kyiv nato trump eu x:robertjan
russia x:girkin putin x:greenpeace-br ukraine russia x:forcas-armadas-157 kyiv x:ruiz
europe biden ukraine ukraine biden zelensky orban fsb x:murilo the_west x:ua-saboteurs macron x:makarevich nato
x:fidan x:gorovoy x:sco-states zelensky russia afu x:ru-prosecutor x:kievsovet ukraine x:lapin x:fareast-heads
x:trutnev ukraine russian_army zelensky nato ukraine afu x:gross x:western-intel biden nato x:dnepr-group
x:charles12 russia putin""".split()

CHECK = "56fee1b9"  # sha1 prefix of all sampled mentions joined by tabs (see ``sample_digest``)


def draw_sample(root: Path) -> list[tuple[str, str]]:
    """(lang, mention) for 40 held-out gold mentions per language, drawn with seed 11."""
    from narrascope.models.entity_training import load_subtask1, split_heldout

    _, heldout = split_heldout(load_subtask1(root))
    rng = random.Random(11)
    out = []
    for lang in ("en", "bg", "hi", "pt", "ru"):
        pool = [m for m in heldout if m.lang == lang]
        out += [(lang, m.row.mention) for m in rng.sample(pool, 40)]
    return out


def sample_digest(sample: list[tuple[str, str]]) -> str:
    return hashlib.sha1("\t".join(m for _, m in sample).encode()).hexdigest()[:8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semeval", type=Path, default=DEFAULT)
    args = parser.parse_args()
    from narrascope.text.names import default_linker, name_key

    sample = draw_sample(args.semeval)
    if len(sample) != len(LABELS) or sample_digest(sample) != CHECK:
        raise SystemExit(f"the sample drawn ({sample_digest(sample)}) is not the one labelled ({CHECK})")
    linker = default_linker()
    predicted = [linker.link(m, lang) or f"{lang}:{name_key(m, lang)}" for lang, m in sample]
    totals = {"all": [0, 0, 0], "cross-language": [0, 0, 0]}  # true positives, predicted pairs, gold pairs
    for i, j in combinations(range(len(sample)), 2):
        kinds = ["all"] + (["cross-language"] if sample[i][0] != sample[j][0] else [])
        same_pred, same_gold = predicted[i] == predicted[j], LABELS[i] == LABELS[j]
        for kind in kinds:
            totals[kind][0] += same_pred and same_gold
            totals[kind][1] += same_pred
            totals[kind][2] += same_gold
    for kind, (tp, pred, gold) in totals.items():
        print(f"{kind} pairs: precision {tp / pred:.3f} ({tp}/{pred}), recall {tp / gold:.3f} ({tp}/{gold})")
    known = [i for i, label in enumerate(LABELS) if not label.startswith("x:")]
    right = sum(predicted[i] == LABELS[i] for i in known)
    print(f"mentions of alias-table entities linked to the right id: {right}/{len(known)}")
    wrong = [(sample[i], predicted[i], LABELS[i]) for i in range(len(sample)) if
             (predicted[i] in linker.names or not LABELS[i].startswith("x:")) and predicted[i] != LABELS[i]]
    for (lang, mention), got, want in wrong:
        print(f"  {lang} {mention!r}: linked {got}, labelled {want}")


if __name__ == "__main__":
    main()
