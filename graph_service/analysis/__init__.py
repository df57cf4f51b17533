"""The four questions (DOMAIN.md sections 3, 4 and 6; CONTRACT.md sections 2 and 3).

- :mod:`~graph_service.analysis.reach`: who and what an actor (or a group) reaches;
- :mod:`~graph_service.analysis.brokerage`: Gould–Fernandez roles, constraint, betweenness;
- :mod:`~graph_service.analysis.overlap`: funds that cover the same areas or recipients;
- :mod:`~graph_service.analysis.gaps`: missing horizontal and vertical links.

Each takes a store and returns the JSON document the command line prints with ``--json``
and the HTTP API serves.
"""
