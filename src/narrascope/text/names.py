"""Entity linking: one canonical id and display name for the many spellings of one referent, in five languages.

Two steps share one normalisation (:func:`name_key`: case, accents, Hindi nukta, leading articles and honorifics,
Russian/Bulgarian case and article endings). Within a document, mentions with the same key are one entity.
Across documents and languages, :class:`EntityLinker` maps a key to a canonical id through a curated alias table
(``aliases.json`` beside the entity model: the people, countries and organisations that dominate the training
mentions, written by hand with their usual spellings in each language), then through a surname rule for people
("Volodymyr Zelenskiy" -> the Zelensky id when "Zelenskiy" is a listed alias) and a Cyrillic transliteration
fallback ("Путин" -> "putin"). Names the table does not know keep a per-language id and their own name.

Light on purpose (``re``/``json`` only): the store imports it to resolve ``--entity НАТО`` to "NATO".
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from narrascope.text.languages import LANGUAGES

__all__ = ["EntityLinker", "name_key", "fold", "default_linker", "stem"]

# a word: letters/digits plus Devanagari vowel signs (which are not \w), inner apostrophes, hyphens and dots
WORD = re.compile(r"[^\W_][\w\u0900-\u0963\u0966-\u097f'’\-.]*(?<![.\-'’])")

# Titles that precede a name and are not part of it ("President Joe Biden", "премьер Моди", "पीएम मोदी").
HONORIFICS = frozenset(
    """president prime minister pm mr mr. mrs mrs. ms ms. dr dr. sir chancellor secretary senator
    king queen pope premier comrade
    президент президента президенту президентом премьер премьера премьер-министр министр министра господин г-н
    генерал канцлер канцлера патриарх президентът премиерът министър министъра канцлерът г-жа
    presidente primeiro-ministro primeira-ministra ministro ministra chanceler senhor senhora papa
    राष्ट्रपति प्रधानमंत्री पीएम श्री मंत्री जनरल""".split()
)
_ARTICLES = frozenset({"the", "a", "an"})

# Endings stripped from Russian and Bulgarian name words to group the forms of one name ("России", "Россию" ->
# "росси"; "Путина" -> "путин"; Bulgarian "Русията" -> "руси"). Each tuple is one pass, longest ending first; a
# stem keeps at least three letters. Not a morphological analyser: enough for names, whose forms differ at the end.
ENDINGS = {
    "ru": (("ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях",
            "ую", "юю", "ая", "яя", "ые", "ие", "ый", "ий", "а", "я", "у", "ю", "ы", "и", "е", "ь"),),
    "bg": (("ът", "ят", "та", "то", "те"), ("а", "я")),
}

_CYRILLIC = dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюяєіїґ",
                     ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                      "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "ye", "i", "yi", "g"]))
_NUKTA = {"\u0958": "\u0915", "\u0959": "\u0916", "\u095a": "\u0917", "\u095b": "\u091c", "\u095c": "\u0921",
          "\u095d": "\u0922", "\u095e": "\u092b", "\u095f": "\u092f", "\u093c": ""}


def fold(text: str) -> str:
    """Lower case without Latin accents ("Orbán" -> "orban"), "ё" as "е", and Devanagari without nukta."""
    out = []
    for ch in text.lower():
        if ch in _NUKTA:
            out.append(_NUKTA[ch])
        elif ch == "ё":
            out.append("е")
        elif ch > "\x7f" and "LATIN" in unicodedata.name(ch, ""):
            out.append(unicodedata.normalize("NFKD", ch)[0])
        else:
            out.append(ch)
    return "".join(out)


def stem(word: str, lang: str) -> str:
    """A ru/bg name word without its case or article ending (other languages: unchanged)."""
    for endings in ENDINGS.get(lang, ()):
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
    return word


def _words(name: str) -> list[str]:
    """Folded words of a name less a possessive and leading articles and honorifics."""
    text = re.sub(r"(’s|'s)$", "", " ".join(name.split()))
    if "(" in text and text.index("(") > 0:  # "United Nations (UN)": the name before its parenthesis
        text = text[: text.index("(")]
    words = [m.group() for m in WORD.finditer(fold(text))]
    while len(words) > 1 and (words[0] in _ARTICLES or words[0] in HONORIFICS):
        words = words[1:]
    return words


def name_key(name: str, lang: str) -> str:
    """What the forms of one name share (see the module docstring); the folded name when nothing is left."""
    return " ".join(stem(w, lang) for w in _words(name)) or fold(name.strip())


def transliterate(key: str) -> str:
    """A Cyrillic key in Latin letters ("нато" -> "nato"), to meet the English spelling of a name."""
    return "".join(_CYRILLIC.get(ch, ch) for ch in key)


class EntityLinker:
    """Canonical ids for entity names: ``link(name, lang)`` -> id or None; ``display(id)`` -> the English name."""

    def __init__(self, table: dict[str, list]):
        self.names: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.keys: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        self.surnames: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for entity_id, entry in table.items():
            if entity_id.startswith("_"):
                continue
            name, kind, aliases = entry
            self.names[entity_id] = name
            self.kinds[entity_id] = kind
            for alias in [name, *aliases]:
                for lang in LANGUAGES:
                    key = name_key(alias, lang)
                    self.keys[lang].setdefault(key, entity_id)
                    if kind == "person" and " " not in key and len(key) >= 4:
                        self.surnames[lang].setdefault(key, entity_id)

    @classmethod
    def from_file(cls, path: str | Path) -> EntityLinker:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def link(self, name: str, lang: str) -> str | None:
        """The canonical id of a name written in ``lang``, or None when the table does not know it."""
        lang = lang if lang in self.keys else "en"
        key = name_key(name, lang)
        return self.link_key(key, lang)

    def link_key(self, key: str, lang: str) -> str | None:
        """:meth:`link` for a key already made by :func:`name_key`."""
        lang = lang if lang in self.keys else "en"
        found = self.keys[lang].get(key)
        if found:
            return found
        words = key.split()
        if len(words) > 1 and words[-1] in self.surnames[lang]:  # given name + a listed surname
            return self.surnames[lang][words[-1]]
        latin = transliterate(key)
        return self.keys["en"].get(latin) if latin != key else None

    def display(self, entity_id: str) -> str:
        return self.names[entity_id]

    def resolve(self, name: str) -> str | None:
        """The display name of whatever entity ``name`` spells in any of the five languages (for queries)."""
        for lang in sorted(LANGUAGES, key=lambda code: code != "en"):  # English first
            entity_id = self.link(name, lang)
            if entity_id:
                return self.names[entity_id]
        return None


@lru_cache(maxsize=4)
def linker_for(path: str) -> EntityLinker:
    """The linker of an alias table file, built once per process."""
    return EntityLinker.from_file(path)


def default_linker() -> EntityLinker:
    """The linker of the alias table shipped with the entity model."""
    return linker_for(str(Path(__file__).resolve().parent.parent / "resources" / "models" / "entities" / "aliases.json"))
