"""Full-text search (issue 15): one syntax, the same documents on SQLite (FTS5) and PostgreSQL, with every filter."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from narrascope.document import Document, Label
from narrascope.store import DocumentFilter, Store
from narrascope.store.search import SearchSyntaxError, parse_search, snippet

WAR = "URW: Amplifying war-related fears"
TEXTS = {
    "a": ("Sanctions on Russia", "The new sanctions hit Russian banks. Climate change was not discussed."),
    "b": ("Ukraine talks", "Ukraine asked for more sanctions; the climate summit was postponed."),
    "c": ("Weather", "Climate models predict change in rainfall. Change of climate is slow."),
    "d": ("НАТО и Русия", "НАТО обсъди санкциите срещу Русия."),
    "e": ("हिन्दी समाचार", "सरकार ने नई नीति की घोषणा की।"),
    "f": ("It's 100% true", "A hoax, they said: climate change is a hoax."),
}


@pytest.fixture
def store(database_url):
    with Store(database_url) as s:
        docs = []
        for i, (doc_id, (title, body)) in enumerate(sorted(TEXTS.items())):
            doc = Document(f"{title}\n\n{body}", id=doc_id, title=title, source="left.example" if i % 2 else "right.example",
                           language="en", published=date(2024, 1, 1 + i))
            doc.cats["narratives"] = [Label(WAR, 0.9)] if doc_id in "abd" else []
            docs.append(doc)
        s.save(docs, pipeline_signature="sig")
        yield s


def found(store: Store, query: str, **filters) -> set[str]:
    return {row["id"] for row in store.list(DocumentFilter(text=query, **filters), limit=100)}


@pytest.mark.parametrize("query, expected", [
    ("sanctions", {"a", "b"}),
    ("SANCTIONS russia", {"a"}),                      # every word, any case
    ('"climate change"', {"a", "f"}),                 # a phrase: in order, adjacent ("change of climate" is not)
    ("climate change", {"a", "c", "f"}),              # both words anywhere
    ('"climate change" -hoax', {"a"}),                # exclusion with -
    ('"climate change" NOT hoax', {"a"}),             # ... and with NOT
    ("russia OR ukraine sanctions", {"a", "b"}),      # OR binds tighter than the implicit AND
    ("weather OR talks", {"b", "c"}),                 # the title is searched too
    ("нато санкциите", {"d"}),                        # Cyrillic, case-folded
    ("सरकार", {"e"}),                                  # Devanagari words keep their vowel signs
    ("100%", {"f"}),                                  # punctuation is not syntax
    ("it's", {"f"}),                                  # a word with an apostrophe is a phrase of its parts
    ("'; DROP TABLE documents; --", set()),           # nothing but words reaches the database
])
def test_search_syntax_finds_the_same_documents_on_both_backends(store, query, expected):
    assert found(store, query) == expected
    assert store.count(DocumentFilter(text="sanctions")) == 2


def test_search_combines_with_every_other_filter(store):
    assert found(store, "climate", narrative=WAR) == {"a", "b"}
    assert found(store, "climate", outlet="left.example") == {"b", "f"}
    assert found(store, "climate", since=date(2024, 1, 3)) == {"c", "f"}
    assert found(store, "climate", narrative=WAR, outlet="right.example", until=date(2024, 1, 1)) == {"a"}


def test_search_index_follows_updates_and_deletes(store):
    doc = store.get("c")
    doc.text = doc.text.replace("rainfall", "drought")
    store.save([doc], pipeline_signature="sig")
    assert found(store, "rainfall") == set() and found(store, "drought") == {"c"}
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM documents WHERE id = 'c'"))
    assert found(store, "drought") == set()


@pytest.mark.parametrize("query, message", [
    ('"climate change', "unclosed quote"),
    ("OR climate", "OR needs"),
    ("climate OR", "OR needs"),
    ("-hoax", "only exclusions"),
    ("NOT", "must be followed"),
    ("(climate OR weather)", "parentheses"),
    ("%", "no word"),
])
def test_malformed_searches_are_named(query, message):
    with pytest.raises(SearchSyntaxError, match=message):
        parse_search(query)


def test_snippet_marks_every_match_near_the_first_one():
    body = "Filler words here. " * 30 + "The Climate change debate, and climate CHANGE again." + " More filler." * 40
    pieces = snippet("A title", body, parse_search('"climate change"'), width=200)
    assert [part for part, hit in pieces if hit] == ["Climate change", "climate CHANGE"]
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert [part for part, hit in snippet("Climate title", "No match in the body.", parse_search("climate")) if hit] \
        == ["Climate"]


def test_documents_stored_before_the_migration_are_searchable_after_it(database_url):
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    with Store(database_url) as store:
        config = Config()
        config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")  # the revision before search (0006)
        store.save([Document("Stored before search existed.", id="old", title="Old")], pipeline_signature="sig")
    with Store(database_url) as store:  # upgraded again on opening: the index is filled from the stored rows
        assert found(store, '"before search"') == {"old"}


def drought_articles() -> list[Document]:
    """An old article all about drought, a newer one that mentions it twice, the newest mentioning it once."""
    filler = " ".join(f"Paragraph {i} is about harvests and markets." for i in range(30))
    return [Document("Drought\n\nDrought again: the drought of the decade, a drought like no other.", id="old",
                     title="Drought", published=date(2020, 5, 1)),
            Document(f"Markets\n\n{filler} One farmer mentioned a drought.", id="new", title="Markets",
                     published=date(2025, 5, 1)),
            Document("Rain\n\nA drought ended; rain fell for a week, and the drought is over.", id="mid",
                     title="Rain", published=date(2023, 5, 1))]


def test_relevance_puts_the_best_match_first_and_newest_stays_the_default(store):
    store.save(drought_articles(), pipeline_signature="sig")
    search = DocumentFilter(text="drought")
    assert [r["id"] for r in store.list(search)] == ["new", "mid", "old"]
    assert [r["id"] for r in store.list(search, sort="newest")] == ["new", "mid", "old"]
    assert [r["id"] for r in store.list(search, sort="relevance")] == ["old", "mid", "new"]
    assert [r["id"] for r in store.list(search, sort="relevance", limit=1, offset=1)] == ["mid"]
    assert "snippet" in store.list(search, sort="relevance")[0]
    # without a search there is nothing to rank by: newest first
    assert [r["id"] for r in store.list(sort="relevance", limit=3)] == ["new", "f", "e"]
    with pytest.raises(ValueError, match="sort must be one of newest, relevance"):
        store.list(search, sort="oldest")
