"""Text utilities shared by the analysers and the models: sentences, mentions, names (below both layers)."""
