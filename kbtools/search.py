"""Korean search in Material's lunr index: particles, compound words, a concept found by its Korean and English names
and other spellings, names with punctuation, and the page that defines a term ranked above pages that mention it.

Almost all of it is index-time work, done once after the build on search/search_index.json (`rewrite_site_index`,
called from kbtools/hooks.py). Material's search worker indexes every field listed in the index's config (mkdocs.yml,
`search: fields:`), so two extra fields carry what the page text cannot:

- `kw` (terms, boost 1000 like a title), on the page entry of the page that defines a term: every spelling of it.
  The glossary (docs/reference/conventions.md, 용어집) pairs each Korean term with its English name and links the
  page that explains it; kbtools/search_terms.yml adds spellings the glossary should not show (케글 for 캐글,
  순환신경망, the notes' own spellings) and terms it does not list, with their page (GPT-3, DALL-E). So `cell state`,
  `셀 상태가` and `셀상태` all put the LSTM page first, not the GRU page that mentions the cell state.
- `kb` (parts, boost 1), what a prefix query cannot reach in the text: the trailing part of a compound word that is
  a word of its own (원격저장소 -> 저장소), two nouns written apart, joined (시간 여행 -> 시간여행: found when typed
  without the space; in a two-word query the first word also matches where the two words stand together), and names
  with a hyphen, joined (DALL-E -> dalle, GPT-3 -> gpt3). A page's own entry also gets the words of the page's
  headings and of the code names in its prose (`git add`), so that a query matches the page entry, which Material
  ranks above sections, of the page that is about it.

Pages that list or sum up others (the home page, tables of contents, the daily log, the reading list, tags) carry
`search: boost: 0.5` in their front matter, Material's own setting. And since lunr can build its token set wrong for
some word lists (see "lunr's token set" below), the rewrite replays that build and adds a filler word if needed.

The query side is docs/assets/javascripts/search-korean.js: lunr matches each query word as a prefix (Material
appends *), so 커밋 finds 커밋을 but 커밋은 does not; the script strips one trailing particle or ending from each query
word with the SUFFIXES below, drops the dashes of command-line flags (--staged; lunr reads a leading - as "without")
and joins a hyphenated name (GPT-3 -> GPT3) as the index does. tests/test_search.py fails if queries stop passing
through it.

Rule-based on purpose: no dictionary download, no build dependency, explainable in one table and one data file.
"""

from __future__ import annotations

import functools
import json
import logging
import posixpath
import re
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

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
HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
TAG = re.compile(r"<[^>]+>")
VERB_FINALS = set("다고며서지면게어아요니까듯록해")
PARTS, TERMS = "kb", "kw"  # the two fields this module adds (boosts: mkdocs.yml, search: fields:)
FIELDS = (PARTS, TERMS)
TERMS_FILE = Path(__file__).with_name("search_terms.yml")
GLOSSARY = "reference/conventions.md"  # under docs_dir; its "## 용어집" table
# A name with a hyphen inside: GPT-3, DALL-E, pre-norm, YOLO-X, 시퀀스-투-시퀀스 (2021-08-12 too: filtered below)
NAME = re.compile(r"(?<![\w-])[^\W_]+(?:-[^\W_]+){1,3}(?![\w-])")
# Two Hangul words one space apart, the second with what follows it glued on (시간 여행으로 -> 시간, 여행으로)
WORD_PAIR = re.compile(r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]+) (?=([\uac00-\ud7a3]+))")


@functools.cache  # a build asks ~200,000 times, for a few thousand distinct words
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


@functools.lru_cache(maxsize=16384)  # a `mkdocs serve` rebuild splits again only the entries that changed
def tokens(text: str, separator: str) -> tuple[str, ...]:
    """The lowercased words of an index entry's text, split the way Material's worker splits them."""
    return tuple(t.lower() for t in re.split(separator, TAG.sub(" ", text)) if t)


