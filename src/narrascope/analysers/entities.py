"""Entity framing: find the named entities of an article, link them, and predict the role each mention is cast in.

Mentions are searched in the article only (title and body segments; boilerplate and reader comments yield none,
and are blanked out of the text the role features read) by :class:`narrascope.text.mentions.MentionFinder`, with
a gazetteer of the entity names annotated in the SemEval training data plus the aliases of the curated alias table.

Linking (:mod:`narrascope.text.names`): mentions of one referent in a document are one entity
("Zelensky" joins "Volodymyr Zelensky"; "Путина" joins "Владимир Путин"; "President Biden" joins "Joe Biden"), and
an entity the alias table knows gets its canonical id and English name in every language ("НАТО" -> NATO).
Each mention then gets a main role (or ``unclear`` when the calibrated probability is too low; the best guess is
kept in ``attrs``), fine roles and its sentence as evidence from
:class:`~narrascope.models.entity_roles.EntityRoleClassifier`. Every step is linear in the document length.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from functools import cached_property
from pathlib import Path

from narrascope.document import ENTITIES, SENTENCES, Document, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.entity_roles import COMPONENT, GAZETTEER, UNCLEAR, EntityRoleClassifier, MentionContext
from narrascope.models.format import read_json, read_metadata
from narrascope.models.versions import active_dir
from narrascope.pipeline import register_analyser
from narrascope.text.languages import LANGUAGES
from narrascope.text.mentions import CONNECTORS, MentionFinder, alias_gazetteer, english_ner, learn_gazetteer
from narrascope.text.names import ENDINGS, EntityLinker, linker_for, name_key
from narrascope.text.sentences import sentence_boundaries, sentence_bounds

__all__ = ["EntityAnalyser", "MentionFinder", "learn_gazetteer", "alias_gazetteer", "canonical_names", "name_key",
           "english_ner", "LANGUAGES", "content_only_text", "default_model_dir"]


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
    return bool(words) and all(w[:1] == w[:1].upper() or (i and w in CONNECTORS) for i, w in enumerate(words))


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
    return active_dir("entities") or packaged_model_dir("entities")


@register_analyser("entities")
class EntityAnalyser:
    """Writes the ``entities`` layer: one span per mention, label = main role (``unclear`` when its calibrated
    probability is under the model's threshold), score = that probability, and ``attrs``: ``entity`` (display
    name), ``entity_id`` (canonical id), ``fine_roles`` ({role: probability}), ``roles`` (all main-role
    probabilities), ``best_guess`` (the main role, also when unclear) and ``evidence`` (sentence offsets).

    Documents in a language other than en/bg/hi/pt/ru get an empty layer (no trained roles for them).
    """

    name = "entities"
    code_version = "5"  # the version is this plus the model's; bumped when the code changes its output
    requires = (SENTENCES,)
    assigns = (ENTITIES,)

    def __init__(self, model_dir: str | Path | None = None):
        directory = Path(model_dir) if model_dir else default_model_dir()
        self.model_dir = directory
        read_metadata(directory, COMPONENT)  # a broken folder or another component's model fails here, by name
        self.version = f"{self.code_version}-{model_version(directory)}"
        gazetteer = read_json(directory, GAZETTEER)
        aliases = directory / "aliases.json"
        if not aliases.is_file():
            aliases = packaged_model_dir("entities") / "aliases.json"
        self.linker = linker_for(str(aliases))
        self.finder = MentionFinder(gazetteer, shared=alias_gazetteer(read_json(aliases.parent, aliases.name)))

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
