"""Entity framing: find the named entities of an article, link them, and predict the role each mention is cast in.

Mentions are searched in the article only (title and body segments; boilerplate and reader comments yield none,
and are blanked out of the text the role features read). English uses spaCy's small English NER
(``en_core_web_sm``, NER component only). Bulgarian, Hindi, Portuguese and Russian have no offline NER model here,
so mentions come from a gazetteer (the entity names annotated in the SemEval training data plus the aliases of the
curated alias table) and, for the cased scripts, runs of capitalised words (a sentence-initial word counts only
when the text never uses it in lower case and, alone, only when the text also capitalises it mid-sentence).
A name split by the NER at a connector ("Ursula von der" + "Leyen") is joined back.

Linking (:mod:`narrascope.analysers.entity_linking`): mentions of one referent in a document are one entity
("Zelensky" joins "Volodymyr Zelensky"; "Путина" joins "Владимир Путин"; "President Biden" joins "Joe Biden"), and
an entity the alias table knows gets its canonical id and English name in every language ("НАТО" -> NATO).
Each mention then gets a main role (or ``unclear`` when the calibrated probability is too low; the best guess is
kept in ``attrs``), fine roles and its sentence as evidence from
:class:`~narrascope.models.entity_roles.EntityRoleClassifier`. Every step is linear in the document length.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from narrascope.analysers.entity_linking import WORD as _WORD
from narrascope.analysers.entity_linking import ENDINGS, LANGUAGES, EntityLinker, linker_for, name_key
from narrascope.document import ENTITIES, SENTENCES, Document, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.entity_roles import (
    UNCLEAR, EntityRoleClassifier, MentionContext, english_pipeline, sentence_boundaries, sentence_bounds,
)
from narrascope.pipeline import register_analyser

__all__ = ["EntityFramer", "MentionFinder", "learn_gazetteer", "alias_gazetteer", "canonical_names", "name_key",
           "english_ner", "LANGUAGES", "content_only_text", "default_model_dir"]

# spaCy entity types that can be cast in a role (people, groups, organisations, places, events, laws)
NER_LABELS = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW"})
CASED = frozenset({"en", "bg", "pt", "ru"})
GAZETTEER_MAX_TOKENS = 6

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
                found += _capitalised_runs(text, [w for w in words if not inside(w[0])])
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


def _join_split_names(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join a span ending in a connector word with a capitalised span right after it ("Ursula von der" + "Leyen")."""
    by_start = {s: e for s, e in spans}
    out = list(spans)
    for start, end in spans:
        words = text[start:end].split()
        if words and words[-1].lower() in _CONNECTORS:
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
            return int(word.endswith(ENDINGS["bg"][0]))
        return 0

    return sum(rank(word) for word in name.split())


def _is_proper(name: str) -> bool:
    """Every word capitalised, but for inner connectors ("Ursula von der Leyen") and a leading article."""
    words = _without_article(name.split())
    return bool(words) and all(w[:1] == w[:1].upper() or (i and w in _CONNECTORS) for i, w in enumerate(words))


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


def canonical_names(
    mentions: list[str], lang: str = "en", known: dict[str, list[str]] | None = None,
    linker: EntityLinker | None = None,
) -> list[tuple[str, str]]:
    """One entity ``(id, name)`` per mention of a document.

    Mentions whose :func:`name_key` is the same are one entity; so are mentions the ``linker`` maps to one
    canonical id, which then gives the id and the (English) name. A name the linker does not know that is the last
    words of a longer proper name (every word capitalised) in the same document joins it ("Zelensky" -> "Volodymyr
    Zelensky"; not "Biden" -> "Biden administration", nor "России" -> "Вооруженных сил России"; never a known name:
    "Ukraine" stays "Ukraine" beside "Central Ukraine"). Otherwise the name shown is the likeliest dictionary form
    among the document's spellings and the ``known`` forms of the same key (lower-case, e.g. from the gazetteer),
    so "России" shows as "Россия" in every document; ties go to the most frequent spelling, then the shortest; the
    id is ``lang:key``.
    """
    keys = [name_key(m, lang) for m in mentions]
    counts = Counter(keys)
    linked = {k: linker.link_key(k, lang) if linker else None for k in counts}
    proper = {k for m, k in zip(mentions, keys) if _is_proper(m)}
    # longer proper names by each of their word suffixes, most frequent first (linear in the number of words)
    by_suffix: dict[str, str] = {}
    for key in sorted(proper, key=lambda k: (-counts[k], k)):
        words = key.split()
        for n in range(1, len(words)):
            by_suffix.setdefault(" ".join(words[-n:]), key)
    target = {}
    for key in counts:  # follow "Norte" -> "Atlântico Norte" -> "Tratado do Atlântico Norte" to the longest name
        end = key
        while linked[end] is None and by_suffix.get(end, end) != end:
            end = by_suffix[end]
        target[key] = end
    entity_id = {k: linked[target[k]] or f"{lang}:{target[k]}" for k in counts}
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for mention, key in zip(mentions, keys):
        if target[key] == key:  # spellings of the name itself, not of the shorter names that joined it
            spelling[entity_id[key]][" ".join(mention.split())] += 1
    shown = {}
    for eid, spelled in spelling.items():
        if linker and eid in linker.names:
            shown[eid] = linker.display(eid)
            continue
        forms: Counter[str] = Counter()
        for name, n in spelled.items():
            forms[name.lower()] += n
        own = eid.split(":", 1)[1]
        for form in (known or {}).get(own, ()):
            forms.setdefault(form, 0)
        best = min(forms, key=lambda f: (_citation_rank(f, lang), -forms[f], len(f), f))
        written = [name for name in spelled if name.lower() == best]
        if written:
            shown[eid] = max(written, key=lambda name: spelled[name])
        else:  # a gazetteer form: write it like the document's most frequent spelling
            shown[eid] = _recase(best, min(spelled, key=lambda name: (-spelled[name], len(name), name)))
    return [(entity_id[k], shown[entity_id[k]]) for k in keys]


