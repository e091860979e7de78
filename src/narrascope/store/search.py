"""Full-text search over a document's title and text, with one user syntax on SQLite (FTS5) and PostgreSQL.

The syntax: words (all required), ``"quoted phrases"``, ``OR`` between two terms (either will do; it binds
tighter than the implicit AND, so ``russia OR ukraine sanctions`` is (russia or ukraine) and sanctions), and
``-word`` / ``NOT word`` to exclude. Matching ignores case, not accents, and has no stemming, so both back-ends
find the same documents. The query is parsed here into tokens that contain letters, digits and combining marks
only, rendered for the back-end and passed as a bound parameter, so user input never becomes SQL.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, column, func, literal_column, select, table, text

__all__ = ["SearchSyntaxError", "SearchQuery", "parse_search", "search_condition", "relevance", "snippet",
           "SORTS"]

MAX_TERMS = 32
SORTS = ("newest", "relevance")  # orders of a document list; relevance applies to a search


class SearchSyntaxError(ValueError):
    """A search query that cannot be read (an unclosed quote, a dangling OR, nothing to look for)."""


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    """Runs of letters, digits and combining marks: what FTS5's ``unicode61`` tokenizer keeps as one token
    (marks included, so a Hindi word is not cut at its vowel signs; those of the Basic Multilingual Plane, which
    covers every script of the five languages)."""
    marks = [c for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start = [], marks[0]
    for prev, cur in zip(marks, marks[1:] + [-1]):
        if cur != prev + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}" if prev > start else re.escape(chr(start)))
            start = cur
    return re.compile(rf"(?:[^\W_]|[{''.join(ranges)}])+")


def tokens(value: str) -> list[str]:
    """The case-folded search tokens of ``value``."""
    return [m.group().casefold() for m in _token_pattern().finditer(value)]


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: every group must match (a group matches when any of its terms does), no excluded term may.
    A term is a sequence of tokens that must appear in that order (one token: a word)."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    def fts5(self) -> str:
        """The query as an SQLite FTS5 MATCH expression (every term a quoted string)."""
        def term(t: tuple[str, ...]) -> str:
            return '"' + " ".join(t).replace('"', '""') + '"'
        required = " AND ".join("(" + " OR ".join(term(t) for t in group) + ")" for group in self.groups)
        return "(" + required + ")" + "".join(f" NOT {term(t)}" for t in self.excluded)

    def tsquery(self) -> str:
        """The query in PostgreSQL ``to_tsquery`` syntax (every token quoted; phrases with ``<->``)."""
        def term(t: tuple[str, ...]) -> str:
            return "(" + " <-> ".join("'" + tok.replace("'", "''") + "'" for tok in t) + ")"
        required = " & ".join("(" + " | ".join(term(t) for t in group) + ")" for group in self.groups)
        return required + "".join(f" & !{term(t)}" for t in self.excluded)

    def required_terms(self) -> list[tuple[str, ...]]:
        """The terms a match may contain (for highlighting)."""
        return [t for group in self.groups for t in group]


_LEX = re.compile(r'"(?P<phrase>[^"]*)"|(?P<quote>")|(?P<word>[^\s"]+)')


def parse_search(query: str) -> SearchQuery:
    """Read the user's query; :class:`SearchSyntaxError` says what is wrong with it."""
    items: list[tuple[str, tuple[str, ...]]] = []  # ("term" | "not" | "or", tokens)
    for match in _LEX.finditer(query):
        if match.group("quote"):
            raise SearchSyntaxError(f"unclosed quote in {query!r}: close the phrase with a second \"")
        if match.group("phrase") is not None:
            words = tuple(tokens(match.group("phrase")))
            if words:
                items.append(("term", words))
            continue
        word = match.group("word")
        if word in ("OR", "NOT"):
            items.append((word.lower(), ()))
            continue
        if "(" in word or ")" in word:
            raise SearchSyntaxError("parentheses are not supported: write alternatives with OR (russia OR ukraine "
                                    "sanctions) and exclusions with -word")
        negated = word.startswith("-")
        words = tuple(tokens(word[1:] if negated else word))
        if words:  # a word of punctuation alone ("--", "&") is not a term
            items += [("not", ()), ("term", words)] if negated else [("term", words)]
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    i = 0
    while i < len(items):
        kind, words = items[i]
        if kind == "not":
            if i + 1 >= len(items) or items[i + 1][0] != "term":
                raise SearchSyntaxError("NOT (or -) must be followed by a word or a \"phrase\" to exclude")
            if i + 2 < len(items) and items[i + 2][0] == "or":
                raise SearchSyntaxError("an excluded term cannot be one side of OR")
            excluded.append(items[i + 1][1])
            i += 2
            continue
        if kind == "or":
            if not groups or i == 0 or items[i - 1][0] != "term" or i + 1 >= len(items) or items[i + 1][0] != "term":
                raise SearchSyntaxError("OR needs a word or a \"phrase\" on each side")
            groups[-1].append(items[i + 1][1])
            i += 2
            continue
        groups.append([words])
        i += 1
    if not groups:
        raise SearchSyntaxError("the search has no word or phrase to look for" +
                                (" (only exclusions)" if excluded else ""))
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise SearchSyntaxError(f"the search has more than {MAX_TERMS} terms")
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded))


