"""The content-addressed result store: one JSON file per unit key, under .cache/kb-store/ (ignored by git).

An entry holds what the unit printed (per block), its exit status, its report if it failed, the executed notebook,
how long it took and its provenance. Writes go to a temporary file in the same folder, then `os.replace`: a
reader sees the old entry or the new one, never half of one, so `mkdocs serve` and `make test` can share a store.
Each entry carries a digest of its own content; an entry that is truncated, edited by hand or stored under
another key reads as missing, and its unit runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`: a reader, or another process
    writing the same file, never sees half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The payload stored under `key`, or None when there is none or it is damaged (then it is removed)."""
        path = self.path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            payload = entry["payload"]
            if entry["key"] == key and entry["digest"] == _digest(payload):
                return payload
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            pass
        path.unlink(missing_ok=True)  # damaged: run the unit again rather than show a wrong output
        return None

    def put(self, key: str, payload: dict) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"key": key, "digest": _digest(payload), "payload": payload},
                          sort_keys=True, ensure_ascii=False, indent=1)
        write_atomically(path, text + "\n")

    def stored_keys(self) -> set[str]:
        return {p.stem for p in self.root.glob("??/*.json")} if self.root.is_dir() else set()

    def merge(self, other: Store) -> int:
        """Copy the sound entries of `other` that this store lacks; returns how many were copied."""
        copied = 0
        for key in sorted(other.stored_keys() - self.stored_keys()):
            payload = other.get(key)
            if payload is not None:
                self.put(key, payload)
                copied += 1
        return copied
