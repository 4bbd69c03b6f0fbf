"""`make serve` (`mkdocs serve --dirty`): a saved page is served again with its new text and its new output."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import build_env, mini_site, site_path

PAGE = '# 시험 페이지\n\n{words}\n\n```python exec="on"\nprint({value} * 2)\n```\n'


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, text: str, server: subprocess.Popen, log, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while True:
        body = _get(url)
        if body is not None and text in body:
            return body
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise AssertionError(f"{text!r} was never served at {url}:\n{log.read()[-4000:]}")
        time.sleep(0.2)


def test_saved_page_is_served_again_with_its_new_output_and_search_entries(tmp_path):
    """Asserts that under `mkdocs serve --dirty`, what `make serve` runs, saving a page serves its new text and
    its block's new output, and that the search index holds the page's new words once and its old ones no more
    (the dirty rebuild merges the saved page's entries into the index of the first build)."""
    config = mini_site(tmp_path, {"index.md": PAGE.format(words="첫째단어", value=20), "other.md": "# 다른 페이지\n"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}{site_path()}"
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload", "-f", str(config),
               "--dev-addr", f"127.0.0.1:{port}"]
    with open(tmp_path / "serve.log", "w+", encoding="utf-8") as log:
        server = subprocess.Popen(command, env={**build_env(), "KB_STORE": str(tmp_path / "store")}, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            _wait_for(base, "40", server, log)
            time.sleep(1)  # the watcher starts after the first build
            (tmp_path / "docs/index.md").write_text(PAGE.format(words="둘째단어", value=21), encoding="utf-8")
            page = _wait_for(base, "둘째단어", server, log)
            assert "42" in page and "첫째단어" not in page
            index = json.loads(_wait_for(f"{base}search/search_index.json", "둘째단어", server, log))
        finally:
            server.terminate()
            server.wait(timeout=30)
    words = " ".join(f"{doc['title']} {doc['text']}" for doc in index["docs"])
    assert words.count("둘째단어") == 1 and "첫째단어" not in words, index["docs"]
    assert any(doc["location"] == "other/" for doc in index["docs"]), f"the unsaved page left the index: {index}"
