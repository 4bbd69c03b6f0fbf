"""Shared fixtures: the strict build of the site, and a served copy of it for the browser tests."""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from filelock import FileLock
from playwright.sync_api import sync_playwright

from kbtools import chromium

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


def read_config(config: Path, keep_names: bool = False) -> dict:
    """An mkdocs.yml, read without importing the Python objects its `!!python/...` tags name (with keep_names,
    `!!python/name:x.y` reads as the string "x.y")."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(loader, suffix, node):
        return suffix.removeprefix("name:") if keep_names and suffix.startswith("name:") else None

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", construct)
    return yaml.load(config.read_text(encoding="utf-8"), Loader=Loader)


def read_nav(config: Path):
    return read_config(config)["nav"]


def build_env() -> dict[str, str]:
    """The environment of a build: the caller's (kbtools/hooks.py sets SOURCE_DATE_EPOCH itself)."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def mkdocs_build(config: Path, site_dir: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict`; keyword arguments are extra environment variables."""
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--config-file", str(config), "--site-dir", str(site_dir)],
        cwd=ROOT, env={**build_env(), **env}, capture_output=True, text=True, timeout=timeout, check=False,
    )


VALID_FRONT_MATTER = "---\ntitle: t\ndate: 2021-08-12\ntags: [안내]\nsummary: s\n---\n\n"


def mini_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A site that inherits mkdocs.yml but has only the given pages; returns its config file."""
    docs = tmp_path / "docs"
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".md"):
            text = textwrap.dedent(text)
            if not text.startswith("---\n"):
                text = VALID_FRONT_MATTER + text
        (docs / name).write_text(text, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {docs}\n"
        f"theme:\n  custom_dir: {ROOT / 'overrides'}\n"
        f"hooks:\n  - {ROOT / 'kbtools/hooks.py'}\n"
        "watch: []\n"
        f"nav:\n" + "".join(f"  - {name}\n" for name in pages),
        encoding="utf-8",
    )
    return config


def build_mini(tmp_path: Path, pages: dict[str, str], **env: str) -> subprocess.CompletedProcess:
    """Builds mini_site(tmp_path, pages) strictly into tmp_path/site; keyword arguments are extra environment."""
    return mkdocs_build(mini_site(tmp_path, pages), tmp_path / "site", timeout=300, **env)


# Handed out first, longest first: with one worker per core (pytest-xdist, whole modules per worker, in this order:
# `--no-loadscope-reorder`), a long module must not be handed out last while the other workers idle. The
# reproducibility test builds the site again from nothing (~3 min); the browser modules drive Chromium on every page.
LONGEST_FIRST = ("tests/test_reproducible.py", "tests/test_browser.py", "tests/test_search.py")


def pytest_collection_modifyitems(items) -> None:
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order


def _shared_folder(tmp_path_factory) -> Path:
    """A folder every process of this pytest run shares: pytest-xdist gives each worker its own base folder inside
    the run's one (`make test` runs two workers); a plain `pytest` has one process and one folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def unit_results(pytestconfig, tmp_path_factory) -> dict[str, dict]:
    """Every unit of the site run once by the engine (or taken from the store), progress on the terminal.

    The first worker runs what the store lacks while the others wait at the lock, then read the store. `make test`
    runs the engine before pytest (its progress would be lost inside a worker), so here everything is usually
    stored already. The build below renders from the same store: no unit executes twice in one `make test`.
    """
    from kbtools.engine import Engine
    from kbtools.units import site_units

    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with FileLock(_shared_folder(tmp_path_factory) / "units.lock"), capture.global_and_fixture_disabled():
        return Engine(retry_failed=True, out=sys.stderr).results(site_units(ROOT / "docs"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, unit_results) -> Path:
    """The site built once per run with `mkdocs build --strict` (workers share it: no test writes into it); the
    build's failure fails every test that needs it, in every worker."""
    shared = _shared_folder(tmp_path_factory)
    site, outcome = shared / "site", shared / "site-build.json"
    with FileLock(shared / "site.lock"):
        if not outcome.is_file():
            done = mkdocs_build(ROOT / "mkdocs.yml", site)
            output = f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
            outcome.write_text(json.dumps({"returncode": done.returncode, "output": output}), encoding="utf-8")
    build = json.loads(outcome.read_text(encoding="utf-8"))
    if build["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{build['output']}", pytrace=False)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _serve(handler, path: str = ""):
    """Serve with `handler` on 127.0.0.1 (a free port) in a thread; yields the base URL, then stops."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site served on 127.0.0.1 (a free port), as a reader's browser would see it."""
    yield from _serve(functools.partial(_QuietHandler, directory=str(built_site)))


@pytest.fixture(scope="session")
def browser():
    if not chromium.available():
        pytest.fail(f"{chromium.CHROMIUM} not found: run `make test` (it installs Debian's chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


class PageLog:
    """What a page did while loading: every request, failure and console error."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failures.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    log = PageLog(page)
    page.goto(url, wait_until="networkidle")
    return page, log


def site_path() -> str:
    """The path part of mkdocs.yml's site_url ('/study-notes-kb/'): where GitHub Pages serves the site."""
    import re
    from urllib.parse import urlparse

    found = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    path = urlparse(found.group(1)).path if found else "/"
    return path if path.endswith("/") else path + "/"


class _PagesHandler(_QuietHandler):
    """Serves the site under site_url's path and answers a missing path with the site's 404.html and status 404,
    as GitHub Pages does (http.server alone answers with its own error page)."""

    prefix = "/"

    def send_head(self):
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return None
        self.path = "/" + self.path[len(self.prefix) :]
        if Path(self.translate_path(self.path)).exists():
            return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


@pytest.fixture(scope="session")
def pages_url(built_site) -> str:
    """The built site served as GitHub Pages serves it: under site_url's path, 404.html for a missing page."""
    handler = functools.partial(type("Handler", (_PagesHandler,), {"prefix": site_path()}), directory=str(built_site))
    yield from _serve(handler, site_path().rstrip("/"))
