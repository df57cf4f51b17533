"""Importers: read a dataset's files into raw tables, parse cell values, load Thai geography."""