def is_letter(word: str) -> bool:
    """One Latin letter or digit (the e of DALL-E, the b of -b): as a word of its own it finds nothing useful."""
    return len(word) == 1 and not HANGUL.match(word)


def is_noun(word: str) -> bool:
    """Roughly: an all-Korean word that does not end like a verb or a particle (시간, 게이트, 저장소)."""
    return bool(HANGUL_WORD.match(word)) and word[-1] not in VERB_FINALS and strip_korean(word) == word


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


def noun_pairs(text: str, vocabulary: set[str]) -> set[str]:
    """Two nouns written apart, joined: 시간 여행으로 -> 시간여행, 기울기 소실 -> 기울기소실 (both words known)."""
    pairs = set()
    for first, second in WORD_PAIR.findall(TAG.sub(" ", text)):
        second = strip_korean(second)
        if is_noun(first) and first in vocabulary and second in vocabulary:
            pairs.add(first + second)
    return pairs


PRE = re.compile(r"<pre[^>]*>.*?</pre>", re.S)
CODE = re.compile(r"<code>(.*?)</code>", re.S)


def section_words(section: dict, separator: str) -> set[str]:
    """What a section is about, for its page's entry: the words of its heading and of the code names in its prose
    (`git add`, `batch_first`), not of its code blocks."""
    words = set(tokens(section.get("title", ""), separator))
    for code in CODE.findall(PRE.sub(" ", section.get("text", ""))):
        words.update(tokens(code, separator), joined_names(code))
    return {w for w in words if not is_letter(w)}


def joined_names(text: str) -> set[str]:
    """Names with a hyphen, joined and lowercased: GPT-3 -> gpt3, DALL-E -> dalle (not dates or number ranges)."""
    names = NAME.findall(TAG.sub(" ", text))
    return {strip_korean(name.replace("-", "").lower()) for name in names if not re.fullmatch(r"[\d-]+", name)}


# ── Terms: the glossary and kbtools/search_terms.yml ─────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Term:
    """One concept: its spellings and the pages (site paths, like lecture/lstm/) that define it."""

    spellings: tuple[str, ...]
    pages: tuple[str, ...]


