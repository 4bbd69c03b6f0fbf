"""Korean search: strip particles and endings so that a query's 조사 need not match the text's.

lunr has no Korean stemmer, and Material appends a trailing wildcard to every query term, so a bare stem
finds stem+particle (커밋 finds 커밋을) but one particle never finds another (커밋은 misses 커밋을). Two halves:

- Query side (docs/assets/javascripts/search-korean.js): each query word loses one trailing particle or
  ending, with the same SUFFIXES as here. 트랜스포머가 becomes 트랜스포머, Material makes it 트랜스포머*,
  which finds 트랜스포머는. Stripping only shortens a prefix query, so it never loses a page the
  unstripped query would find.
- Index side (`rewrite_site_index`, after the build): search/search_index.json gets an extra field `kb` per
  entry holding the compound parts of its Korean words: the trailing part of a word that is itself a word seen
  alone elsewhere on the site (원격저장소 -> 저장소, 자기회귀 -> 회귀), since a trailing wildcard cannot find
  a word's end.

Rule-based on purpose: no dictionary download, no build dependency, explainable in one table.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

# Longest first: one pass strips the longest matching ending. Kept equal to SUFFIXES in search-korean.js
# (tests/test_search.py compares them).
SUFFIXES = (
    # copula and 하다/되다 endings (마스킹하는, 병합하면, 트랜스포머입니다)
    "입니다", "합니다", "됩니다", "에서는", "에서도", "에서의", "으로는", "으로도", "으로서", "으로써", "에게서",
    "하기", "하는", "하다", "한다", "했다", "하고", "하면", "해서", "하여", "되는", "된다", "되어", "이다", "이고",
    "이며", "이나", "이랑", "이므로", "이라고", "이라면", "이라는", "이라서", "이라",
    # particles (조사)
    "에서", "에게", "으로", "까지", "부터", "처럼", "보다", "마다", "과는", "와는", "과의", "와의", "에는",
    "에도", "만큼", "로는", "로도", "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만",
)
SUFFIXES = tuple(sorted(SUFFIXES, key=len, reverse=True))
MIN_STEM = 2  # a Korean stem keeps at least two syllables: 차이 stays 차이, not 차
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TAG = re.compile(r"<[^>]+>")
FIELD = "kb"
VERB_FINALS = set("다고며서지면게어아요니까듯록해")


def strip_korean(word: str) -> str:
    """The word without one trailing particle or ending (트랜스포머가 -> 트랜스포머); other words unchanged."""
    if not word or not HANGUL.match(word[-1]):
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            hangul_stem = HANGUL.match(stem[-1]) if stem else None
            if len(stem) >= (MIN_STEM if hangul_stem else 1):
                return stem
            return word
    return word


def tokens(text: str, separator: str) -> list[str]:
    """The lowercased words of an index entry's text, split the way Material's worker splits them."""
    return [t.lower() for t in re.split(separator, TAG.sub(" ", text)) if t]


def compound_parts(stems: set[str], vocabulary: set[str]) -> set[str]:
    """Trailing parts of Korean words that are words in their own right: 원격저장소 -> {저장소}."""
    parts = set()
    for stem in stems:
        if len(stem) < MIN_STEM + 1 or not HANGUL.search(stem):
            continue
        for start in range(1, len(stem) - MIN_STEM + 1):
            tail = stem[start:]
            if tail in vocabulary and all(HANGUL.match(c) for c in tail):
                parts.add(tail)
    return parts


def rewrite_index(path: Path) -> dict:
    """Add the `kb` field (compound parts) to every entry of a Material search index; return counts."""
    index = json.loads(path.read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    stems_by_doc = []
    seen: dict[str, int] = {}
    for doc in index["docs"]:
        stems = [strip_korean(t) for t in tokens(f"{doc.get('title', '')} {doc.get('text', '')}", separator)]
        stems_by_doc.append({s for s in stems if HANGUL.search(s)})
        for stem in stems:
            seen[stem] = seen.get(stem, 0) + 1
    # Nouns, roughly: all-Korean words seen alone at least twice that do not end like a verb or a particle.
    vocabulary = {
        v for v, n in seen.items()
        if n >= 2 and len(v) >= MIN_STEM and all(HANGUL.match(c) for c in v)
        and v[-1] not in VERB_FINALS and not any(v.endswith(s) for s in SUFFIXES)
    }
    added = 0
    for doc, stems in zip(index["docs"], stems_by_doc, strict=True):
        parts = sorted(compound_parts(stems, vocabulary) - stems)
        if parts:
            doc[FIELD] = " ".join(parts)
            added += len(parts)
    index["config"]["fields"][FIELD] = {"boost": 1.0}
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {"docs": len(index["docs"]), "parts": added}


def rewrite_site_index(config) -> None:
    """Rewrite site/search/search_index.json after Material's search plugin wrote it (kbtools/hooks.py)."""
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    began = time.perf_counter()
    counts = rewrite_index(path)
    logging.getLogger("mkdocs.plugins.kbtools").info(
        "Korean search: %d compound parts added to %d entries in %.0f ms",
        counts["parts"], counts["docs"], (time.perf_counter() - began) * 1000,
    )