def content_only_text(doc: Document) -> str:
    """The document text with everything outside the title and body segments replaced by line breaks: same offsets,
    but boilerplate and comments can neither yield mentions nor colour the features of the article's mentions."""
    regions = [(s.start, s.end) for s in doc.content_segments()]
    if regions == [(0, len(doc.text))]:
        return doc.text
    parts, at = [], 0
    for start, end in sorted(regions):
        parts.append("\n" * (start - at))
        parts.append(doc.text[start:end])
        at = end
    parts.append("\n" * (len(doc.text) - at))
    return "".join(parts)


def default_model_dir() -> Path:
    """Folder of the active entity model version (see :mod:`narrascope.models.versions`), else the packaged one."""
    from narrascope.models.versions import active_dir

    return active_dir("entities") or packaged_model_dir("entities")


@register_analyser("entities")
class EntityFramer:
    """Writes the ``entities`` layer: one span per mention, label = main role (``unclear`` when its calibrated
    probability is under the model's threshold), score = that probability, and ``attrs``: ``entity`` (display
    name), ``entity_id`` (canonical id), ``fine_roles`` ({role: probability}), ``roles`` (all main-role
    probabilities), ``best_guess`` (the main role, also when unclear) and ``evidence`` (sentence offsets).

    Documents in a language other than en/bg/hi/pt/ru get an empty layer (no trained roles for them).
    """

    name = "entities"
    requires = (SENTENCES,)
    assigns = (ENTITIES,)

    def __init__(self, model_dir: str | Path | None = None):
        directory = Path(model_dir) if model_dir else default_model_dir()
        self.model_dir = directory
        self.version = f"4-{model_version(directory)}"
        gazetteer = json.loads((directory / "gazetteer.json").read_text(encoding="utf-8"))
        aliases = directory / "aliases.json"
        if not aliases.is_file():
            aliases = packaged_model_dir("entities") / "aliases.json"
        self.linker = linker_for(str(aliases))
        self.finder = MentionFinder(gazetteer, shared=alias_gazetteer(json.loads(aliases.read_text(encoding="utf-8"))))

    @cached_property
    def known_forms(self) -> dict[str, dict[str, list[str]]]:
        """Per language, the gazetteer's forms of each name (:func:`name_key` -> forms), for choosing the name shown."""
        out: dict[str, dict[str, list[str]]] = {}
        for lang, names in self.finder.gazetteer.items():
            for name in sorted(names):
                out.setdefault(lang, {}).setdefault(name_key(name, lang), []).append(name.lower())
        return out

    @cached_property
    def model(self) -> EntityRoleClassifier:
        """Loaded on first use, so a process that only describes the pipeline never loads it."""
        return EntityRoleClassifier.load(self.model_dir)

    def predict(self, docs: list[Document]) -> list[list[Span]]:
        found: list[list[tuple[int, int]]] = [[] for _ in docs]
        contexts: list[MentionContext] = []
        for i, doc in enumerate(docs):
            lang = (doc.language or "").lower()
            if lang not in LANGUAGES:
                continue
            text = content_only_text(doc)
            regions = [(s.start, s.end) for s in doc.content_segments()]
            found[i] = self.finder.find(text, lang, regions)
            contexts += [MentionContext(text, start, end, lang) for start, end in found[i]]
        predictions = iter(self.model.predict_roles(contexts))
        out: list[list[Span]] = []
        for doc, mentions in zip(docs, found):
            lang = (doc.language or "").lower()
            names = canonical_names([doc.text[s:e] for s, e in mentions], lang, self.known_forms.get(lang), self.linker)
            sentences = doc.sentences()
            sentence_starts = [s.start for s in sentences]
            boundaries = None
            spans = []
            for (start, end), (entity_id, name) in zip(mentions, names):
                p = next(predictions)
                evidence = _evidence(sentences, sentence_starts, start, end)
                if evidence is None:
                    boundaries = boundaries or sentence_boundaries(doc.text)
                    evidence = sentence_bounds(doc.text, start, end, boundaries)
                spans.append(Span(
                    start, end, p.main_role if p.clear else UNCLEAR, p.main_proba[p.main_role],
                    {
                        "entity": name,
                        "entity_id": entity_id,
                        "best_guess": p.main_role,
                        "roles": {r: round(v, 4) for r, v in p.main_proba.items()},
                        "fine_roles": {r: round(v, 4) for r, v in p.fine_roles.items()},
                        "evidence": list(evidence),
                    },
                ))
            out.append(spans)
        return out

    def set_annotations(self, docs: list[Document], predictions: list[list[Span]]) -> None:
        for doc, spans in zip(docs, predictions):
            doc.add_spans(ENTITIES, spans)


def _evidence(sentences: list[Span], starts: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The sentence (from the ``sentences`` layer) containing a mention, if any."""
    k = bisect_right(starts, start) - 1
    if k >= 0 and sentences[k].start <= start and end <= sentences[k].end:
        return sentences[k].start, sentences[k].end
    return None