def site_path(link: str, source: str) -> str:
    """The site path of a Markdown link in docs page `source`: ../lecture/rnn.md#수식 -> lecture/rnn/."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(source), link.split("#")[0]))
    path = re.sub(r"\.(md|ipynb)$", "", path)
    path = "" if path == "index" else re.sub(r"(^|/)index$", r"\1", path)
    return f"{path}/" if path and not path.endswith("/") else path


def glossary(docs_dir: Path) -> dict[str, Term]:
    """The glossary's rows by their Korean cell: `| 셀 상태 | cell state | [LSTM](../lecture/lstm.md) |`. A row of
    parallel lists (`리셋 게이트 / 업데이트 게이트 | reset gate / update gate`) gives each name on its own."""
    page = docs_dir / GLOSSARY
    if not page.exists():
        return {}
    table = page.read_text(encoding="utf-8").split("## 용어집", 1)[-1]
    terms = {}
    for korean, english, where in re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", table, re.M):
        pages = tuple(site_path(link, GLOSSARY) for link in re.findall(r"\]\(([^)]+)\)", where))
        if not pages:
            continue
        kos, ens = korean.split(" / "), english.split(" / ")
        spellings = [*kos, *ens] if len(kos) == len(ens) else [korean, english]
        for en in ens:  # long short-term memory (LSTM) -> also "long short-term memory" and "LSTM"
            if m := re.fullmatch(r"(.+?) \((.+)\)", en):
                spellings += [m.group(1), m.group(2)]
        terms[korean] = Term(tuple(dict.fromkeys(spellings)), pages)
    return terms


def load_terms(docs_dir: Path, data: dict | None = None) -> list[Term]:
    """Every term: the glossary's, each with its variants from kbtools/search_terms.yml, then that file's terms."""
    data = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8")) if data is None else data
    found = glossary(docs_dir)
    terms = []
    for korean, term in found.items():
        terms.append(Term(term.spellings + tuple(data.get("variants", {}).get(korean, ())), term.pages))
    for page, groups in (data.get("terms") or {}).items():
        terms += [Term(tuple(group), (page,)) for group in groups]
    return terms


def term_tokens(spellings, separator: str) -> list[str]:
    """A term's words as the index should hold them: each spelling's words (but a lone letter, the e of DALL-E),
    and a Korean or hyphenated spelling joined (셀상태 for 셀 상태, gpt3 for GPT-3: often typed without the space)."""
    found = []
    for spelling in spellings:
        words = tokens(spelling, separator)
        found += [w for w in words if not is_letter(w)]
        if len(words) > 1 and (HANGUL.search(spelling) or "-" in spelling):
            found.append("".join(words))
    return list(dict.fromkeys(found))


# ── lunr's token set ─────────────────────────────────────────────────────────────────────────────────────────
# Material's search worker builds lunr's token set (the trie that expands a prefix query) from every word of the
# index. lunr 2.3 merges equal subtrees by a key of "label + node id" strings, which two different nodes can share
# when labels are digits (labels 1, 5 with ids 57, 8 and labels 1, 2 with ids 5, 78 both read 0157...): the set then
# loses words and makes up others, and a query through that node fails ("Invalid query", no results), as every
# query starting with "he" did once HEAD~1 and x_{t−1} were words. The ids depend on every word, so the build
# replays Material's tokenizer and lunr's builder here and, if a merge would be wrong, adds a filler word (0kb1, ...)
# to the home page's entry until none is; tests/test_search.py checks the replay against the real worker.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # JavaScript's \s
JS_WORD = "A-Za-z0-9_"  # JavaScript's \w and \b without the u flag
FILLER = "0kb"


def js_regex(source: str) -> re.Pattern:
    r"""A JavaScript RegExp source (no flags) for Python's re, with JavaScript's \s, \d and \b."""
    out, in_class, i = [], False, 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            e = source[i + 1]
            if e == "s":
                out.append(JS_SPACE if in_class else f"[{JS_SPACE}]")
            elif e == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif e == "b" and not in_class:
                out.append(f"(?:(?<=[{JS_WORD}])(?![{JS_WORD}])|(?<![{JS_WORD}])(?=[{JS_WORD}]))")
            else:
                out.append(c + e)
            i += 2
            continue
        in_class = (in_class and c != "]") or (not in_class and c == "[")
        out.append(c)
        i += 1
    return re.compile("".join(out))


@functools.lru_cache(maxsize=16384)  # as tokens()
def material_words(text: str, separator: re.Pattern) -> tuple[str, ...]:
    """The words Material's search worker makes of one field: the text between tags, split at the separator,
    lowercased (its extract() and split(), replayed)."""
    sections, start, stack = [], 0, 0
    for end, c in enumerate(text):
        if c == "<" and end > start:
            sections.append(text[start:end])
            start = end
        elif c == ">":
            if text[start + 1 : start + 2] == "/":
                stack -= 1
            elif text[end - 1] != "/":
                stack += 1
            start = end + 1
    if len(text) > start:
        sections.append(text[start:])
    words = []
    for section in sections:
        index = pos = 0
        while True:
            m = separator.search(section, pos)
            until = m.start() if m else len(section)
            if index < until:
                words.append(section[index:until].lower())
            if not m:
                break
            index = m.end()
            pos = m.end() if m.end() > m.start() else m.start() + 1
    return tuple(words)


def index_words(index: dict) -> set[str]:
    """Every word of a Material search index, as its worker's lunr index holds them."""
    separator = js_regex(index["config"]["separator"])
    words = set()
    for doc in index["docs"]:
        for field in index["config"]["fields"]:
            value = doc.get(field)
            for text in value if isinstance(value, list) else [value] if value is not None else []:
                words.update(material_words(str(text), separator))
    return words


