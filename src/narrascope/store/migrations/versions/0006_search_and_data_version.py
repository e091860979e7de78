"""Full-text search over the title and text of documents (``narrascope.store.search``), and a data version that
changes with every write to ``documents``, so corpus views can be cached until the data changes
(``narrascope.store.aggregates``).

- SQLite: ``documents_fts``, an FTS5 table with external content (``documents``, by rowid: the text is not stored
  twice), kept in step by triggers on insert, delete and on updates that change the title or text; filled from the
  rows already stored. Tokens are runs of letters, digits and marks, case-folded, accents kept (as PostgreSQL's
  ``simple`` configuration does, so both back-ends match alike). A later migration that rebuilds ``documents`` in
  batch mode (copy and rename) drops these triggers and renumbers rowids: it must recreate them and run
  ``INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')``.
- PostgreSQL: ``documents.search_vector``, a stored generated column ``to_tsvector('simple', coalesce(title, '')
  || ' ' || text)`` with a GIN index. Stored rather than an expression index because phrases need word positions,
  which a GIN index does not keep: each candidate row is checked again, and recomputing its vector from the text
  made a phrase of common words take seconds at 100,000 documents.
- Covering indexes for the corpus views, so they read indexes only (on SQLite, reading a document's metadata from
  its row steps over its text): ``documents(id, published, source, language, content_hash)`` (the hash: exact re-uploads count once), ``annotations(layer, possible,
  label, document_id)`` and ``annotations(layer, entity, label, document_id)``.
- ``store_changes``: on SQLite one row whose ``version`` a trigger raises on every insert, update or delete of a
  document (writers are serialised there anyway); on PostgreSQL a row appended by a statement-level trigger per
  writing statement (appends do not block concurrent writers), the version being their count. Either way a
  reader sees the version of exactly the data it can see, committed.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "documents_fts_insert": "AFTER INSERT ON documents BEGIN "
                            "INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
    "documents_fts_delete": "AFTER DELETE ON documents BEGIN "
                            "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                            "VALUES ('delete', old.rowid, old.title, old.text); END",
    "documents_fts_update": "AFTER UPDATE OF title, text ON documents "
                            "WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN "
                            "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                            "VALUES ('delete', old.rowid, old.title, old.text); "
                            "INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
}


VERSION_TRIGGERS = ("INSERT", "UPDATE", "DELETE")


VIEW_INDEXES = {
    "ix_documents_facets": ("documents", ["id", "published", "source", "language", "content_hash"]),
    "ix_annotations_layer_possible_label_document": ("annotations", ["layer", "possible", "label", "document_id"]),
    "ix_annotations_layer_entity_label_document": ("annotations", ["layer", "entity", "label", "document_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in VIEW_INDEXES.items():
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                   "(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || text)) STORED")
        op.execute("CREATE INDEX ix_documents_search ON documents USING gin (search_vector)")
        op.execute("CREATE TABLE store_changes (id BIGSERIAL PRIMARY KEY)")
        op.execute("CREATE FUNCTION narrascope_store_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN INSERT INTO store_changes DEFAULT VALUES; RETURN NULL; END $$")
        for event in VERSION_TRIGGERS:
            op.execute(f"CREATE TRIGGER documents_changed_{event.lower()} AFTER {event} ON documents "
                       "FOR EACH STATEMENT EXECUTE FUNCTION narrascope_store_changed()")
        return
    op.execute("CREATE TABLE store_changes (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)")
    op.execute("INSERT INTO store_changes (id, version) VALUES (1, 0)")
    for event in VERSION_TRIGGERS:
        op.execute(f"CREATE TRIGGER documents_changed_{event.lower()} AFTER {event} ON documents BEGIN "
                   "UPDATE store_changes SET version = version + 1 WHERE id = 1; END")
    op.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
               "content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')")
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")


def downgrade() -> None:
    for name, (table, _) in VIEW_INDEXES.items():
        op.drop_index(name, table_name=table)
    for event in VERSION_TRIGGERS:
        op.execute(f"DROP TRIGGER documents_changed_{event.lower()}" +
                   (" ON documents" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TABLE store_changes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION narrascope_store_changed()")
        op.execute("DROP INDEX ix_documents_search")
        op.execute("ALTER TABLE documents DROP COLUMN search_vector")
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE documents_fts")
