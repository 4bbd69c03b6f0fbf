"""The site's bibliography, `docs/reference/papers.bib`: read strictly, and shown as short citations.

Pages cite an entry as `[@key]` (kbtools/claims.py); the reading list and the BibTeX download share the keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kbtools.settings import DOCS

PATH = DOCS / "reference" / "papers.bib"
_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", re.S)
_FIELD = re.compile(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}\s*(?:,|$)", re.S)
_LATEX_ACCENTS = {'{\\"u}': "ü", '{\\"e}': "ë", '{\\"o}': "ö", '{\\"a}': "ä", "{\\'e}": "é"}


def parse(text: str) -> dict[str, dict[str, str]]:
    """Entries by key, fields lowercased; raises ValueError on a duplicate key, a brace imbalance or an unread field."""
    if text.count("{") != text.count("}"):
        raise ValueError("unbalanced braces")
    entries: dict[str, dict[str, str]] = {}
    for kind, key, body in _ENTRY.findall(text):
        if key in entries:
            raise ValueError(f"duplicate key {key}")
        fields = {name.lower(): value for name, value in _FIELD.findall(body)}
        leftover = _FIELD.sub("", body).strip()
        if leftover:
            raise ValueError(f"{key}: cannot read {leftover[:60]!r}")
        entries[key] = {"type": kind.lower(), **fields}
    if text.count("@") != len(entries):
        raise ValueError("an entry could not be read")
    return entries


def load(path: Path = PATH) -> dict[str, dict[str, str]]:
    return parse(path.read_text(encoding="utf-8"))


def _plain(value: str) -> str:
    for latex, letter in _LATEX_ACCENTS.items():
        value = value.replace(latex, letter)
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


@dataclass(frozen=True)
class Reference:
    key: str
    surnames: tuple[str, ...]
    year: str
    title: str
    venue: str
    url: str  # the DOI or arXiv page, "" when the entry has neither

    @property
    def short(self) -> str:
        """"Elman, 1990", "Hochreiter & Schmidhuber, 1997", "Pascanu et al., 2013"."""
        names = self.surnames
        who = names[0] if len(names) == 1 else " & ".join(names) if len(names) == 2 else f"{names[0]} et al."
        return f"{who}, {self.year}"

    @property
    def full(self) -> str:
        return f"{', '.join(self.surnames)}. {self.title}. {self.venue}, {self.year}."


def reference(key: str, entry: dict[str, str]) -> Reference:
    surnames = tuple(_plain(author).split(",")[0].strip() for author in re.split(r"\s+and\s+", entry.get("author", "")))
    if "doi" in entry:
        url = f"https://doi.org/{entry['doi']}"
    elif "eprint" in entry:
        url = f"https://arxiv.org/abs/{entry['eprint']}"
    else:
        url = entry.get("url", "")
    venue = _plain(entry.get("journal") or entry.get("booktitle") or entry.get("publisher", ""))
    return Reference(key, surnames, entry.get("year", "n.d."), _plain(entry.get("title", "")), venue, url)