class _Node:
    """A node of lunr's TokenSet: its id counts every node made before it."""

    count = 0

    def __init__(self):
        _Node.count += 1
        self.id, self.final, self.edges, self.keys = _Node.count, False, {}, None

    def key(self) -> tuple[str, str]:
        """lunr's key ("final, then label + child id per edge") and the same with a comma after each id, which
        no two different nodes share."""
        if self.keys:
            return self.keys
        final, labels = "1" if self.final else "0", sorted(self.edges)
        return (
            final + "".join(f"{chr(c)}{self.edges[c].id}" for c in labels),
            final + "".join(f"{chr(c)}{self.edges[c].id}," for c in labels),
        )


def utf16(word: str) -> tuple[int, ...]:
    """The UTF-16 code units of a word: what JavaScript indexes and sorts strings by."""
    data = word.encode("utf-16-be")
    return tuple(data[i] << 8 | data[i + 1] for i in range(0, len(data), 2))


def token_set_collisions(words: set[str]) -> int:
    """How many merges lunr's TokenSet.fromArray gets wrong for these words (its Builder replayed, ids and all)."""
    _Node.count = 0
    root, unchecked, minimized, previous, wrong = _Node(), [], {}, (), 0

    def minimize(down_to: int) -> None:
        nonlocal wrong
        while len(unchecked) > down_to:
            parent, char, child = unchecked.pop()
            key, exact = child.key()
            if key in minimized:
                wrong += minimized[key].keys[1] != exact
                parent.edges[char] = minimized[key]
            else:
                child.keys = key, exact
                minimized[key] = child

    for word in sorted(map(utf16, words)):
        common = 0
        while common < min(len(word), len(previous)) and word[common] == previous[common]:
            common += 1
        minimize(common)
        node = unchecked[-1][2] if unchecked else root
        for char in word[common:]:
            child = _Node()
            node.edges[char] = child
            unchecked.append((node, char, child))
            node = child
        node.final = True
        previous = word
    minimize(0)
    return wrong


def avoid_token_set_collisions(index: dict, tries: int = 50) -> int:
    """Add filler words to the first entry's kb field until lunr's token set would build right; return how many."""
    words = index_words(index)
    for added in range(tries):
        if not token_set_collisions(words):
            return added
        filler = f"{FILLER}{added + 1}"
        doc = index["docs"][0]
        doc[PARTS] = f"{doc.get(PARTS, '')} {filler}".strip()
        words.add(filler)
    raise RuntimeError(f"lunr's token set still merges wrongly after {tries} filler words")


# ── The index ────────────────────────────────────────────────────────────────────────────────────────────────
def entry_text(doc: dict) -> str:
    return f"{doc.get('title', '')} {doc.get('text', '')}"


def nouns(docs: list[dict], separator: str) -> set[str]:
    """Nouns, roughly: all-Korean words seen alone at least twice that do not end like a verb or a particle."""
    seen: dict[str, int] = {}
    for doc in docs:
        for stem in (strip_korean(t) for t in tokens(entry_text(doc), separator)):
            seen[stem] = seen.get(stem, 0) + 1
    return {
        v for v, n in seen.items()
        if n >= 2 and len(v) >= MIN_STEM and all(HANGUL.match(c) for c in v)
        and v[-1] not in VERB_FINALS and not any(v.endswith(s) for s in SUFFIXES)
    }


def rewrite_index(path: Path, terms: list[Term]) -> dict:
    """fill_index on a Material search index file, written back; return counts."""
    index = json.loads(path.read_text(encoding="utf-8"))
    counts = fill_index(index, terms)
    _write_index(path, index)
    return counts


