"""Entity-role estimator: given a mention in its text, predict its main role and fine roles, with calibrated doubt.

Main roles (Protagonist / Antagonist / Innocent) come from one multinomial-style logistic model over sparse views
of the mention: the mention string and its canonical entity id (so "НАТО" and "NATO" share evidence across the five
languages), its character n-grams, the words just left and right of it in its sentence, the words of every
sentence of the document that names the same head word, salience cues (frequency, position, title, quotation),
predicate cues (is the mention the agent or the patient of violence, lying, helping, blaming; is a place where
harm happened) from small per-language cue lexicons, its grammatical role (English: from spaCy's dependency parse,
e.g. subject of "attacked", object of "help", "by" agent of a passive, "strikes on X", "in the town of X"; other
languages: marker words such as "pela", "срещу", "ने", "पर" next to the mention), crosses of the document's domain
(war or climate, from a keyword cue) with the entity and the predicates, and entity priors: the role distribution
of the same canonical entity, head word and stem in the training data, each mention's own document left out when
training; and the entity's side in the Ukraine war (a small table keyed by canonical id) crossed with its document's
stance, estimated by a document classifier whose labels come from the gold roles of the training documents (out of
fold for the training mentions; opt-in, see the model card). Word features carry the language, so one model serves all five languages.

Features are computed once per document (:class:`_DocumentIndex`) and once per (document, entity head), so the
cost of a document is linear in its length, however often its entities recur.

Fine roles are constrained by the main role: per main role, one-vs-rest logistic models over that role's fine
roles, applied under the predicted main role; the most probable fine role is given, plus any other whose
conditional probability reaches ``fine_threshold``. Calibration: a multinomial logistic map of the main model's
log-probabilities fitted on out-of-fold predictions of the training data, and ``unclear_below_``, the calibrated
probability under which a role is reported as unclear (chosen on the same out-of-fold predictions). Optional
per-language decision weights (``min_recall``), also chosen on them, trade accuracy for the recall of rare roles.

Saved in the one model-folder layout of :mod:`narrascope.models.format` (JSON and arrays, no pickle).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

from narrascope.models.format import load_model, save_model
from narrascope.text.mentions import english_pipeline
from narrascope.text.names import EntityLinker, default_linker, fold, name_key, stem
from narrascope.text.sentences import sentence_boundaries, sentence_bounds

__all__ = ["MentionContext", "RolePrediction", "EntityRoleClassifier", "sentence_bounds", "sentence_boundaries",
           "normalise_mention", "english_pipeline", "remembered_parses", "UNCLEAR"]

ALL_VIEWS = ("mention", "mention_chars", "near", "sentence_words", "entity_doc", "cues", "predicates", "crosses",
             "priors", "syntax", "stance")
DEFAULT_VIEWS = tuple(v for v in ALL_VIEWS if v != "stance")  # the stance view is measured, not shipped (model card)
_DENSE_VIEWS = ("priors", "stance")
COMPONENT = "entities"
GAZETTEER = "gazetteer.json"  # beside the model: entity names per language, for finding mentions
UNCLEAR = "unclear"
MAIN_ROLES = ("Antagonist", "Innocent", "Protagonist")

_TOKEN = re.compile(r"[^\W_][^\s.,;:!?\"'“”„‘’«»()\[\]{}<>|/…]*")
_NEAR = 4  # tokens on each side that get position-tagged features
_SIDE_TOKENS = 40  # tokens of the sentence read on each side of a mention (bounds the work per mention)
_CUE_WINDOW = 12  # predicate cues count within this many tokens of the mention
_QUOTES = "\"“”«»„"

# Cue lexicons: word prefixes (folded lower case) per category and language. Written for narrascope; short on
# purpose, they name the predicate an entity takes part in, not its role.
_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "violence": {
        "en": ("attack", "kill", "bomb", "shell", "strike", "struck", "invad", "invasion", "destroy", "murder",
               "massacr", "shoot", "shot", "missile", "assault", "occup", "aggress", "slaughter", "execut",
               "tortur", "rape", "loot", "terror"),
        "bg": ("атак", "уби", "бомб", "обстрел", "нападн", "нападе", "нахлу", "унищож", "разруш", "окупа",
               "агреси", "терор", "екзекут", "изтезав", "разстрел", "удар"),
        "ru": ("атак", "убил", "убив", "бомб", "обстрел", "удар", "напал", "напад", "вторг", "уничтож", "разруш",
               "оккуп", "агресс", "террор", "казн", "пытк", "пыта", "расстрел", "штурм"),
        "pt": ("atac", "assassin", "bombard", "bomba", "destru", "invad", "invas", "ocup", "agress", "terror",
               "massacr", "tortur", "dispar", "mísse", "misse"),
        "hi": ("हमल", "बमबार", "हत्य", "आक्रमण", "नष्ट", "तबाह", "कब्ज", "आतंक", "गोलाबार", "मिसाइल"),
    },
    "harm": {
        "en": ("victim", "civilian", "wounded", "injur", "suffer", "casualt", "dead", "died", "death", "refugee",
               "displac", "hostage", "detain", "arrest", "imprison", "poison", "starv", "innocent", "children", "damag"),
        "bg": ("жертв", "цивил", "ранен", "пострада", "загина", "убит", "бежан", "задържа", "арест", "затвор",
               "невинн", "деца"),
        "ru": ("жертв", "мирн", "ранен", "пострада", "погиб", "убит", "беженц", "задерж", "арест", "отрав",
               "невинн", "дети", "детей"),
        "pt": ("vítima", "vitima", "civis", "ferid", "morreu", "morte", "mortos", "refugiad", "detid", "sofr",
               "inocent", "crianças", "criancas"),
        "hi": ("पीडित", "नागरिक", "घायल", "मौत", "मृत", "शरणार्थी", "गिरफ्तार", "हिरासत", "बंधक", "बच्च"),
    },
    "lie": {
        "en": ("lie", "lied", "lying", "liar", "propagand", "disinform", "misinform", "fake", "deceiv", "manipul",
               "hoax", "fabricat", "false", "mislead", "conspir"),
        "bg": ("лъж", "пропаганд", "дезинформ", "манипул", "фалшив", "заблужд", "измам", "конспира"),
        "ru": ("лжи", "ложь", "лгал", "врет", "врал", "пропаганд", "дезинформ", "фейк", "манипул", "ложн",
               "обман", "фальсиф", "заговор"),
        "pt": ("mentir", "mentira", "propagand", "desinform", "manipul", "falso", "falsa", "engan", "fraud",
               "fake", "conspira"),
        "hi": ("झूठ", "दुष्प्रचार", "भ्रामक", "फर्जी", "गुमराह", "साजिश"),
    },
    "help": {
        "en": ("help", "aid", "support", "protect", "defend", "rescue", "save", "saving", "assist", "negotiat",
               "peace", "ceasefire", "humanitarian", "donat", "evacuat", "liberat", "hero"),
        "bg": ("помаг", "помощ", "подкреп", "защит", "спас", "преговор", "мир", "хуманитар", "евакуир",
               "освобод", "герой"),
        "ru": ("помог", "помощ", "поддерж", "защит", "спас", "переговор", "мир", "гуманитар", "эвакуир",
               "освобод", "геро"),
        "pt": ("ajud", "apoi", "proteg", "defend", "defes", "salv", "resgat", "negoci", "paz", "cessar-fogo",
               "humanitár", "humanitar", "evacu", "libert", "heró", "hero"),
        "hi": ("मदद", "सहायता", "समर्थन", "रक्षा", "बचा", "शांति", "वार्ता", "मानवीय"),
    },
    "blame": {
        "en": ("blame", "accus", "condemn", "critici", "threat", "warn", "sanction", "corrupt", "crime", "criminal",
               "nazi", "fascis", "regime", "dictator", "puppet", "escalat", "provoc"),
        "bg": ("обвин", "осъд", "критик", "заплах", "санкци", "корупц", "престъп", "наци", "фашис", "режим",
               "диктат", "марионет", "ескалац", "провок"),
        "ru": ("обвин", "осуд", "критик", "угрож", "угроз", "санкц", "коррупц", "преступ", "нацис", "фашис",
               "режим", "диктат", "марионет", "эскалац", "провок"),
        "pt": ("acus", "conden", "critic", "ameaç", "ameac", "sanç", "sanc", "corrup", "crim", "nazi", "fascis",
               "regime", "ditad", "fantoche", "escal", "provoc"),
        "hi": ("आरोप", "निंदा", "आलोचना", "धमकी", "प्रतिबंध", "भ्रष्ट", "अपराध", "नाजी", "तानाशाह", "उकसा"),
    },
    "speech": {
        "en": ("said", "says", "told", "stated", "claimed", "according", "announced", "declared", "wrote",
               "insisted", "added"),
        "bg": ("заяви", "каза", "казва", "според", "съобщи", "твърди", "обяви", "написа", "добави"),
        "ru": ("заявил", "заявля", "сказал", "говорит", "словам", "сообщил", "утвержда", "объявил", "написал",
               "отметил", "подчеркнул"),
        "pt": ("disse", "afirmou", "declarou", "segundo", "anunciou", "escreveu", "acrescentou", "referiu",
               "garantiu"),
        "hi": ("कहा", "बताया", "अनुसार", "दावा", "घोषणा", "लिखा"),
    },
}
_LOCATIVE = {"en": ("in", "at", "near", "on"), "bg": ("в", "във", "на", "край", "под"),
             "ru": ("в", "во", "на", "под", "около"), "pt": ("em", "no", "na", "nos", "nas", "perto"), "hi": ()}
# Words that mark which side of the Ukraine war an article takes (folded prefixes per language; "Kiev" against
# "Kyiv" is such a mark in English, not in Portuguese, where "Kiev" is the usual spelling).
_SIDE_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "pro_kremlin": {
        "en": ("regime", "neo-nazi", "neonazi", "nazis", "banderit", "junta", "russophob", "globalist", "kiev"),
        "ru": ("режим", "неонацист", "нацист", "бандеров", "укронацист", "русофоб", "спецоперац", "глобалист",
               "киевск"),
        "bg": ("режим", "неонацист", "нацист", "русофоб", "глобалист", "киевск"),
        "pt": ("regime", "neonazi", "nazis", "russofob", "globalist"),
        "hi": ("नाजी", "नव-नाजी"),
    },
    "pro_ukraine": {
        "en": ("invasion", "invaded", "invader", "aggression", "occupier", "atrocit", "kyiv"),
        "ru": ("вторжен", "агресси", "оккупант"),
        "bg": ("нахлуване", "агресия", "окупатор"),
        "pt": ("invasao", "agressao", "ocupant", "atrocidad"),
        "hi": ("आक्रमण", "हमलावर"),
    },
}
# The side of the Ukraine war an entity stands on: "ru" (Russia, its state, army and allies) or "ua" (Ukraine and the
# West that arms it), keyed by the canonical ids of aliases.json, and, for names the table lacks, by a word of the
# name ("Russian forces", "украинские военные"). Written for narrascope; entities of no clear side are left out.
_ENTITY_SIDE = {
    "ru": ("russia", "kremlin", "russian_army", "russian_mod", "putin", "peskov", "lavrov", "shoigu", "zakharova",
           "medvedev", "gerasimov", "wagner", "prigozhin", "fsb", "moscow", "belarus", "lukashenko"),
    "ua": ("ukraine", "kyiv", "kharkiv", "afu", "zelensky", "kuleba", "yermak", "syrskyi", "zaluzhny", "budanov", "sbu",
           "nato", "eu", "european_commission", "usa", "uk", "germany", "france", "poland", "the_west", "europe",
           "washington", "brussels", "london", "pentagon", "white_house", "biden", "biden_administration", "blinken",
           "lloyd_austin", "nuland", "von_der_leyen", "stoltenberg", "rutte", "macron", "scholz", "boris_johnson",
           "starmer", "cia", "g7", "harris", "sandu", "moldova"),
}
_SIDE_OF_ID = {entity: side for side, ids in _ENTITY_SIDE.items() for entity in ids}
_SIDE_WORDS = {"ru": ("russ", "росси", "руск", "русия", "rúss", "russo", "russa", "रूस", "kremlin", "кремл"),
               "ua": ("ukrain", "украин", "украй", "ucrân", "ucran", "यूक्रेन", "kyiv", "kiev", "киев", "nato", "нато",
                      "नाटो", "otan", "western", "запад", "ocident")}

# Words next to a mention that mark its grammatical role where the cue order does not (passive agents, targets, the
# Hindi case postpositions: "X ने हमला किया" has X as agent, "X पर हमला" as target). Written for narrascope.
_AGENT_BEFORE = {"en": ("by",), "bg": ("от",), "pt": ("por", "pelo", "pela", "pelos", "pelas"), "ru": (), "hi": ()}
_TARGET_BEFORE = {"en": ("against",), "bg": ("срещу",), "pt": ("contra",), "ru": ("против",), "hi": ()}
_AGENT_AFTER = {"hi": ("ने", "द्वारा")}
_TARGET_AFTER = {"hi": ("पर", "को", "खिलाफ")}
_CLIMATE = ("climat", "carbon", "emission", "warming", "климат", "въглер", "емиси", "выброс", "clima", "carbono",
            "emiss", "aqueciment", "जलवायु", "कार्बन", "उत्सर्जन")


_LOCATIVE_EN = frozenset(_LOCATIVE["en"]) | {"near", "outside", "inside", "across", "throughout"}
_COPULA = frozenset({"is", "are", "was", "were", "be", "been", "being", "'s", "'re", "’s", "’re"})
_ROLE_OF_DEPENDENCY = {"nsubj": "agent", "csubj": "agent", "poss": "agent", "nsubjpass": "patient", "dobj": "patient",
                       "dative": "patient", "attr": "attribute"}


_Parse = tuple[list[int], list[int], list[tuple[str, ...]]]
_PARSES: dict[str, _Parse] | None = None


@contextmanager
def remembered_parses() -> Iterator[None]:
    """Keep each English text's dependency parse while the block runs (cross-validation and calibration read the
    same texts in every fold; outside such a block nothing is kept, so analysing a corpus holds no parses)."""
    global _PARSES
    outer = _PARSES
    _PARSES = {} if outer is None else outer
    try:
        yield
    finally:
        _PARSES = outer


def _dependency_role(token: Any, category_of: Any) -> tuple[str, ...]:
    """Grammatical role of an English token in its clause (agent, patient, target, place, attribute, ...) with the
    cue category of the word it depends on: "Russia attacked" -> agent:violence, "victims of X" -> of:harm."""
    while token.dep_ in ("conj", "appos") and token.head is not token:  # "Russia and Iran attacked": as "Russia"
        token = token.head
    dep, governor = token.dep_, token.head
    role = _ROLE_OF_DEPENDENCY.get(dep, "")
    if dep == "pobj":
        preposition = governor.lower_
        governor = governor.head
        if token.head.dep_ == "agent":  # the passive "by" phrase
            role = "agent"
        elif preposition == "against" or preposition in ("on", "at") and category_of(governor.lower_) == "violence":
            role = "target"  # "strikes on Kharkiv"
        elif preposition == "of" and governor.dep_ == "pobj" and governor.head.lower_ in _LOCATIVE_EN:
            role = "place"  # "in the border town of Novyi Brid"
        elif preposition in _LOCATIVE_EN:
            role = "place"
        else:
            role = "of" if preposition == "of" else "prep"
    if role == "agent" and dep == "nsubj" and governor.lower_ in _COPULA:
        role = "is"  # "civilians are the victims": the category comes from the predicate noun
    if not role:
        return (f"gram:{dep}",)
    words = [governor] + [c for c in governor.children if c.dep_ in ("xcomp", "attr", "acomp", "dobj")] \
        if role in ("agent", "is") else [governor]
    categories = sorted({category_of(w.lower_) for w in words} - {None}) or ["none"]
    negated = any(c.dep_ == "neg" for c in governor.children)
    return (f"gram:{role}", f"gram:{role}:w:{governor.lower_}") + tuple(
        f"gram:{role}:{c}" + (":neg" if negated else "") for c in categories)


@dataclass(frozen=True)
class MentionContext:
    """A mention as plain data: the whole text, half-open offsets of the mention, ISO 639-1 language."""

    text: str
    start: int
    end: int
    lang: str

    @property
    def mention(self) -> str:
        return self.text[self.start : self.end]


@dataclass(frozen=True)
class RolePrediction:
    """Roles of one mention: the best-guess main role, calibrated main-role probabilities, whether the role is clear
    enough to show, and the chosen fine roles with probabilities (P(main) * P(fine | main), comparable across
    mentions)."""

    main_role: str
    main_proba: dict[str, float]
    fine_roles: dict[str, float]
    clear: bool = True


def normalise_mention(mention: str) -> str:
    """Lower-cased mention with whitespace collapsed and possessive/punctuation ends trimmed."""
    text = " ".join(mention.split()).lower()
    text = re.sub(r"(’s|'s)$", "", text)
    return text.strip(" .,;:!?\"'“”„‘’«»()[]")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _distinct(values: list[Any]) -> tuple[list[Any], list[int]]:
    """The distinct objects of ``values`` (by identity: the lists one document's mentions share), in order, and the
    index of each value among them, so each is vectorised once."""
    index: dict[int, int] = {}
    unique: list[Any] = []
    for value in values:
        if id(value) not in index:
            index[id(value)] = len(unique)
            unique.append(value)
    return unique, [index[id(value)] for value in values]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _bucket(value: float, edges: Sequence[float]) -> int:
    return sum(value >= e for e in edges)


@dataclass
class _Sentence:
    start: int
    end: int
    tokens: list[tuple[int, str]]  # (offset, folded lower-case token)
    positions: list[int]  # offsets of the tokens
    cues: list[tuple[int, str]]  # (token index, cue category), in token order
    cue_at: list[int]  # token indices of the cues


class _DocumentIndex:
    """What every mention of one document shares, computed in one pass: sentences, their tokens and predicate
    cues, and per head word its frequency, first position and the words of the sentences that name it."""

    def __init__(self, text: str, lang: str, parse: bool = False):
        self.text, self.lang = text, lang
        self.boundaries = sentence_boundaries(text)
        starts, ends = self.boundaries
        cuts = [0, *ends]
        stops = [*starts, len(text)]
        lexicon = {cat: by_lang.get(lang, ()) for cat, by_lang in _CUES.items()}
        side_cues = {side: by_lang.get(lang, ()) for side, by_lang in _SIDE_CUES.items()}
        category_of: dict[str, str | None] = {}
        self.sentences: list[_Sentence] = []
        self.head_sentences: dict[str, list[int]] = defaultdict(list)
        self.head_count: Counter[str] = Counter()
        self.head_first: dict[str, int] = {}
        climate = 0
        sides: Counter[str] = Counter()
        for a, b in zip(cuts, stops):
            if a >= b:
                continue
            tokens = [(a + m.start(), fold(m.group())) for m in _TOKEN.finditer(text, a, b)]
            cues = []
            for i, (pos, token) in enumerate(tokens):
                if token not in category_of:
                    category_of[token] = next((c for c, pre in lexicon.items() if pre and token.startswith(pre)), None)
                    climate_word = token.startswith(_CLIMATE)
                    category_of[token + "\0c"] = "c" if climate_word else None
                    category_of[token + "\0s"] = next((side for side, pre in side_cues.items()
                                                       if pre and token.startswith(pre)), None)
                if side := category_of[token + "\0s"]:
                    sides[side] += 1
                if category := category_of[token]:
                    cues.append((i, category))
                climate += category_of[token + "\0c"] is not None
                self.head_count[token] += 1
                self.head_first.setdefault(token, pos)
                sentences = self.head_sentences[token]
                if not sentences or sentences[-1] != len(self.sentences):
                    sentences.append(len(self.sentences))
            self.sentences.append(_Sentence(a, b, tokens, [p for p, _ in tokens], cues, [i for i, _ in cues]))
        self.sentence_starts = [s.start for s in self.sentences]
        self.words = [f"{lang}:{t}" for t in self.head_count]  # the document's distinct words, for its stance
        newline = text.find("\n")
        self.title_end = newline if newline > 0 else 0
        self.domain = "cc" if climate >= 3 else "urw"
        kremlin, ukraine = sides["pro_kremlin"], sides["pro_ukraine"]
        self.side = "pro_kremlin" if kremlin > ukraine + 1 else "pro_ukraine" if ukraine > kremlin + 1 else "neutral"
        self._entity_words: dict[str, list[str]] = {}
        self.parse: _Parse | None = None
        if parse and lang == "en":
            def cue(word: str) -> str | None:
                return next((c for c, pre in lexicon.items() if c != "speech" and word.startswith(pre)), None)
            self.parse = _PARSES.get(text) if _PARSES is not None else None
            if self.parse is None:
                self.parse = self._english_parse(cue)
                if _PARSES is not None:
                    _PARSES[text] = self.parse

    def _english_parse(self, category_of: Any) -> _Parse:
        """Offsets of every token, of the token it depends on, and its grammatical role (one parse per sentence)."""
        starts, heads, roles = [], [], []
        nlp = english_pipeline(("tok2vec", "parser"))
        pieces = [(s.start, s.end) for s in self.sentences]
        for (a, _), doc in zip(pieces, nlp.pipe(self.text[a:b] for a, b in pieces)):
            for token in doc:
                starts.append(a + token.idx)
                heads.append(a + token.head.idx)
                roles.append(_dependency_role(token, category_of))
        return starts, heads, roles

    def grammatical_role(self, start: int, end: int) -> tuple[str, ...]:
        """The role of the mention's syntactic head (its token governed from outside the mention), English only."""
        if self.parse is None:
            return ()
        starts, heads, roles = self.parse
        for i in range(bisect_left(starts, start), bisect_left(starts, end)):
            if not start <= heads[i] < end:
                return roles[i]
        return ()

    def sentence_of(self, start: int) -> int:
        return max(bisect_right(self.sentence_starts, start) - 1, 0)

    def entity_words(self, head: str) -> list[str]:
        """Words of every sentence naming ``head``, less the head itself (one list per head, shared)."""
        if head not in self._entity_words:
            words = []
            for k in self.head_sentences.get(head, ()):
                words += [f"{self.lang}:{t}" for _, t in self.sentences[k].tokens if t != head]
            self._entity_words[head] = words
        return self._entity_words[head]


def _prior_keys(ctx: MentionContext, linker: EntityLinker) -> tuple[str, str, str]:
    """The keys entity priors are counted under: canonical entity (id across languages, else the per-language name
    key), head word and its stem (first five letters), per language."""
    key = name_key(ctx.mention, ctx.lang)
    entity = linker.link_key(key, ctx.lang)
    head = key.split()[-1] if key else ""
    return (f"id:{entity}" if entity else f"{ctx.lang}:{key}", f"{ctx.lang}:h:{head}", f"{ctx.lang}:s:{head[:5]}")


def _entity_side(ctx: MentionContext, entity: str | None) -> str:
    """The side of the Ukraine war the mentioned entity stands on ("ru", "ua"; "" when unknown): from its canonical
    id, else from a word of its name."""
    if entity in _SIDE_OF_ID:
        return _SIDE_OF_ID[entity]
    words = [fold(t) for t in _tokens(ctx.mention)]
    return next((side for side, prefixes in _SIDE_WORDS.items() if any(w.startswith(prefixes) for w in words)), "")


def _stance_label(sides: Sequence[str], roles: Sequence[str]) -> int:
    """A training document's side from its gold roles: +1 pro-Kremlin (Russia-side entities cast as Protagonists or
    Innocents, Ukraine/West-side ones as Antagonists), -1 the reverse, 0 when it casts no sided entity either way."""
    score = 0
    for side, role in zip(sides, roles):
        if side:
            score += (1 if role != "Antagonist" else -1) * (1 if side == "ru" else -1)
    return int(np.sign(score))


class _Linear:
    """A fitted linear model as arrays: ``coef`` (classes x features, sparse or dense), ``intercept``, ``classes``;
    one-vs-rest sigmoid scores, normalised over classes when ``normalise`` (scikit-learn's SGD log-loss rule)."""

    def __init__(self, coef: np.ndarray | sp.csr_matrix, intercept: np.ndarray, classes: list[str], normalise: bool):
        self.coef, self.intercept, self.classes, self.normalise = coef, intercept, classes, normalise

    @classmethod
    def from_sgd(cls, model: SGDClassifier, normalise: bool) -> _Linear:
        coef = model.coef_.astype(np.float32)
        coef = sp.csr_matrix(coef) if np.count_nonzero(coef) < 0.3 * coef.size else coef
        return cls(coef, model.intercept_.astype(np.float64), [str(c) for c in model.classes_], normalise)

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray((X @ self.coef.T).todense() if sp.issparse(self.coef) else X @ self.coef.T)
        p = expit(scores + self.intercept)
        if self.normalise:
            p = p / np.clip(p.sum(axis=1, keepdims=True), 1e-12, None)
        return p


class EntityRoleClassifier(BaseEstimator):
    """Main-role and fine-role classifier for entity mentions (see the module docstring).

    ``views`` selects the feature views (for ablations; ``"stance"`` is opt-in); ``alpha`` and ``fine_alpha`` are the L2 penalties of the
    main-role and fine-role logistic models (averaged SGD); ``class_weight`` applies to the main-role model;
    ``prior_smoothing`` is the pseudo-count pulling an entity prior towards the overall role distribution;
    ``calibration_folds`` out-of-fold fits calibrate the probabilities (0: no calibration, nothing unclear);
    ``unclear_precision`` is the out-of-fold accuracy the shown roles must reach, which sets ``unclear_below_``;
    ``entity_pooling`` mixes a mention's probabilities with those of the same entity's other mentions in its document;
    ``min_recall``: per language, the main role is the argmax of the calibrated probabilities times per-class decision
    weights, chosen on the out-of-fold predictions to maximise accuracy while every class keeps at least this recall
    (the highest smallest recall when none does; 0: plain argmax); ``stance_c`` is the inverse L2 penalty of the
    document-stance classifier behind the ``stance`` view.
    """

    def __init__(
        self,
        views: tuple[str, ...] = DEFAULT_VIEWS,
        alpha: float = 1e-4,
        fine_alpha: float = 1e-3,
        fine_threshold: float = 0.6,
        class_weight: str | None = "balanced",
        prior_smoothing: float = 2.0,
        calibration_folds: int = 3,
        unclear_precision: float = 0.75,
        entity_pooling: float = 0.0,
        min_recall: float = 0.0,
        stance_c: float = 10.0,
    ):
        self.views = views
        self.alpha = alpha
        self.fine_alpha = fine_alpha
        self.fine_threshold = fine_threshold
        self.class_weight = class_weight
        self.prior_smoothing = prior_smoothing
        self.calibration_folds = calibration_folds
        self.unclear_precision = unclear_precision
        self.entity_pooling = entity_pooling
        self.min_recall = min_recall
        self.stance_c = stance_c

    # -- features ---------------------------------------------------------------------------------------------
    def _raw(self, contexts: Sequence[MentionContext]) -> dict[str, list]:
        """Raw inputs of every view, one per mention; views that are identical for all mentions of one head in
        one document are the same list object, so they are vectorised once (see :meth:`_matrix`)."""
        linker = default_linker()
        indexes: dict[tuple[int, str], _DocumentIndex] = {}
        raw: dict[str, list] = {view: [] for view in ALL_VIEWS}
        for ctx in contexts:
            key = (id(ctx.text), ctx.lang)
            if key not in indexes:
                indexes[key] = _DocumentIndex(ctx.text, ctx.lang, parse="syntax" in self.views)
            for view, value in _mention_views(ctx, indexes[key], linker).items():
                raw[view].append(value)
        return raw

    def _matrix(self, contexts: Sequence[MentionContext], fit: bool = False, priors: np.ndarray | None = None,
                raw: dict[str, list] | None = None, stance: np.ndarray | None = None) -> sp.csr_matrix:
        raw = raw or self._raw(contexts)
        if fit:
            self.vectorizers_ = {v: _vectorizer(v) for v in self.views if v not in _DENSE_VIEWS}
        blocks = []
        for view, vectorizer in self.vectorizers_.items():
            column = raw[view]
            if view == "entity_doc":  # shared lists: vectorise each distinct one once
                unique, rows = _distinct(column)
                matrix = vectorizer.fit_transform(unique) if fit else vectorizer.transform(unique)
                blocks.append(matrix[rows])
            else:
                blocks.append(vectorizer.fit_transform(column) if fit else vectorizer.transform(column))
        if "priors" in self.views:
            blocks.append(sp.csr_matrix(priors if priors is not None else self._priors(contexts)))
        if "stance" in self.views:
            blocks.append(sp.csr_matrix(self._stance_block(raw["stance"], stance)))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _stance_block(self, values: list[tuple[str, list[str]]], stance: np.ndarray | None) -> np.ndarray:
        """Dense columns crossing the entity's side with its document's estimated stance (+1 pro-Kremlin, -1
        pro-Ukraine): in a pro-Kremlin text Russia's side tends to be cast well and Ukraine's and the West's badly."""
        if stance is None:
            stance = self._doc_stance([words for _, words in values])
        ru = np.asarray([side == "ru" for side, _ in values], dtype=np.float32)
        ua = np.asarray([side == "ua" for side, _ in values], dtype=np.float32)
        columns = [stance * ru, stance * ua, ru, ua, stance]
        for lang in ("en", "bg", "hi", "pt", "ru"):  # per-language copies: the languages' corpora lean differently
            own = np.asarray([words[:1] and words[0].startswith(lang + ":") for _, words in values], dtype=np.float32)
            columns += [stance * ru * own, stance * ua * own]
        return np.column_stack(columns).astype(np.float32)

    def _doc_stance(self, word_lists: list[list[str]], model: tuple | None = None) -> np.ndarray:
        """Estimated stance in [-1, 1] per mention's document (each distinct document scored once)."""
        vectorizer, linear = model or (self.stance_vectorizer_, self.stance_model_)
        unique, rows = _distinct(word_lists)
        if linear is None or not unique:
            return np.zeros(len(word_lists), dtype=np.float32)
        score = 2 * linear.proba(vectorizer.transform(unique))[:, 0] - 1
        return score[rows].astype(np.float32)

    def _fit_stance(self, values: list[tuple[str, list[str]]], main_roles: Sequence[str],
                    documents: Sequence[str]) -> np.ndarray:
        """Learn the document-stance classifier (words of the text -> pro-Kremlin or pro-Ukraine, labelled by
        :func:`_stance_label` from the gold roles of the training documents); return each training mention's
        stance predicted out of fold (document-grouped), so the role model does not learn from a leaked label."""
        from sklearn.model_selection import GroupKFold

        rows_of: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(documents):
            rows_of[doc].append(i)
        docs = list(rows_of)
        words = [values[rows_of[d][0]][1] for d in docs]
        labels = np.asarray([_stance_label([values[i][0] for i in rows_of[d]], [main_roles[i] for i in rows_of[d]])
                             for d in docs])

        def fit(chosen: np.ndarray) -> tuple[TfidfVectorizer, _Linear | None]:
            keep = [i for i in chosen if labels[i]]
            vectorizer = _vectorizer("stance_words")
            if len({labels[i] for i in keep}) < 2:
                return vectorizer, None
            X = vectorizer.fit_transform([words[i] for i in keep])
            model = LogisticRegression(C=self.stance_c, max_iter=1000).fit(X, labels[keep] > 0)
            return vectorizer, _Linear(model.coef_.astype(np.float32), model.intercept_.astype(np.float64),
                                       ["pro_kremlin"], False)

        self.stance_vectorizer_, self.stance_model_ = fit(np.arange(len(docs)))
        by_doc = np.zeros(len(docs), dtype=np.float32)
        splitter = GroupKFold(n_splits=5, shuffle=True, random_state=0)
        for train, test in splitter.split(np.zeros(len(docs)), groups=docs):
            by_doc[test] = self._doc_stance([words[i] for i in test], fit(train))
        index = {d: k for k, d in enumerate(docs)}
        return by_doc[[index[d] for d in documents]]

    def _fit_priors(self, contexts: Sequence[MentionContext], main_roles: Sequence[str],
                    documents: Sequence[str]) -> np.ndarray:
        """Learn role counts per prior key, and return the training rows' priors with their own document left out."""
        linker = default_linker()
        self.prior_counts_: dict[str, list[int]] = {}
        per_doc: dict[tuple[str, str], list[int]] = {}
        keys = [_prior_keys(c, linker) for c in contexts]
        for ks, role, doc in zip(keys, main_roles, documents):
            j = self.classes_.index(role)
            for k in ks:
                self.prior_counts_.setdefault(k, [0] * len(self.classes_))[j] += 1
                per_doc.setdefault((k, doc), [0] * len(self.classes_))[j] += 1
        totals = np.bincount([self.classes_.index(r) for r in main_roles], minlength=len(self.classes_))
        self.prior_base_ = (totals / max(totals.sum(), 1)).tolist()
        rows = []
        for ks, doc in zip(keys, documents):
            rows.append(self._prior_row([np.subtract(self.prior_counts_[k], per_doc[(k, doc)]) for k in ks]))
        return np.asarray(rows, dtype=np.float32)

    def _prior_row(self, counts: list[np.ndarray | list[int] | None]) -> list[float]:
        base = np.asarray(self.prior_base_)
        row: list[float] = []
        for c in counts:
            c = np.zeros(len(base)) if c is None else np.asarray(c, dtype=float)
            n = c.sum()
            p = (c + self.prior_smoothing * base) / (n + self.prior_smoothing)
            row += list(p - base) + [math.log1p(n) / 5]
        return row

    def _priors(self, contexts: Sequence[MentionContext]) -> np.ndarray:
        linker = default_linker()
        return np.asarray([self._prior_row([self.prior_counts_.get(k) for k in _prior_keys(c, linker)])
                           for c in contexts], dtype=np.float32)

    # -- training ---------------------------------------------------------------------------------------------
    def fit(
        self,
        contexts: Sequence[MentionContext],
        main_roles: Sequence[str],
        fine_roles: Sequence[Sequence[str]],
        documents: Sequence[str] | None = None,
    ) -> EntityRoleClassifier:
        """Fit on gold mentions; ``documents`` (a document id per mention) groups the out-of-fold calibration and
        the leave-own-document-out priors (default: one group per distinct text)."""
        if not (len(contexts) == len(main_roles) == len(fine_roles)):
            raise ValueError("contexts, main_roles and fine_roles must have the same length")
        if documents is None:  # numbered in order of appearance, so the calibration folds do not vary between runs
            order: dict[int, str] = {}
            documents = [order.setdefault(id(c.text), str(len(order))) for c in contexts]
        documents = list(documents)
        with remembered_parses():  # the calibration folds read the same texts again
            self._fit_models(contexts, main_roles, fine_roles, documents)
            self.calibrator_ = None
            self.unclear_below_ = 0.0
            self.decision_weights_: dict[str, list[float]] = {}
            if self.calibration_folds >= 2:
                self._calibrate(contexts, main_roles, fine_roles, documents)
        return self

    def _fit_models(self, contexts, main_roles, fine_roles, documents) -> None:
        self.classes_ = sorted(set(main_roles))
        priors = self._fit_priors(contexts, main_roles, documents) if "priors" in self.views else None
        raw = self._raw(contexts)
        self.stance_vectorizer_, self.stance_model_ = None, None
        stance = self._fit_stance(raw["stance"], main_roles, documents) if "stance" in self.views else None
        X = self._matrix(contexts, fit=True, priors=priors, raw=raw, stance=stance)
        y = np.asarray(main_roles)
        self.main_model_ = _Linear.from_sgd(self._logistic(self.alpha, self.class_weight).fit(X, y), normalise=True)
        self.fine_models_: dict[str, tuple[list[str], _Linear | None]] = {}
        for main in self.classes_:
            rows = np.flatnonzero(y == main)
            classes = sorted({f for i in rows for f in fine_roles[i]})
            if len(classes) < 2:
                self.fine_models_[main] = (classes, None)
                continue
            Y = np.zeros((rows.size, len(classes)), dtype=np.float32)
            for r, i in enumerate(rows):
                for f in fine_roles[i]:
                    Y[r, classes.index(f)] = 1
            coefs, intercepts = [], []
            for j in range(len(classes)):
                target = Y[:, j]
                if target.min() == target.max():  # present in every or no mention: a constant score
                    coefs.append(np.zeros(X.shape[1], dtype=np.float32))
                    intercepts.append(20.0 if target[0] else -20.0)
                    continue
                model = self._logistic(self.fine_alpha).fit(X[rows], target)
                coefs.append(model.coef_[0].astype(np.float32))
                intercepts.append(float(model.intercept_[0]))
            coef = np.vstack(coefs)
            self.fine_models_[main] = (classes, _Linear(sp.csr_matrix(coef), np.asarray(intercepts), classes, False))
        self.fine_classes_ = sorted({f for roles in fine_roles for f in roles})

    def _calibrate(self, contexts, main_roles, fine_roles, documents) -> None:
        """Out-of-fold main-role probabilities (document-grouped folds) -> a multinomial logistic calibration map
        and the calibrated probability under which the out-of-fold accuracy of shown roles falls below
        ``unclear_precision``."""
        from sklearn.model_selection import GroupKFold

        y = np.asarray(main_roles)
        oof = np.zeros((len(contexts), len(self.classes_)))
        splitter = GroupKFold(n_splits=self.calibration_folds, shuffle=True, random_state=0)
        for train, test in splitter.split(np.zeros(len(y)), groups=documents):
            inner = EntityRoleClassifier(**{**self.get_params(), "calibration_folds": 0})
            inner._fit_models([contexts[i] for i in train], y[train].tolist(), [fine_roles[i] for i in train],
                              [documents[i] for i in train])
            tested = [contexts[i] for i in test]
            proba = inner._pooled(inner.main_model_.proba(inner._matrix(tested)), tested)
            for k, c in enumerate(inner.classes_):
                oof[test, self.classes_.index(c)] = proba[:, k]
        calibrator = LogisticRegression(C=10.0, max_iter=1000).fit(np.log(np.clip(oof, 1e-6, 1)), y)
        self.calibrator_ = calibrator
        calibrated = calibrator.predict_proba(np.log(np.clip(oof, 1e-6, 1)))
        order = [list(calibrator.classes_).index(c) for c in self.classes_]
        calibrated = calibrated[:, order]
        self.oof_calibrated_ = calibrated  # kept for reports (not saved)
        langs = np.asarray([c.lang for c in contexts])
        if self.min_recall > 0:
            self.decision_weights_ = {lang: _decision_weights(calibrated[langs == lang], y[langs == lang], self.classes_,
                                                              self.min_recall) for lang in sorted(set(langs))}
        decided = self._decide(calibrated, contexts)
        self.unclear_below_ = _unclear_threshold(calibrated, decided, y, self.classes_, self.unclear_precision)

    @staticmethod
    def _logistic(alpha: float, class_weight: str | None = None) -> SGDClassifier:
        return SGDClassifier(
            loss="log_loss", alpha=alpha, max_iter=30, tol=None, average=True, class_weight=class_weight, random_state=0
        )

    # -- inference --------------------------------------------------------------------------------------------
    def _pooled(self, proba: np.ndarray, contexts: Sequence[MentionContext]) -> np.ndarray:
        """Each mention's probabilities mixed with the mean over the mentions of the same entity in its document
        (weight ``entity_pooling``): an article usually casts one entity one way."""
        if not self.entity_pooling:
            return proba
        linker = default_linker()
        groups: dict[tuple[int, str], list[int]] = defaultdict(list)
        for i, ctx in enumerate(contexts):
            key = name_key(ctx.mention, ctx.lang)
            groups[(id(ctx.text), linker.link_key(key, ctx.lang) or key)].append(i)
        pooled = proba.copy()
        for rows in groups.values():
            if len(rows) > 1:
                pooled[rows] = (1 - self.entity_pooling) * proba[rows] + self.entity_pooling * proba[rows].mean(axis=0)
        return pooled

    def _main_proba(self, X: sp.csr_matrix, contexts: Sequence[MentionContext]) -> np.ndarray:
        proba = self._pooled(self.main_model_.proba(X), contexts)
        if self.calibrator_ is None:
            return proba
        calibrated = self.calibrator_.predict_proba(np.log(np.clip(proba, 1e-6, 1)))
        order = [list(self.calibrator_.classes_).index(c) for c in self.classes_]
        return calibrated[:, order]

    def predict_proba(self, contexts: Sequence[MentionContext]) -> np.ndarray:
        """Calibrated main-role probabilities, columns in ``classes_`` order."""
        return self._main_proba(self._matrix(contexts), contexts)

    def _decide(self, proba: np.ndarray, contexts: Sequence[MentionContext]) -> np.ndarray:
        """Index of the chosen main role per mention: argmax of the probabilities times its language's weights."""
        ones = [1.0] * len(self.classes_)
        weights = np.asarray([self.decision_weights_.get(c.lang, ones) for c in contexts]).reshape(proba.shape)
        return (proba * weights).argmax(axis=1)

    def predict(self, contexts: Sequence[MentionContext]) -> np.ndarray:
        return np.asarray(self.classes_)[self._decide(self.predict_proba(contexts), contexts)]

    def predict_roles(self, contexts: Sequence[MentionContext]) -> list[RolePrediction]:
        """Best-guess main role, its calibrated probabilities, whether it is clear, and the chosen fine roles."""
        if not contexts:
            return []
        X = self._matrix(contexts)
        main_proba = self._main_proba(X, contexts)
        best = self._decide(main_proba, contexts)
        chosen: dict[int, dict[str, float]] = {}
        for k, main in enumerate(self.classes_):
            rows = np.flatnonzero(best == k)
            if not rows.size:
                continue
            classes, model = self.fine_models_[main]
            proba = np.ones((rows.size, len(classes))) if model is None else model.proba(X[rows])
            for i, row in enumerate(rows):
                order = np.argsort(-proba[i])
                picked = [order[0]] + [j for j in order[1:] if proba[i, j] >= self.fine_threshold]
                chosen[int(row)] = {classes[j]: float(main_proba[row, k] * proba[i, j]) for j in picked}
        return [
            RolePrediction(
                main_role=self.classes_[best[i]],
                main_proba={c: float(p) for c, p in zip(self.classes_, main_proba[i])},
                fine_roles=chosen[i],
                clear=bool(main_proba[i, best[i]] >= self.unclear_below_),
            )
            for i in range(len(contexts))
        ]

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, directory: str | Path, metadata: dict | None = None) -> None:
        """Write the model folder (:mod:`narrascope.models.format`): parameters, vocabularies, priors and calibration
        in ``model.json``, IDF vectors and linear weights in ``weights.npz``; ``metadata`` is what its training
        recorded."""
        arrays: dict[str, np.ndarray] = {}

        def put(name: str, linear: _Linear) -> dict:
            coef = sp.csr_matrix(linear.coef)
            for part in ("data", "indices", "indptr"):
                arrays[f"{name}.{part}"] = getattr(coef, part)
            arrays[f"{name}.intercept"] = linear.intercept
            return {"classes": linear.classes, "shape": list(coef.shape), "normalise": linear.normalise}

        vectorizers = {}
        for view, vectorizer in self.vectorizers_.items():
            arrays[f"idf.{view}"] = vectorizer.idf_.astype(np.float32)
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            vectorizers[view] = vocabulary
        state = {
            "params": _jsonable(self.get_params()),
            "classes": self.classes_,
            "fine_classes": self.fine_classes_,
            "vocabularies": vectorizers,
            "main_model": put("main", self.main_model_),
            "fine_models": {m: {"classes": c, "model": put(f"fine.{m}", lin) if lin else None}
                            for m, (c, lin) in self.fine_models_.items()},
            "prior_counts": getattr(self, "prior_counts_", {}),
            "prior_base": getattr(self, "prior_base_", []),
            "calibrator": None if self.calibrator_ is None else {
                "classes": [str(c) for c in self.calibrator_.classes_],
                "coef": self.calibrator_.coef_.tolist(), "intercept": self.calibrator_.intercept_.tolist()},
            "unclear_below": self.unclear_below_,
            "decision_weights": self.decision_weights_,
            "stance": None,
        }
        stance_model = getattr(self, "stance_model_", None)
        if stance_model is not None:
            arrays["idf.stance"] = self.stance_vectorizer_.idf_.astype(np.float32)
            vocabulary = sorted(self.stance_vectorizer_.vocabulary_, key=self.stance_vectorizer_.vocabulary_.get)
            state["stance"] = {"vocabulary": vocabulary, "model": put("stance", stance_model)}
        save_model(directory, COMPONENT, state, arrays, metadata)

    @classmethod
    def load(cls, directory: str | Path) -> EntityRoleClassifier:
        saved = load_model(directory, COMPONENT)
        state, arrays = saved.state, saved.arrays
        params = state["params"]
        params["views"] = tuple(params["views"])
        model = cls(**params)

        def get(name: str, spec: dict) -> _Linear:
            coef = sp.csr_matrix((arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]),
                                 shape=tuple(spec["shape"]))
            return _Linear(coef, arrays[f"{name}.intercept"], spec["classes"], spec["normalise"])

        model.vectorizers_ = {}
        for view, vocabulary in state["vocabularies"].items():
            vectorizer = _vectorizer(view)
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(vocabulary)}
            vectorizer.idf_ = arrays[f"idf.{view}"].astype(np.float64)
            model.vectorizers_[view] = vectorizer
        model.classes_ = state["classes"]
        model.fine_classes_ = state["fine_classes"]
        model.main_model_ = get("main", state["main_model"])
        model.fine_models_ = {m: (spec["classes"], get(f"fine.{m}", spec["model"]) if spec["model"] else None)
                              for m, spec in state["fine_models"].items()}
        model.prior_counts_ = state["prior_counts"]
        model.prior_base_ = state["prior_base"]
        model.calibrator_ = None
        if state["calibrator"]:
            calibrator = LogisticRegression()
            calibrator.classes_ = np.asarray(state["calibrator"]["classes"])
            calibrator.coef_ = np.asarray(state["calibrator"]["coef"])
            calibrator.intercept_ = np.asarray(state["calibrator"]["intercept"])
            calibrator.n_features_in_ = calibrator.coef_.shape[1]
            model.calibrator_ = calibrator
        model.unclear_below_ = state["unclear_below"]
        model.decision_weights_ = state["decision_weights"]
        model.stance_vectorizer_, model.stance_model_ = None, None
        if state.get("stance"):
            model.stance_vectorizer_ = _vectorizer("stance_words")
            model.stance_vectorizer_.vocabulary_ = {t: i for i, t in enumerate(state["stance"]["vocabulary"])}
            model.stance_vectorizer_.idf_ = arrays["idf.stance"].astype(np.float64)
            model.stance_model_ = get("stance", state["stance"]["model"])
        return model


