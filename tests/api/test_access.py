"""Access control (CONTRACT.md section 4), public reads, the body limit, the version headers
and the refusal to listen beyond this machine without keys."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.errors import UsageError
from graph_service.security import KeyRing, hash_key, required_role
from graph_service.settings import Settings
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES

KEYS = "read:reader-key-1,write:writer-key-1,admin:admin-key-01"
READ = {"Authorization": "Bearer reader-key-1"}
WRITE = {"Authorization": "Bearer writer-key-1"}
ADMIN = {"Authorization": "Bearer admin-key-01"}


@pytest.fixture
def store(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    yield store
    store.close()


def client_for(store, **settings) -> TestClient:
    return TestClient(create_app(Settings(**settings), store))


def test_without_keys_everything_is_open(store) -> None:
    with client_for(store) as client:
        assert client.get("/api/stats").status_code == 200
        assert client.get("/map").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/api/stats", {}, 401),
        ("GET", "/api/stats", {"Authorization": "Bearer wrong-key-000"}, 401),
        ("GET", "/api/stats", {"Authorization": "Basic cmVhZGVyLWtleS0x"}, 401),
        ("GET", "/api/stats", READ, 200),
        ("GET", "/api/reach/person-coordinator", READ, 200),
        ("GET", "/map", READ, 200),
        ("GET", "/", READ, 200),
        ("GET", "/api/export?format=cyjs", READ, 200),
        ("DELETE", "/api/graph", READ, 403),
        ("DELETE", "/api/graph", WRITE, 403),
        ("GET", "/health", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/static/map.js", {}, 200),
        ("GET", "/login", {}, 200),
    ],
)
def test_roles(store, method: str, path: str, headers: dict, status: int) -> None:
    with client_for(store, api_keys=KEYS) as client:
        response = client.request(method, path, headers=headers)
    assert response.status_code == status, response.text
    if status in (401, 403):
        error = response.json()["error"]
        assert error["code"] == {401: "unauthorized", 403: "forbidden"}[status]
        assert method in error["message"] or "not valid" in error["message"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_read_key_cannot_write_and_says_which_role_is_needed(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        response = client.delete("/api/graph", headers=READ)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "DELETE /api/graph needs the admin role; this key has the read role"
    )
    assert sum(store.stats().nodes.values()) == 74  # nothing deleted


def test_admin_empties_the_store_and_the_version_moves(store) -> None:
    version = store.version()
    with client_for(store, api_keys=KEYS) as client:
        response = client.delete("/api/graph", headers=ADMIN)
    assert response.status_code == 200
    assert response.json() == {
        "deleted": {"entities": 74, "relationships": 125},
        "version": version + 1,
    }
    assert store.stats().nodes == {}


def test_keys_file_holds_hashes(store, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(
        f"# team keys\n\nread:{hash_key('file-reader-1')}\n"
        f"ADMIN:{hash_key('file-admin-1').upper()}\n",
        encoding="utf-8",
    )
    with client_for(store, api_keys_file=str(keys)) as client:
        ok = client.get("/api/stats", headers={"Authorization": "Bearer file-reader-1"})
        raw_hash = client.get(
            "/api/stats", headers={"Authorization": f"Bearer {hash_key('file-reader-1')}"}
        )
        forbidden = client.delete("/api/graph", headers={"Authorization": "Bearer file-reader-1"})
    assert (ok.status_code, raw_hash.status_code, forbidden.status_code) == (200, 401, 403)


def test_key_ring_keeps_only_digests_and_the_strongest_role() -> None:
    ring = KeyRing.from_settings(Settings(api_keys="read:same-key-00, write:same-key-00"))
    assert ring.role_of("same-key-00") == "write"
    assert ring.role_of("same-key-0") is None
    assert all(len(d) == 32 for _, d in ring.entries)
    assert hashlib.sha256(b"same-key-00").digest() in {d for _, d in ring.entries}
    assert "same-key-00" not in repr(ring)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"api_keys": "reader:abcdefgh"}, "GRAPH_API_KEYS entry 1: expected role:key"),
        ({"api_keys": "read:short"}, "at least 8 characters"),
        ({"api_keys_file": "/nonexistent/keys"}, "GRAPH_API_KEYS_FILE /nonexistent/keys"),
        ({"public_reads": True}, "GRAPH_PUBLIC_READS needs API keys"),
    ],
)
def test_bad_key_settings_fail_at_start(store, settings: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        create_app(Settings(**settings), store)


def test_a_key_file_line_that_is_not_a_hash_is_named(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("read:" + "a" * 64 + "\nwrite:plain-text-key\n", encoding="utf-8")
    with pytest.raises(UsageError, match=f"{keys}:2: expected role:SHA-256"):
        KeyRing.from_settings(Settings(api_keys_file=str(keys)))


def test_required_roles() -> None:
    assert required_role("GET", "/api/reach/x") == "read"
    assert required_role("POST", "/api/import") == "write"
    assert required_role("PATCH", "/api/entities/x") == "write"
    assert required_role("DELETE", "/api/graph") == "admin"
    assert required_role("GET", "/map/focus/x") == "read"
    assert required_role("GET", "/health") is None


def test_browser_logs_in_with_a_cookie_that_only_reads(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        page = client.get("/map", headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fmap"
        bad = client.post("/login", data={"key": "nope-nope-nope", "next": "/map"})
        assert bad.status_code == 401 and "รหัสนี้ใช้ไม่ได้" in bad.text
        good = client.post(
            "/login", data={"key": "admin-key-01", "next": "/map"}, follow_redirects=False
        )
        assert good.status_code == 303 and good.headers["location"] == "/map"
        cookie = good.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert client.get("/map").status_code == 200  # the cookie rides along
        # the cookie of an admin key still cannot write: writes need the header
        assert client.delete("/api/graph").status_code == 401
        assert sum(store.stats().nodes.values()) == 74
        client.get("/logout")
        assert client.get("/api/stats").status_code == 401


def test_login_never_redirects_off_the_service(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            response = client.post(
                "/login", data={"key": "reader-key-1", "next": target}, follow_redirects=False
            )
            assert response.headers["location"] == "/"


def test_etag_and_version_headers(store) -> None:
    with client_for(store) as client:
        first = client.get("/api/stats")
        version = store.version()
        assert first.headers["x-graph-version"] == str(version)
        assert first.headers["etag"] == f'W/"{version}-full-th"'
        again = client.get("/api/stats", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        page = client.get("/map", headers={"If-None-Match": first.headers["etag"]})
        assert page.status_code == 304
        client.delete("/api/graph")
        assert store.version() == version + 1
        after = client.get("/api/stats", headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] == f'W/"{version + 1}-full-th"'
        assert after.json()["version"] == version + 1


def test_a_write_response_carries_the_new_version(store) -> None:
    version = store.version()
    with client_for(store) as client:
        response = client.delete("/api/graph")
    assert response.headers["x-graph-version"] == str(version + 1)
    assert "etag" not in response.headers


def test_body_over_the_limit_is_413(store) -> None:
    with client_for(store, api_keys=KEYS, max_upload_mb=1) as client:
        big = b"x" * (1024 * 1024 + 1)
        response = client.post(
            "/api/import",
            headers={**WRITE, "Content-Type": "application/octet-stream"},
            content=big,
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"

        def chunks():
            for _ in range(3):
                yield b"y" * (600 * 1024)

        streamed = client.post(
            "/api/import",
            headers={**WRITE, "Content-Type": "multipart/form-data; boundary=b0"},
            content=chunks(),
        )
        assert streamed.status_code == 413
    assert sum(store.stats().nodes.values()) == 74


def test_serve_refuses_other_hosts_without_keys(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "x.db").close()  # a store that exists: serve refuses a missing one
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "graph_service.cli",
            "--store",
            str(tmp_path / "x.db"),
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0" in done.stderr
    assert "GRAPH_API_KEYS" in done.stderr


def test_new_key_prints_a_key_and_its_hash() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graph_service.cli", "new-key", "--role", "write"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    key = done.stdout.splitlines()[0].removeprefix("key: ")
    assert done.stdout.splitlines()[1] == f"line for GRAPH_API_KEYS_FILE: write:{hash_key(key)}"
    assert len(key) >= 40


def test_public_reads_show_people_under_pseudonyms(store) -> None:
    people = {i: n for i, n in store.get_nodes(store.ids_of(["Person"])).items()}
    assert len(people) == 6
    with client_for(store, api_keys=KEYS, public_reads=True) as client:
        stats = client.get("/api/stats")
        assert stats.status_code == 200
        assert stats.headers["etag"] == f'W/"{store.version()}-public-th"'
        # a real id of a person without consent is unknown in public mode ...
        assert client.get("/api/entities/person-coordinator").status_code == 404
        # ... but known with a key
        full = client.get("/api/entities/person-coordinator", headers=READ)
        assert full.json()["name"] == "ผู้ประสานงาน"
        reach = client.get("/api/reach/org-central-team?depth=2").json()
        shown = [n for n in reach["nodes"] if n["kind"] == "Person"]
        assert shown and all(n["id"].startswith("anon-") for n in shown)
        assert all(n["name"].startswith("บุคคลนิรนาม ") for n in shown)
        # the same reach with a key: the same counts, real ids
        real = client.get("/api/reach/org-central-team?depth=2", headers=READ).json()
        assert (reach["reach"], reach["by_kind"]) == (real["reach"], real["by_kind"])
        pseudonym = shown[0]["id"]
        one = client.get(f"/api/entities/{pseudonym}").json()
        assert one["id"] == pseudonym and one["kind"] == "Person"
        text = " ".join(
            client.get(path).text
            for path in ("/api/brokerage", "/api/gaps", "/map", "/", f"/api/reach/{pseudonym}")
        )
        for id_ in people:
            assert id_ not in text, id_
        # writes still need a key
        assert client.delete("/api/graph").status_code == 401


def test_answers_are_cached_apart_per_privacy_mode(store) -> None:
    with client_for(store, api_keys=KEYS, public_reads=True) as client:
        full = client.get("/api/brokerage", headers=READ).json()
        public = client.get("/api/brokerage").json()
        again = client.get("/api/brokerage", headers=READ).json()
    assert full == again
    assert {n["id"] for n in full["nodes"]} != {n["id"] for n in public["nodes"]}
    assert len(full["nodes"]) == len(public["nodes"])


def test_unknown_paths_and_methods_answer_in_the_error_shape(store) -> None:
    with client_for(store) as client:
        missing = client.get("/api/nothing-here")
        wrong = client.put("/api/stats")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
