"""Loading the catalog: YAML files -> documents with a source map -> diagnostics -> model."""

from catalogsync.catalog.loader import LoadedCatalog, check_catalog, load_catalog

__all__ = ["LoadedCatalog", "check_catalog", "load_catalog"]
