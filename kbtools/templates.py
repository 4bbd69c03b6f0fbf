"""Compiled theme templates, kept in memory across `mkdocs serve` rebuilds.

MkDocs makes a new Jinja environment for every build, so each rebuild under `mkdocs serve` compiled Material's
templates again: about half a second of a page edit's reload. Jinja checks each template's source against the
checksum stored with its code before reusing it, so an edited template is compiled afresh.
"""

from __future__ import annotations

import jinja2


class MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


CACHE = MemoryBytecodeCache()  # this module is imported once per process; hooks.py is loaded again every build
