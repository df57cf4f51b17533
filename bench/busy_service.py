"""/health, /api/stats and SIGTERM while 45 clients ask for a hub's reach map at once
(issue 11, point 2). Compare the code of two worktrees on the same hub store:

    python -m bench.busy_service /path/to/graph-service HUB.db      # the code on PYTHONPATH

Make the hub with ``tests.api.test_budget.write_hub`` and ``graph-service import``. Prints
how long /health took with the 45 reads in flight, /api/stats once their clients left, and
the exit after SIGTERM. Results: docs/budget.md.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from tests.servers import free_port, get_json, wait_until

CLIENTS = 45
PATH = "/map/focus/hub?depth=1&size_by=reach"


def main(cli: str, db: str) -> None:
    port = free_port()
    env = {**os.environ, "GRAPH_QUERY_TIMEOUT": "0"}
    process = subprocess.Popen(
        [cli, "--store", db, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: get_json(base + "/health")[0] == 200, "the service")
    clients = []
    for _ in range(CLIENTS):
        conn = socket.create_connection(("127.0.0.1", port))
        conn.sendall(f"GET {PATH} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        clients.append(conn)
    time.sleep(2)
    start = time.monotonic()
    status, body = get_json(base + "/health", timeout=300)
    print(f"/health {status} in {time.monotonic() - start:.2f} s; work {body.get('work')}")
    for conn in clients:
        conn.close()
    time.sleep(1)
    start = time.monotonic()
    status, _ = get_json(base + "/api/stats", timeout=300)
    print(f"/api/stats once the clients left: {status} in {time.monotonic() - start:.2f} s")
    start = time.monotonic()
    process.terminate()
    try:
        process.wait(300)
        print(f"exit after SIGTERM: {time.monotonic() - start:.2f} s")
    except subprocess.TimeoutExpired:
        print("still running 300 s after SIGTERM")
        process.kill()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
