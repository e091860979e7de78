"""Label taxonomies as versioned data: narratives with sub-narratives, and entity roles.

The packaged defaults are the SemEval-2025 Task 10 taxonomies; users can load their own YAML or JSON files,
which are validated with errors naming the file and the offending entry.
"""

from narrascope.taxonomy._common import TaxonomyError
from narrascope.taxonomy._narratives import Taxonomy, load_taxonomy
from narrascope.taxonomy._roles import EntityRoles, load_entity_roles

__all__ = ["Taxonomy", "TaxonomyError", "EntityRoles", "load_taxonomy", "load_entity_roles"]
