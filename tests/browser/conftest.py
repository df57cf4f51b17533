"""What the browser tests share: Debian's Chromium driven by Playwright (never a browser
Playwright downloads), one browser per module, a fresh page per test that records the
page's JavaScript errors."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.servers import serving
from viz.report import CHROMIUM_QUIET_FLAGS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: the flags this workplace's Chromium needs to start quickly on a closed network
FLAGS = list(CHROMIUM_QUIET_FLAGS)


def require_chromium() -> None:
    """Skip without Chromium outside CI; with ``CI`` set, fail (CI installs it)."""
    if CHROMIUM is None:
        reason = "no chromium on the PATH (apt install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + ": CI must run the browser tests")
        pytest.skip(reason + " (outside CI only)")


@contextmanager
def served(db: Path, **env: str) -> Iterator[str]:
    """``graph-service serve`` on the store file ``db`` (with ``env`` added to the
    environment) as its own process; yields its base URL once /health answers."""
    with serving(str(db), db.with_suffix(".serve.log"), env) as service:
        yield service.base


def open_map(page: Any, url: str, shot: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    state: dict[str, Any] = page.evaluate(
        """() => {
            const canvas = document.querySelector('#graph canvas');
            const ctx = canvas.getContext('2d');
            const {width, height} = canvas;
            const pixels = ctx.getImageData(0, 0, width, height).data;
            let inked = 0;
            for (let i = 0; i < pixels.length; i += 4 * 97) {
                if (pixels[i + 3] > 0 && (pixels[i] < 240 || pixels[i + 1] < 240)) inked++;
            }
            const gs = window.graphService;
            return {
                width, height, inked,
                nodes: gs.view.length,
                labels: gs.nodes.get().map(n => n.label),
                pwned: window.pwned === 1,
            };
        }"""
    )
    return state


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
