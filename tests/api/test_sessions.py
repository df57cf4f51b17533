"""Browser logins (issue 11, point 11): ``/login`` opens a server-side session whose cookie
holds a random token, never the key; ``/logout`` ends it on the server; a session ends when
its key is removed; and a POST, PUT, PATCH or DELETE without a key header from another
site's page (login CSRF and the like) is refused with 403, while requests with a key in the
``Authorization`` header are not checked."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.security import (
    COOKIE,
    KeyRing,
    Sessions,
    foreign_origin,
    hash_key,
    sessions_of,
)
from graph_service.settings import Settings
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.servers import CLI, serving

KEYS = "read:reader-key-1,write:writer-key-1,admin:admin-key-01"
ADMIN = {"Authorization": "Bearer admin-key-01"}
HERE = "http://testserver"  # TestClient's own origin (Host: testserver)
EVIL = "https://evil.example"
SAMPLE = SAMPLES / "community-occupation"


@pytest.fixture
def store(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLE)
    yield store
    store.close()


def client_for(store, **settings) -> TestClient:
    return TestClient(create_app(Settings(**settings), store))


def log_in(client: TestClient, key: str, **headers: str) -> httpx.Response:
    return client.post(
        "/login", data={"key": key, "next": "/map"}, headers=headers, follow_redirects=False
    )


def set_cookie(response: httpx.Response, name: str) -> list[str]:
    """The attributes of the Set-Cookie header for cookie ``name``."""
    (header,) = [
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(name)
    ]
    return [a.strip() for a in header.split(";")]


def keep_only(client: TestClient, token: str) -> None:
    """The client sends ``token`` as its login cookie, as a copy kept after logout would."""
    client.cookies.clear()
    client.cookies.set(COOKIE, token)


def node_count(store) -> int:
    return sum(store.stats().nodes.values())


def test_the_cookie_holds_a_random_session_token_not_the_key(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        first = log_in(client, "admin-key-01", Origin=HERE)
        second = log_in(client, "admin-key-01")  # a program's login sends no Origin
    assert (first.status_code, first.headers["location"]) == (303, "/map")
    cookies = first.headers["set-cookie"]  # all of them
    assert "admin-key-01" not in cookies
    assert hash_key("admin-key-01") not in cookies
    token = first.cookies[COOKIE]
    assert len(token) == 43  # secrets.token_urlsafe(32)
    assert token != second.cookies[COOKIE]  # random per login, not derived from the key
    attributes = set_cookie(first, COOKIE)
    assert attributes[0] == f"{COOKIE}={token}"
    assert {"HttpOnly", "Path=/", "SameSite=strict", "Max-Age=28800"} <= set(attributes)
    assert "Secure" not in attributes  # plain http: a Secure cookie would never come back
    # the cookie of before issue 11 (which held the key) is deleted at login
    assert "Max-Age=0" in set_cookie(first, "graph_key=")


def test_the_cookie_is_secure_behind_https_and_lasts_graph_session_hours(store) -> None:
    with client_for(store, api_keys=KEYS, session_hours=0.5) as client:
        response = log_in(client, "reader-key-1", **{"X-Forwarded-Proto": "https"})
        page = client.get("/login")
    attributes = set_cookie(response, COOKIE)
    assert "Secure" in attributes and "Max-Age=1800" in attributes
    assert "ได้ 0.5 ชั่วโมง" in page.text


def test_the_session_reads_with_the_role_of_its_key_and_never_writes(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        log_in(client, "admin-key-01", Origin=HERE)
        assert client.get("/api/stats").json()["nodes"]["Person"] == 6
        refused = client.delete("/api/graph", headers={"Origin": HERE})
    assert refused.status_code == 401  # the cookie counts for reads only
    assert node_count(store) == 74


def test_after_logout_the_old_cookie_is_refused(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        token = log_in(client, "reader-key-1", Origin=HERE).cookies[COOKIE]
        assert client.get("/api/stats").status_code == 200
        out = client.post("/logout", headers={"Origin": HERE}, follow_redirects=False)
        assert (out.status_code, out.headers["location"]) == (303, "/login")
        assert "Max-Age=0" in set_cookie(out, COOKIE + "=")
        # a copy of the old cookie, kept by whoever had it, no longer reads
        keep_only(client, token)
        stale = client.get("/api/stats")
        page = client.get("/map", headers={"Accept": "text/html"}, follow_redirects=False)
        health = client.get("/health")  # an open page still opens
    assert stale.status_code == 401
    error = stale.json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"].startswith("the login has ended") and "/login" in error["message"]
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2Fmap")
    assert health.status_code == 200


def test_the_logout_link_ends_the_session_but_not_from_another_site(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        token = log_in(client, "reader-key-1").cookies[COOKIE]
        # a link on another site: a button to press instead, the session goes on
        lured = client.get("/logout", headers={"Sec-Fetch-Site": "cross-site"})
        assert lured.status_code == 200 and 'action="/logout"' in lured.text
        assert client.get("/api/stats").status_code == 200
        own = client.get(
            "/logout", headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False
        )
        assert own.status_code == 303
        keep_only(client, token)
        assert client.get("/api/stats").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8080"},  # another port is another origin
        {"Referer": EVIL + "/a/page?x=1"},  # no Origin: the Referer decides
    ],
)
def test_a_login_from_another_site_is_refused_and_sets_no_cookie(store, headers: dict) -> None:
    with client_for(store, api_keys=KEYS) as client:
        response = log_in(client, "admin-key-01", **headers)
        sessions = sessions_of(client.app)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert len(sessions) == 0
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"].startswith("POST /login was sent from another site (")
    assert "this service's own pages (testserver)" in error["message"]
    assert error["details"]["host"] == "testserver"


def test_the_own_origin_is_the_host_or_the_proxy_s_forwarded_host(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        plain = log_in(client, "reader-key-1", Origin="http://TestServer:80")
        proxied = log_in(
            client,
            "reader-key-1",
            Origin="https://graph.example.org",
            **{"X-Forwarded-Host": "graph.example.org", "X-Forwarded-Proto": "https"},
        )
        referer = log_in(client, "reader-key-1", Referer=HERE + "/login?next=%2Fmap")
    assert [r.status_code for r in (plain, proxied, referer)] == [303, 303, 303]


def test_a_cookie_request_from_another_site_is_refused_and_from_the_own_site_works(
    store,
) -> None:
    with client_for(store, api_keys=KEYS) as client:
        token = log_in(client, "admin-key-01", Origin=HERE).cookies[COOKIE]
        foreign_logout = client.post("/logout", headers={"Origin": EVIL})
        foreign_delete = client.delete("/api/graph", headers={"Origin": EVIL})
        still = client.get("/api/stats")
        own_logout = client.post("/logout", headers={"Origin": HERE}, follow_redirects=False)
        keep_only(client, token)
        after = client.get("/api/stats")
    assert foreign_logout.status_code == 403
    assert foreign_logout.json()["error"]["message"].startswith(
        f"POST /logout was sent from another site ({EVIL})"
    )
    assert foreign_delete.status_code == 403
    assert foreign_delete.json()["error"]["code"] == "forbidden"
    assert still.status_code == 200  # the refused logout ended nothing
    assert own_logout.status_code == 303
    assert after.status_code == 401
    assert node_count(store) == 74


def test_a_key_in_the_header_is_not_checked_for_its_origin(store) -> None:
    with client_for(store, api_keys=KEYS) as client:
        response = client.delete("/api/graph", headers={**ADMIN, "Origin": EVIL})
    assert response.status_code == 200
    assert response.json()["deleted"] == {"entities": 74, "relationships": 125}


def test_without_keys_another_site_cannot_import_through_the_browser(tmp_path: Path) -> None:
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(SAMPLE.glob("*.csv"))]
    store = EmbeddedStore(tmp_path / "empty.db")
    try:
        with client_for(store) as client:
            # a form on another site posting to a service on this machine
            foreign = client.post("/api/import", files=files, headers={"Origin": EVIL})
            assert foreign.status_code == 403
            assert store.stats().nodes == {}
            own = client.post("/api/import", files=files, headers={"Origin": HERE})
            assert own.status_code == 200, own.text
            assert node_count(store) == 74
    finally:
        store.close()


def ring(keys: str) -> KeyRing:
    return KeyRing.from_settings(Settings(api_keys=keys))


def test_a_session_ends_when_its_key_is_removed_and_follows_its_key_s_role() -> None:
    before = ring("write:rotated-key-1,read:other-key-01")
    digest = hashlib.sha256(b"rotated-key-1").digest()
    sessions = Sessions(lifetime=3600)
    token = sessions.open(digest)
    assert sessions.role_of(token, before) == "write"
    assert sessions.role_of(token, ring("read:rotated-key-1")) == "read"  # a weaker role now
    assert sessions.role_of(token, ring("read:other-key-01,write:new-key-001")) is None
    # ended for good: the key coming back does not revive it
    assert sessions.role_of(token, before) is None
    assert len(sessions) == 0
    assert sessions.role_of("never-issued-token", before) is None


def test_sessions_expire_and_are_bounded_in_number() -> None:
    keys = ring("read:reader-key-1")
    digest = hashlib.sha256(b"reader-key-1").digest()
    expired = Sessions(lifetime=0)
    assert expired.role_of(expired.open(digest), keys) is None
    few = Sessions(lifetime=3600, limit=2)
    tokens = [few.open(digest) for _ in range(3)]
    assert [few.role_of(t, keys) for t in tokens] == [None, "read", "read"]
    assert few.close(tokens[1]) is True and few.close(tokens[1]) is False
    assert few.role_of(tokens[1], keys) is None


@pytest.mark.parametrize(
    ("headers", "foreign"),
    [
        ({"host": "h:8000"}, None),  # a program: neither Origin nor Referer
        ({"host": "h:8000", "origin": "http://h:8000"}, None),
        ({"host": "h", "origin": "https://h"}, None),
        ({"host": "h:443", "origin": "https://h"}, None),
        ({"host": "h:8000", "origin": "http://h:8001"}, ("http://h:8001", "h:8000")),
        ({"host": "h:8000", "origin": "javascript://h:8000"}, ("javascript://h:8000", "h:8000")),
        ({"host": "h:8000", "referer": "http://x.example/p"}, ("http://x.example", "h:8000")),
        ({"host": "h:8000", "origin": "null", "referer": "http://h:8000/"}, ("null", "h:8000")),
    ],
)
def test_foreign_origin(headers: dict[str, str], foreign: tuple[str, str] | None) -> None:
    assert foreign_origin(headers) == foreign


def test_through_a_real_service_logout_and_a_removed_key_end_the_session(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLE)], check=True, capture_output=True
    )
    with serving(str(db), tmp_path / "one.log", env={"GRAPH_API_KEYS": KEYS}) as service:
        with httpx.Client(base_url=service.base, follow_redirects=False) as browser:
            evil = browser.post("/login", data={"key": "writer-key-1"}, headers={"Origin": EVIL})
            assert evil.status_code == 403 and COOKIE not in browser.cookies
            login = browser.post(
                "/login", data={"key": "writer-key-1"}, headers={"Origin": service.base}
            )
            assert login.status_code == 303
            token = browser.cookies[COOKIE]
            assert "writer-key-1" not in login.headers["set-cookie"]
            assert browser.get("/api/stats").json()["nodes"]["Person"] == 6
            logout = browser.post("/logout", headers={"Origin": service.base})
            assert logout.status_code == 303
        stale = httpx.get(service.base + "/api/stats", cookies={COOKIE: token})
        assert stale.status_code == 401
        # a second login, then the operator removes its key and restarts the service
        with httpx.Client(base_url=service.base) as browser:
            browser.post("/login", data={"key": "writer-key-1"})
            kept = browser.cookies[COOKIE]
            assert browser.get("/api/stats").status_code == 200
    without = "read:reader-key-1,admin:admin-key-01"
    with serving(str(db), tmp_path / "two.log", env={"GRAPH_API_KEYS": without}) as service:
        gone = httpx.get(service.base + "/api/stats", cookies={COOKIE: kept})
        assert gone.status_code == 401
        assert gone.json()["error"]["message"].startswith("the login has ended")
