"""Maps: render a subgraph as a standalone interactive HTML page (pyvis / vis-network)."""