def _jsonable(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


_WEIGHT_GRID = (0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0)


def _decision_weights(proba: np.ndarray, y: np.ndarray, classes: list[str], min_recall: float) -> list[float]:
    """Per-class weights (the first class fixed at 1) on a grid: the most accurate choice whose recall of every
    class reaches ``min_recall``, else the one with the highest smallest recall (then the most accurate)."""
    from itertools import product

    best: tuple[float, float, list[float]] | None = None
    for rest in product(_WEIGHT_GRID, repeat=len(classes) - 1):
        weights = [1.0, *rest]
        chosen = np.asarray(classes)[(proba * weights).argmax(axis=1)]
        recalls = [float(np.mean(chosen[y == c] == c)) for c in classes if (y == c).any()]
        accuracy = float(np.mean(chosen == y))
        key = (min(min(recalls), min_recall), accuracy)
        if best is None or key > best[:2]:
            best = (*key, weights)
    return best[2] if best else [1.0] * len(classes)


def _unclear_threshold(proba: np.ndarray, decided: np.ndarray, y: np.ndarray, classes: list[str],
                       precision: float) -> float:
    """The smallest calibrated probability t of the chosen role such that mentions whose role has probability >= t
    are right at least ``precision`` of the time (out of fold); 1.0 when no threshold reaches it."""
    top = proba[np.arange(len(proba)), decided]
    right = np.asarray(classes)[decided] == y
    order = np.argsort(-top)
    hits = np.cumsum(right[order])
    accuracy = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(accuracy >= precision)
    if not ok.size:
        return 1.0
    return float(top[order][ok.max()])


def _mention_views(ctx: MentionContext, index: _DocumentIndex, linker: EntityLinker) -> dict[str, object]:
    """The raw inputs of every feature view for one mention (bounded work: its sentence, at most
    ``_SIDE_TOKENS`` words either side; the document-wide parts come from ``index``)."""
    lang = ctx.lang
    mention = normalise_mention(ctx.mention) or ctx.mention.lower()
    mention_tokens = [fold(t) for t in _tokens(mention)] or [mention]
    head = mention_tokens[-1]
    k = index.sentence_of(ctx.start)
    sentence = index.sentences[k] if index.sentences else _Sentence(0, 0, [], [], [], [])
    first_in = bisect_left(sentence.positions, ctx.start)
    after = bisect_left(sentence.positions, ctx.end)
    left_tokens = sentence.tokens[max(0, first_in - _SIDE_TOKENS) : first_in]
    right_tokens = sentence.tokens[after : after + _SIDE_TOKENS]
    left = [t for _, t in left_tokens]
    right = [t for _, t in right_tokens]

    near = [f"L{i}:{w}" for i, w in enumerate(reversed(left[-_NEAR:]), 1)]
    near += [f"R{i}:{w}" for i, w in enumerate(right[:_NEAR], 1)]
    near += [f"l:{w}" for w in left[-_NEAR:]] + [f"r:{w}" for w in right[:_NEAR]]
    near += ["L:<s>"] if not left else []

    occurrences = index.head_count.get(head, 1)
    first = min(index.head_first.get(head, ctx.start), ctx.start)
    window_start = max(sentence.start, ctx.start - 50 * _SIDE_TOKENS)
    quote_marks = sum(index.text.count(q, window_start, ctx.start) for q in _QUOTES)
    cues = [
        f"lang={lang}",
        f"freq={_bucket(occurrences, (2, 3, 5, 9))}",
        f"first_pos={_bucket(first / max(len(index.text), 1), (0.05, 0.2, 0.5))}",
        f"ntok={min(len(mention_tokens), 4)}",
        f"in_title={int(ctx.start < index.title_end)}",
        f"upper={int(ctx.mention[:1].isupper())}",
        f"sent_pos={_bucket(len(left), (1, 4, 10))}",
        f"quoted={int(quote_marks % 2 == 1)}",
    ]

    predicates = []
    nearby = sentence.cues[bisect_left(sentence.cue_at, first_in - _CUE_WINDOW) :
                           bisect_left(sentence.cue_at, after + _CUE_WINDOW)]
    for i, category in nearby:
        if first_in - _CUE_WINDOW <= i < first_in:
            predicates.append(f"{category}:patient" if category != "speech" else "speech:after")
        elif after <= i < after + _CUE_WINDOW:
            predicates.append(f"{category}:agent" if category != "speech" else "speaker")
    if left and left[-1] in _LOCATIVE.get(lang, ()) or (lang == "hi" and right[:1] == ["में"]):
        if any(c in ("violence", "harm") for _, c in nearby):
            predicates.append("place_of_harm")
    grammar = list(index.grammatical_role(ctx.start, ctx.end))
    if not grammar:  # no parse: marker words next to the mention, with the cues near it
        role = ("agent" if left[-1:] and left[-1] in _AGENT_BEFORE.get(lang, ()) or right[:1] and right[0] in
                _AGENT_AFTER.get(lang, ()) else "target" if left[-1:] and left[-1] in _TARGET_BEFORE.get(lang, ())
                or right[:1] and right[0] in _TARGET_AFTER.get(lang, ()) else "place"
                if set(left[-4:]) & set(_LOCATIVE.get(lang, ())) or lang == "hi" and right[:1] == ["में"] else "")
        if role:
            grammar = [f"gram:{role}"] + [f"gram:{role}:{c}" for c in sorted({c for _, c in nearby} - {"speech"})]
    if "gram:place" in grammar and any(c in ("violence", "harm") for _, c in sentence.cues):
        grammar.append("gram:place_of_harm")
    entity = linker.link_key(name_key(ctx.mention, lang), lang)
    identity = [f"id:{entity}"] if entity else []
    crosses = [f"{index.domain}|{lang}:{head}"] + [f"{index.domain}|{p}" for p in predicates]
    crosses += [f"{index.domain}|{i}" for i in identity]
    crosses += [f"{index.side}|{lang}:{head}"] + [f"{index.side}|{i}" for i in identity]
    crosses += [f"{index.side}|{p}" for p in predicates]
    return {
        "mention": [f"{lang}:{mention}", f"{lang}:head:{head}", f"{lang}:stem:{stem(head, lang)}"]
        + [f"{lang}:tok:{t}" for t in mention_tokens] + identity,
        "mention_chars": f"{lang} {mention}",
        "near": [f"{lang}:{f}" for f in near],
        "sentence_words": [f"{lang}:{w}" for w in left + right],
        "entity_doc": index.entity_words(head),
        "cues": cues + [f"{lang}:{c}" for c in cues[1:]],
        "predicates": predicates + [f"{lang}:{p}" for p in predicates],
        "crosses": crosses,
        "priors": None,
        "syntax": grammar + [f"{lang}:{g}" for g in grammar] + [f"{index.side}|{g}" for g in grammar]
        + [f"{index.domain}|{g}" for g in grammar],
        "stance": (_entity_side(ctx, entity), index.words),
    }


def _vectorizer(view: str) -> TfidfVectorizer:
    if view == "mention_chars":
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, max_features=30000, dtype=np.float32
        )
    min_df = 1 if view in ("mention", "cues", "predicates", "syntax") else 2
    max_features = 20000 if view in ("entity_doc", "stance_words") else 60000
    return TfidfVectorizer(
        analyzer=_identity, min_df=min_df, sublinear_tf=True, max_features=max_features, dtype=np.float32
    )