def _write_index(path: Path, index: dict) -> None:
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def fill_index(index: dict, terms: list[Term]) -> dict:
    """Fill the `kb` and `kw` fields of a Material search index (idempotent: both are recomputed); return counts."""
    missing = [f for f in FIELDS if f not in index["config"]["fields"]]
    if missing:
        raise ValueError(f"the search index has no field {missing}: list it under mkdocs.yml search: fields:")
    separator, docs = index["config"]["separator"], index["docs"]
    for doc in docs:
        for field in FIELDS:
            doc.pop(field, None)
    vocabulary = nouns(docs, separator)
    entries = {doc["location"]: doc for doc in docs}  # a page's own entry is the one whose location has no #anchor
    parts: dict[str, set[str]] = {}
    for doc in docs:  # every entry: compound parts, nouns written apart, hyphenated names, all joined
        text = entry_text(doc)
        stems = {strip_korean(t) for t in tokens(text, separator)}
        parts[doc["location"]] = compound_parts(stems, vocabulary) | noun_pairs(text, vocabulary) | joined_names(text)
    for doc in docs:  # a page's own entry: also the words of the page's headings and prose code names
        page, _, anchor = doc["location"].partition("#")
        if anchor and page in entries:
            parts[page] |= section_words(doc, separator)
    for location, found in parts.items():  # what the entry holds already, as a word or a stem, it needs not twice
        words = tokens(entry_text(entries[location]), separator)
        found -= {*words, *map(strip_korean, words)}
        if found:
            entries[location][PARTS] = " ".join(sorted(found))
    words_by_page: dict[str, list[str]] = {}
    for term in terms:
        for page in term.pages:
            if page in entries:
                words_by_page.setdefault(page, []).extend(term_tokens(term.spellings, separator))
    for page, words in words_by_page.items():
        entries[page][TERMS] = " ".join(dict.fromkeys(words))
    fillers = avoid_token_set_collisions(index)
    return {
        "entries": len(docs),
        "parts": sum(len(doc.get(PARTS, "").split()) for doc in docs),
        "terms": sum(len(doc.get(TERMS, "").split()) for doc in docs),
        "pages": len(words_by_page),
        "fillers": fillers,
    }


_entries_by_site: dict[str, dict[str, list[dict]]] = {}  # site folder -> page URL -> its entries, at the last build


def keep_unrendered_pages(index: dict, site: str, rendered: set[str]) -> None:
    """Under `mkdocs serve --dirty` only the saved page is rendered, and Material merges its new entries into the
    last index by dropping every entry whose location starts with the page's URL: '' for the home page, so all of
    them, and a section's pages with its index. Instead, each page not rendered now keeps its entries from the
    last build. In a full build every page is rendered and the index is left as Material wrote it."""
    by_page: dict[str, list[dict]] = {}
    for doc in index["docs"]:
        by_page.setdefault(doc["location"].partition("#")[0], []).append(doc)
    last = _entries_by_site.get(site, {})
    pages = {**by_page, **{page: docs for page, docs in last.items() if page not in rendered}}
    _entries_by_site[site] = pages
    if pages != by_page:
        index["docs"] = [doc for docs in pages.values() for doc in docs]


def rewrite_site_index(config, rendered: set[str]) -> None:
    """Rewrite site/search/search_index.json after Material's search plugin wrote it (kbtools/hooks.py); `rendered`:
    the URLs of the pages this build rendered."""
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    began = time.perf_counter()
    index = json.loads(path.read_text(encoding="utf-8"))
    keep_unrendered_pages(index, str(config["site_dir"]), rendered)
    counts = fill_index(index, load_terms(Path(config["docs_dir"])))
    _write_index(path, index)
    logging.getLogger("mkdocs.plugins.kbtools").info(
        "Korean search: %d parts in %d entries, %d term words on %d pages, %d filler words, in %.0f ms",
        counts["parts"], counts["entries"], counts["terms"], counts["pages"], counts["fillers"],
        (time.perf_counter() - began) * 1000,
    )
