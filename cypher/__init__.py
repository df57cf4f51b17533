"""Cypher statements, one per file, loaded by ``graph_service.store.catalog``."""
