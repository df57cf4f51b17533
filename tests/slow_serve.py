"""``graph-service serve`` with one more route, ``/map/test-slow``: work that never ends by
itself and checks its budget every few milliseconds, as the analyses and maps do in their
long loops. It stands in for a read that outlasts its timeout, its client or the service,
however fast the machine: the tests of the request budget need a read that is still
computing when they act, not one that merely took long on the machine it was written on.

Run as ``python -m tests.slow_serve --store STORE serve --port PORT`` (the CLI's own
arguments); ``tests.servers.serving(..., command=SLOW_SERVE)`` does.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import graph_service.app
from graph_service import budget
from graph_service.cli import main

SLOW_PATH = "/map/test-slow"
_create_app = graph_service.app.create_app


def create_app(*args: Any, **kwargs: Any) -> Any:
    app = _create_app(*args, **kwargs)

    @app.get(SLOW_PATH)
    def slow() -> None:
        while True:
            budget.check()
            time.sleep(0.005)

    return app


if __name__ == "__main__":
    # only in the service's own process: run_server imports create_app from the module when
    # it runs (the test process imports SLOW_PATH from here and must keep the real app)
    graph_service.app.create_app = create_app
    sys.exit(main())