# PostgreSQL: the stored, GIN-indexed column of migration 0006 (title and text as a 'simple' tsvector).
PG_SEARCH_VECTOR = "documents.search_vector"


def search_condition(dialect: str, query: SearchQuery) -> Any:
    """A WHERE condition on ``documents`` for the query, with the query text as a bound parameter."""
    if dialect == "postgresql":
        return literal_column(PG_SEARCH_VECTOR).op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"),
                                                                         query.tsquery()))
    matching: Any = select(literal_column("rowid")).select_from(text("documents_fts")).where(
        literal_column("documents_fts").op("MATCH")(query.fts5()))
    return literal_column("documents.rowid").in_(matching)


def relevance(stmt: Select, dialect: str, query: SearchQuery) -> tuple[Select, Any]:
    """``stmt`` (a SELECT on ``documents``) made ready to rank by the query, and the ORDER BY expression, best match
    first: FTS5's ``bm25`` on SQLite (lower is better; the search table is joined once, so each match is scored
    once rather than by a subquery per row), PostgreSQL's cover-density ``ts_rank_cd`` (higher is better, so
    negated); both weigh title and text alike."""
    if dialect == "postgresql":
        return stmt, -func.ts_rank_cd(literal_column(PG_SEARCH_VECTOR),
                                      func.to_tsquery(literal_column("'simple'::regconfig"), query.tsquery()))
    fts = table("documents_fts", column("rowid"))
    joined = stmt.join(fts, fts.c.rowid == literal_column("documents.rowid")).where(
        literal_column("documents_fts").op("MATCH")(query.fts5()))
    return joined, func.bm25(literal_column("documents_fts"))


def snippet(title: str | None, body: str, query: SearchQuery, *, width: int = 240) -> list[tuple[str, bool]]:
    """A passage of the document around its first match, as ``(text, is_match)`` pieces (for the page to escape and
    highlight); the title when the match is only there; the start of the text when nothing matches."""
    for source in (body, title or ""):
        spans = _matches(source, query)
        if spans:
            break
    else:
        source, spans = body, []
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = source.rfind(" ", start - 20, start)
        start = space + 1 if space >= 0 else start
    end = min(len(source), start + width)
    pieces: list[tuple[str, bool]] = [("…", False)] if start else []
    pos = start
    for s, e in spans:
        if s < pos or s >= end:
            continue
        pieces += [(source[pos:s], False), (source[s:e], True)]
        pos = e
    pieces.append((source[pos:max(end, pos)], False))
    if end < len(source):
        pieces.append(("…", False))
    return [(part.replace("\n", " "), hit) for part, hit in pieces if part]


def _matches(source: str, query: SearchQuery) -> list[tuple[int, int]]:
    """Character ranges of every occurrence of the query's terms in ``source``, in order, not overlapping."""
    found = [(m.start(), m.end(), m.group().casefold()) for m in _token_pattern().finditer(source)]
    words = [w for _, _, w in found]
    spans = []
    for term in query.required_terms():
        for i in range(len(words) - len(term) + 1):
            if tuple(words[i:i + len(term)]) == term:
                spans.append((found[i][0], found[i + len(term) - 1][1]))
    spans.sort()
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if not kept or s >= kept[-1][1]:
            kept.append((s, e))
    return kept
