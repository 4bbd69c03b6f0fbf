"""Search in the built site, in Chromium: Korean words with any particle, English words for Korean concepts, the notes'
own spellings, model, API and Git names, two-word concepts and misspellings find the right page first, fast; the
Korean rules agree between the build (kbtools/search.py) and the browser; the query hook still sees Material's
queries; the glossary and kbtools/search_terms.yml point at pages that exist."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from conftest import ROOT, open_page

from kbtools import bib
from kbtools import search as kbsearch

# (query, where the right page's path starts): it must be among the first three results.
# Korean words bare and with a particle or ending the text does not use, English words, code names, and words
# that occur only inside notebooks.
SEARCH_TABLE = [
    # Korean, as written in the text
    ("어텐션", "lecture/attention/"),
    ("트랜스포머", "lecture/transformer/"),
    ("자기회귀", "lecture/sequential-models/"),
    ("마르코프", "lecture/sequential-models/"),
    ("마스킹", "lecture/masking/"),
    ("스테이징", "git/branching/"),
    ("오피스아워", "office-hours/"),
    ("리셋 게이트", "lecture/gru/"),
    ("망각 게이트", "lecture/lstm/"),
    ("이진 탐색", "git/bisect/"),
    # Korean with a particle or ending the text does not have there
    ("트랜스포머가", "lecture/transformer/"),
    ("마스킹을", "lecture/masking/"),
    ("어텐션은", "lecture/attention/"),
    ("브랜치를", "git/branching/"),
    ("커밋은", "git/"),
    ("병합하면", "git/branching/"),
    ("충돌이", "git/collaboration/"),
    ("역전파는", "lecture/rnn/"),
    ("패치로", "lecture/vit/"),
    ("셀 상태가", "lecture/lstm/"),
    ("인과 마스크를", "lecture/masking/"),
    ("마르코프 모델이", "lecture/sequential-models/"),
    ("지식 추적이란", "office-hours/"),
    ("풀 리퀘스트를", "git/collaboration/"),
    ("회귀", "lecture/autoregressive-fit/"),  # mostly inside 자기회귀: a compound part
    # English
    ("attention", "lecture/attention/"),
    ("vanishing gradient", "lecture/rnn/"),
    ("bisect", "git/bisect/"),
    ("rebase", "git/collaboration/"),
    ("knowledge tracing", "office-hours/"),
    ("Vision Transformer", "lecture/vit/"),
    ("LSTM", "lecture/lstm/"),
    ("GRU", "lecture/gru/"),
    # code names
    ("nn.LSTM", "lecture/lstm/"),
    ("torch", "lecture/"),
    ("checkout", "git/"),
    ("GRUCell", "lecture/gru/"),
    ("scaled_dot_product_attention", "lecture/"),
    ("push", "git/collaboration/"),
    # only inside notebooks
    ("최소제곱", "lecture/autoregressive-fit/"),
    ("set_num_threads", "lecture/gru-vs-lstm/"),
    ("snippet_weights", "lecture/attention-walkthrough/"),
]
# What a learner types, and the one page that should come first (tests/search_queries.yml, by kind of query).
LEARNER_FILE = ROOT / "tests/search_queries.yml"
LEARNER_TABLE = [
    (query, page, kind)
    for kind, rows in yaml.safe_load(LEARNER_FILE.read_text(encoding="utf-8")).items()
    for query, page in rows.items()
]
LEARNER_FIRST = 0.95  # share of the learner table whose page must come first (all must be in the top three)
LATENCY_P95_MS = 50
LATENCY_RETRIES = 4  # tries more for a query over the budget (test_search_latency_p95)
GROWTH = 1.30  # the gzipped index may grow by at most this factor for what kbtools/search.py adds

# Timestamps in the page: the last keyup, and the last change under the search results.
TIMING_SCRIPT = """
window.__kbTiming = {keyup: 0, rendered: 0};
document.addEventListener("keyup", () => { window.__kbTiming.keyup = performance.now(); }, true);
new MutationObserver(records => {
  if (records.some(r => (r.target.closest ? r.target : r.target.parentElement)?.closest(".md-search-result")))
    window.__kbTiming.rendered = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
PLACEHOLDER = "/입력|Type to start/"


def _wait_meta(page, placeholder: bool) -> None:
    test = f"{'' if placeholder else '!'}{PLACEHOLDER}.test(m.textContent)"
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('.md-search-result__meta'); return m && {test}; }}",
        timeout=10000,
    )


def search(page, query: str) -> tuple[list[str], float]:
    """The result links for `query` typed into the search box, and the ms from its keyup to the last render."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-search__icon, .md-search__input").first.click()
    box.fill("")
    box.press("End")  # Material reads the query on keyup (IME-friendly); fill() alone sends no key
    _wait_meta(page, placeholder=True)
    box.fill(query)
    box.press("End")
    _wait_meta(page, placeholder=False)
    page.wait_for_timeout(150)
    timing = page.evaluate("() => window.__kbTiming")
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link", "els => els.map(e => e.getAttribute('href'))"
    )
    return hrefs, timing["rendered"] - timing["keyup"]


def rank(hrefs: list[str], expected: str, exact: bool = False) -> int | None:
    """1-based position, among result pages, of the first page under `expected` (with exact, the page `expected`
    itself), or None."""
    paths = [urlparse(h).path.split("/study-notes-kb/", 1)[-1].lstrip("./").split("#")[0] for h in hrefs]
    pages = list(dict.fromkeys(paths))  # a page's sections are listed under it: count pages, not links
    for position, path in enumerate(pages, 1):
        if path == expected or (not exact and path.startswith(expected)):
            return position
    return None


LATENCIES: dict[str, float] = {}  # query -> ms, filled by the tables' tests, read by the latency test
RANKS: dict[str, int | None] = {}  # learner query -> position of its page, read by the first-place test


@pytest.fixture(scope="module")
def search_page(browser, site_url):
    """One page for the whole table: the search index loads once."""
    page, log = open_page(browser, f"{site_url}/")
    page.evaluate(TIMING_SCRIPT)
    yield page, log
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected"), SEARCH_TABLE, ids=[q for q, _ in SEARCH_TABLE])
def test_search_finds_the_page(search_page, query, expected):
    """Asserts that the query's expected page is among the first three results, with no script error."""
    page, log = search_page
    hrefs, LATENCIES[query] = search(page, query)
    position = rank(hrefs, expected)
    assert position is not None and position <= 3, f"{query!r}: {hrefs[:5]}"
    assert not log.errors, log.errors


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected", "kind"), LEARNER_TABLE, ids=[q for q, _, _ in LEARNER_TABLE])
def test_learner_query_finds_the_page(search_page, query, expected, kind):
    """Asserts that a learner's query (tests/search_queries.yml) has its page among the first three results."""
    page, log = search_page
    hrefs, LATENCIES[query] = search(page, query)
    RANKS[query] = rank(hrefs, expected, exact=True)
    assert RANKS[query] is not None and RANKS[query] <= 3, f"{kind}: {query!r} -> {expected}: {hrefs[:6]}"
    assert not log.errors, log.errors


@pytest.mark.browser
def test_learner_queries_find_the_page_first(search_page):
    """Asserts that for at least 95 % of the learner table the right page is the first result."""
    page, _ = search_page
    for query, expected, _ in LEARNER_TABLE:
        if query not in RANKS:  # run alone: measure the table here
            hrefs, LATENCIES[query] = search(page, query)
            RANKS[query] = rank(hrefs, expected, exact=True)
    first = [q for q, _, _ in LEARNER_TABLE if RANKS[q] == 1]
    others = {q: RANKS[q] for q, _, _ in LEARNER_TABLE if RANKS[q] != 1}
    print(f"\nlearner table: first {len(first)}/{len(LEARNER_TABLE)}, not first: {others}")
    assert len(first) >= LEARNER_FIRST * len(LEARNER_TABLE), others


@pytest.mark.browser
def test_search_latency_p95(search_page):
    """Asserts that the 95th percentile time from keyup to rendered results, over both query tables, is under
    50 ms.

    A query over the budget is typed again, up to RETRIES times, and keeps its best time: another process taking
    the CPU for a moment (a busy CI runner, a parallel build) slows one try, while a slow search is slow on every
    try."""
    page, _ = search_page
    for query in [q for q, _ in SEARCH_TABLE] + [q for q, _, _ in LEARNER_TABLE]:
        if query not in LATENCIES:  # run alone: measure here
            LATENCIES[query] = search(page, query)[1]
        for _ in range(LATENCY_RETRIES):
            if LATENCIES[query] < LATENCY_P95_MS:
                break
            LATENCIES[query] = min(LATENCIES[query], search(page, query)[1])
    latencies = sorted(LATENCIES.values())
    p95 = latencies[round(0.95 * len(latencies)) - 1]
    print(f"\nsearch latency over {len(latencies)} queries: p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
    assert all(t > 0 for t in latencies), latencies
    assert p95 < LATENCY_P95_MS, f"p95 {p95:.1f} ms: {[round(t, 1) for t in latencies]}"


@pytest.mark.browser
def test_query_hook_sees_materials_queries(search_page):
    """Asserts that Material still sends each search query to its worker through Worker.prototype.postMessage as
    {type: 2, data}, where docs/assets/javascripts/search-korean.js rewrites it: after a search the hook has counted
    the query, the worker got the rewritten one, and only the rewrite finds the page."""
    page, _ = search_page
    before = page.evaluate("() => window.kbSearchKorean ? window.kbSearchKorean.seen.queries : null")
    assert before is not None, "docs/assets/javascripts/search-korean.js did not load (mkdocs.yml extra_javascript)"
    hrefs, _ = search(page, "git restore --staged을")
    seen = page.evaluate("() => window.kbSearchKorean.seen")
    assert seen["queries"] > before and seen["last"] == "git restore staged", (
        "Material's search no longer sends queries to its worker through Worker.prototype.postMessage as "
        f"{{type: 2, data: '...'}} (the hook saw {seen}): particles (커밋은), flags (--staged) and hyphenated names "
        "(GPT-3) are no longer rewritten. Find where Material 9's search now posts queries and hook there."
    )
    assert rank(hrefs, "git/branching/", exact=True) == 1, hrefs[:5]


# Material's own search worker in a worker of ours, which records the word list lunr builds its token set from and
# compares it with what the token set gives back (kbtools/search.py, "lunr's token set", says why it may not).
TOKEN_SET_CHECK = """async () => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base + "/", location.href);
  const worker = new URL(config.search, base).href;
  const index = await (await fetch(new URL("search/search_index.json", base))).json();
  const source = `importScripts(${JSON.stringify(worker)});
    const fromArray = lunr.TokenSet.fromArray;
    let words = [], set = null;
    lunr.TokenSet.fromArray = function (array) {
      words = array.slice();
      return (set = fromArray.call(this, array));
    };
    const post = self.postMessage.bind(self);
    self.postMessage = message => {
      if (message && message.type === 1) {  // Material's READY: the index is built
        const back = new Set(set.toArray()), sent = new Set(words);
        post({words, lost: words.filter(w => !back.has(w)), made: [...back].filter(w => !sent.has(w))});
      }
    };`;
  const check = new Worker(URL.createObjectURL(new Blob([source], {type: "text/javascript"})));
  const result = new Promise((resolve, reject) => { check.onmessage = e => resolve(e.data); check.onerror = reject; });
  check.postMessage({type: 0, data: {...index, options: {suggest: false}}});
  try { return await result; } finally { check.terminate(); }
}"""


@pytest.mark.browser
def test_every_index_word_survives_lunrs_token_set(search_page, built_site: Path):
    """Asserts that lunr's token set, built by Material's own search worker from the built index, gives back exactly
    the index's words (none lost, none made up by a wrong merge), and that kbtools/search.py's replay of Material's
    tokenizer finds exactly the worker's words."""
    page, _ = search_page
    found = page.evaluate(TOKEN_SET_CHECK)
    assert len(found["words"]) > 1000, found["words"]
    assert not found["lost"] and not found["made"], (
        f"lunr's token set lost {found['lost'][:10]} and made up {found['made'][:10]}: queries through those words "
        "fail with 'Invalid query'. kbtools/search.py avoid_token_set_collisions() should have prevented it."
    )
    replayed = kbsearch.index_words(_index(built_site))
    assert replayed == set(found["words"]), (sorted(replayed - set(found["words"]))[:10],
                                             sorted(set(found["words"]) - replayed)[:10])


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("트랜스포머가 뭐야", "트랜스포머 뭐야"), ("git restore --staged", "git restore staged"),
        ("git switch -c exp", "git switch  exp"), ("GPT-3을", "GPT3"), ("DALL-E", "DALLE"),
        ("시퀀스-투-시퀀스", "시퀀스투시퀀스"), ("2021-08-12", "2021-08-12"), ("nn.LSTM은", "nn.LSTM"),
        ("-exp", "-exp"),
    ],
)
def test_query_rewrite(search_page, query, sent):
    """Asserts what the query hook sends for particles, flags, hyphenated names, a date and an exclusion."""
    page, _ = search_page
    assert page.evaluate("q => window.kbSearchKorean.transformQuery(q)", query) == sent


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("트랜스포머가", "트랜스포머"), ("마스킹을", "마스킹"), ("어텐션은", "어텐션"), ("커밋은", "커밋"),
        ("병합하면", "병합"), ("트랜스포머에서는", "트랜스포머"), ("LSTM은", "LSTM"), ("nn.LSTM을", "nn.LSTM"),
        ("차이", "차이"), ("자기회귀", "자기회귀"), ("torch", "torch"), ("오피스아워", "오피스아워"), ("가", "가"),
    ],
)
def test_strip_korean(word, stem):
    """Asserts that one trailing particle or ending is stripped, and that short or particle-free words stay."""
    assert kbsearch.strip_korean(word) == stem


def test_query_rules_match_the_build():
    """Asserts that the browser's suffix list and minimum stem equal kbtools/search.py's."""
    js = (ROOT / "docs/assets/javascripts/search-korean.js").read_text(encoding="utf-8")
    listed = re.search(r"const SUFFIXES = \[(.*?)\];", js, re.S).group(1)
    assert tuple(re.findall(r'"([^"]+)"', listed)) == kbsearch.SUFFIXES
    assert f"const MIN_STEM = {kbsearch.MIN_STEM};" in js


def test_index_parts():
    """Asserts what the kb field gets from a text: hyphenated names joined (not dates), two nouns written apart
    joined when both are words of the site, compound parts; and what kw gets from a term's spellings."""
    assert kbsearch.joined_names("GPT-3 같은 DALL-E를 2021-08-12, pre-norm, nn.LSTM") == {"gpt3", "dalle", "prenorm"}
    assert kbsearch.noun_pairs("시간 여행으로 간다. 버그를 찾는다", {"시간", "여행", "버그"}) == {"시간여행"}
    assert kbsearch.compound_parts({"원격저장소"}, {"저장소"}) == {"저장소"}
    separator = r'[\s\-_,:!=\[\]()"`/]+|\.(?!\d)'
    assert kbsearch.term_tokens(["셀 상태", "cell state", "GPT-3"], separator) == [
        "셀", "상태", "셀상태", "cell", "state", "gpt", "gpt3"
    ]


def test_glossary_rows_link_their_page():
    """Asserts that every glossary row links the page that explains the term, and that a row of parallel lists
    (리셋 게이트 / 업데이트 게이트) gives each name on its own."""
    terms = kbsearch.glossary(ROOT / "docs")
    table = (ROOT / "docs" / kbsearch.GLOSSARY).read_text(encoding="utf-8").split("## 용어집", 1)[1]
    rows = re.findall(r"^\| (?!한국어)([^|]+?) \|", table, re.M)
    assert len(rows) >= 30 and set(rows) == set(terms), sorted(set(rows) ^ set(terms))
    assert terms["셀 상태"] == kbsearch.Term(("셀 상태", "cell state"), ("lecture/lstm/",))
    gates = terms["리셋 게이트 / 업데이트 게이트"]
    assert {"업데이트 게이트", "update gate", "reset gate"} <= set(gates.spellings) and gates.pages == ("lecture/gru/",)
    assert {"LSTM", "long short-term memory"} <= set(terms["장단기 메모리"].spellings)


def _index(site: Path) -> dict:
    return json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))


def test_terms_point_at_pages(built_site: Path):
    """Asserts that every variant in kbtools/search_terms.yml names a glossary term, and that every page the glossary
    and that file point at is a page of the built site, whose search entry then holds the term's words."""
    data = yaml.safe_load(kbsearch.TERMS_FILE.read_text(encoding="utf-8"))
    glossary = kbsearch.glossary(ROOT / "docs")
    assert set(data["variants"]) <= set(glossary), set(data["variants"]) - set(glossary)
    entries = {doc["location"]: doc for doc in _index(built_site)["docs"]}
    separator = _index(built_site)["config"]["separator"]
    for term in kbsearch.load_terms(ROOT / "docs"):
        for page in term.pages:
            assert page in entries, f"{term.spellings[0]!r} points at {page!r}, not a page of the site"
            words = set(entries[page][kbsearch.TERMS].split())
            assert set(kbsearch.term_tokens(term.spellings, separator)) <= words, (page, term.spellings)


def test_learner_table_is_written_not_copied(built_site: Path):
    """Asserts that the learner table has at least 100 queries of six kinds, each pointing at a page of the site,
    and that no query is a page's title or heading."""
    index = _index(built_site)
    pages = {doc["location"] for doc in index["docs"] if "#" not in doc["location"]}
    norm = lambda s: re.sub(r"[\W_]+", "", re.sub(r"<[^>]+>", "", s).lower())  # noqa: E731
    # every title and heading a writer wrote (not the tags page's, which are the tag names: 기울기 소실, ViT)
    headings = {norm(doc["title"]) for doc in index["docs"] if "#tag:" not in doc["location"]}
    kinds = {kind for _, _, kind in LEARNER_TABLE}
    assert len(LEARNER_TABLE) >= 100 and len(kinds) >= 6, (len(LEARNER_TABLE), kinds)
    assert not [q for q, page, _ in LEARNER_TABLE if page not in pages], "a query points at no page"
    assert not [q for q, _, _ in LEARNER_TABLE if norm(q) in headings], "a query copies a title or heading"


def test_index_fields(built_site: Path, tmp_path: Path):
    """Asserts that the built index declares kw and kb with their boosts, that the defining pages hold their
    terms (LSTM: cell state; office hours: 케글, gpt3; ViT: dalle), and that rewriting it again changes nothing."""
    index = _index(built_site)
    assert index["config"]["fields"][kbsearch.TERMS] == {"boost": 1000} and index["config"]["fields"][
        kbsearch.PARTS
    ] == {"boost": 1}
    entries = {doc["location"]: doc for doc in index["docs"]}
    assert {"cell", "state", "셀상태"} <= set(entries["lecture/lstm/"][kbsearch.TERMS].split())
    assert {"케글", "gpt3"} <= set(entries["office-hours/"][kbsearch.TERMS].split())
    assert "dalle" in entries["lecture/vit/#곁가지-dall-e-글에서-그림으로"][kbsearch.PARTS].split()
    assert "회귀" in {p for doc in index["docs"] for p in doc.get(kbsearch.PARTS, "").split()}  # 자기회귀
    copy = tmp_path / "search_index.json"
    shutil.copy(built_site / "search/search_index.json", copy)
    kbsearch.rewrite_index(copy, kbsearch.load_terms(ROOT / "docs"))
    assert json.loads(copy.read_text(encoding="utf-8")) == index


def test_index_grows_little(built_site: Path):
    """Asserts that what kbtools/search.py adds makes the gzipped index, as served, at most 30 % larger."""
    index = _index(built_site)
    full = len(gzip.compress(json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode(), 6))
    for doc in index["docs"]:
        for field in kbsearch.FIELDS:
            doc.pop(field, None)
    bare = len(gzip.compress(json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode(), 6))
    print(f"\nsearch index gzipped: {bare} bytes as Material writes it, {full} with kb and kw ({full / bare:.2f}x)")
    assert full <= GROWTH * bare, (bare, full)


# 255 words on which lunr 2.3's TokenSet.fromArray merges two different nodes (it loses fe94673 and makes up fe946
# and fe948); without the first word it does not. Found by a random search, checked against Material's lunr.
COLLIDING = re.findall(r"\S+", """
000665 0048 006db3 006e 00733 007e 00ce91 00e 010028a 01073 012 013 01437 015d8d 017b03 0194c7 01a4d4 01e3858
020 02359 025 027a 028dd94 02aa42 02ca2c 02caf7 02e5 02fb8b2 0311 03339e 035af37 036 037a764 038a7 03be 03d
03f9b7 04067f 04121 0445 045 0462cf3 04664ca 04e 04f 051af9 052 053a88 055 057a53b 057df60 058cf3 05ada 05c3
05cc 05e0a01 05eadb 062 064e 065c 0670bf0 069 06c0bc1 06e2b1 06f49 07019 072dc 073af 073f9b 074 075744 07984
07accf6 07d1 080 081d76d 08318b 0836 084 0865738 0883 088ac 089 08b37b 08bf5e 08d5768 08edc 091 0948ac1 094eb
095bb 095ebf 096f0f9 0992 09a168 09cfab 09eb4d5 0a02 0a08 0a2 0a332df 0a5b4f 0a628e 0a70 0a81 0a96d3 0aa87c8
0acc7 0af1 0b2d 0b372 0b4a739 0b50b8 0b6f 0b8f 0b99e 0b9ee 0bd77c 0bf630 0c0a52 0c44 0c6 0c78d 0c7ad 0c7c882
0c95 0cc124 0d22 0d43 0d8245 0d8ae0 0d8f 0d9 0da09 0dbd 0dbf 0df4423 0df98f 0e21153 0e7b 0e8e6f 0eae9f 0eb3d63
0eb658d 0ed7 0ede 0f0446 0f2 0f54e0 0f83e8 0f8c 0f9 0fb2ed 0fd7 0fefba3 0ff6661 0ffc756 101d 101e4d 102f 1034ef
104e 10674 106be 10a 10e73b 111ec 1128 116f01 1199add 119d2d 11a1f2 11ae 11b2ac 11bf1a1 11c6a 11d 11f 1213d9
12154 1223 123e7 1246e1 12dd7d 13043c 1317 1319c4 132 1341293 135a 136 13738 13877f 1399a 13c88f 13df336 13e8b0
140 142ee1f 1439 143c500 144720 1448a 1450f9 145197 1467 14701d 14766 1480ff 149 14aa 1501817 1504 151a5e2 153
1551d56 156631 15ae8 15b 15c40db 15eaf09 15ec 15f4 160dc 16107 1615c77 1616c07 1617 168e05 16be88 16cf5 172381a
173a955 174f9 176 17a 17a73 17b19e5 17f274 17f54 18308a 18711b5 188 189 18a54af 18c1a2 18d0e42 190fa1 1927c 1939
195b38 1975 1a2773 39e6 39e8 fe94673
""")


def test_token_set_replay_finds_lunrs_wrong_merge():
    """Asserts that the replay of lunr's token set builder finds the wrong merge in COLLIDING and none without its
    first word, and that a filler word in the index makes it go away."""
    assert kbsearch.token_set_collisions(set(COLLIDING)) == 1
    assert kbsearch.token_set_collisions(set(COLLIDING[1:])) == 0
    index = {
        "config": {"separator": r"[\s]+", "fields": {"title": {}, "text": {}, "kb": {}}},
        "docs": [{"location": "", "title": "t", "text": " ".join(COLLIDING)}],
    }
    assert kbsearch.avoid_token_set_collisions(index) >= 1
    assert kbsearch.index_words(index) >= set(COLLIDING) | {"0kb1"}
    assert kbsearch.token_set_collisions(kbsearch.index_words(index)) == 0


def test_material_words_replay():
    """Asserts that the replay of Material's tokenizer keeps only text between tags, splits with JavaScript's \\s
    and \\b (ASCII word characters: no camel-case split after a Korean syllable) and lowercases."""
    separator = kbsearch.js_regex(r"[\s\-]+|(?!\b)(?=[A-Z][a-z])")
    assert list(kbsearch.material_words("<p>GRUCell과 가Transformer</p> <code>a-b</code>\ufeffX", separator)) == [
        "gru", "cell과", "가transformer", "a", "b", "x"
    ]


def test_rewrite_index_without_glossary(tmp_path: Path):
    """Asserts that a site without the glossary or the pages of kbtools/search_terms.yml (a test's mini site) gets
    its index rewritten all the same, and that a missing field declaration fails loudly."""
    index = {
        "config": {"separator": r"[\s\-]+", "fields": {"title": {}, "text": {}, "kb": {}, "kw": {}}},
        "docs": [
            {"location": "a/", "title": "원격저장소", "text": "<p>원격저장소와 저장소, 저장소의 GPT-3</p>"},
            {"location": "a/#x", "title": "시간 여행", "text": "<p>시간 여행은 <code>git add</code></p>"},
        ],
    }
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps(index), encoding="utf-8")
    kbsearch.rewrite_index(path, kbsearch.load_terms(tmp_path))
    docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
    assert set(docs[0]["kb"].split()) >= {"gpt3", "add", "시간", "여행"} and "kw" not in docs[0]
    del index["config"]["fields"]["kw"]
    path.write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(ValueError, match="search: fields"):
        kbsearch.rewrite_index(path, [])


# ── Reading list and its BibTeX file ─────────────────────────────────────────────────────────────────────────
READING_LIST = ROOT / "docs/reference/reading-list.md"
BIBTEX = ROOT / "docs/reference/papers.bib"
def page_citations() -> dict[str, str]:
    """The reading list's entries: BibTeX key -> the entry's text (a list item starting with `key`:)."""
    items = re.split(r"\n(?=- `)", READING_LIST.read_text(encoding="utf-8"))
    return {m.group(1): item for item in items if (m := re.match(r"- `(\w+)`:", item))}


def test_bibtex_parses_and_matches_the_reading_list():
    """Asserts that papers.bib parses, and that every paper on the reading list has an entry with the same key,
    year and identifier, with author, title and venue filled in."""
    entries = bib.parse(BIBTEX.read_text(encoding="utf-8"))
    cited = page_citations()
    assert len(cited) >= 11 and set(cited) == set(entries), (sorted(cited), sorted(entries))
    for key, item in cited.items():
        entry = entries[key]
        assert entry["author"] and entry["title"] and (entry.get("journal") or entry.get("booktitle")), key
        assert entry["year"] in item, (key, entry["year"])
        identifier = f"doi:{entry['doi']}" if "doi" in entry else f"arXiv:{entry['eprint']}"
        assert identifier in item, (key, identifier)


def test_bibtex_parser_rejects_broken_files():
    """Asserts that the BibTeX parser (kbtools/bib.py) fails on a missing brace and on a duplicate key."""
    good = "@article{a1,\n  title = {T},\n  year = {1990}\n}\n"
    assert bib.parse(good) == {"a1": {"type": "article", "title": "T", "year": "1990"}}
    for broken in (good.replace("{T}", "{T"), good + good):
        with pytest.raises(ValueError):
            bib.parse(broken)


def test_reading_list_identifiers_agree_with_the_pages():
    """Asserts that every DOI or arXiv number on the reading list, where another page cites the same paper by
    year and first author, is the one that page uses."""
    cited = page_citations()
    others = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md") if p != READING_LIST)
    for key, item in cited.items():
        identifier = re.search(r"\[((?:doi|arXiv):[^\]]+)\]", item).group(1)
        assert identifier in others, f"{key}: {identifier} is cited nowhere else"


def test_reading_list_links_the_bibtex_file(built_site: Path):
    """Asserts that the built reading list links papers.bib for download and that the file is published."""
    html = (built_site / "reference/reading-list/index.html").read_text(encoding="utf-8")
    link = re.search(r'<a download="papers.bib" href="([^"]+)"', html)
    assert link, "no download link to papers.bib"
    published = (built_site / "reference/reading-list" / link.group(1)).resolve()
    assert published.read_bytes() == BIBTEX.read_bytes()


# ── Glossary tooltips ────────────────────────────────────────────────────────────────────────────────────────
ABBREVIATIONS = ROOT / "includes/abbreviations.md"


def glossary() -> dict[str, str]:
    """Abbreviation -> "한국어(english)" from the glossary table's rows whose English ends in "(ABBR)"."""
    text = (ROOT / "docs/reference/conventions.md").read_text(encoding="utf-8").split("## 용어집", 1)[1]
    pairs = {}
    for korean, english in re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", text, re.M):
        if m := re.fullmatch(r"(.+?) \(([A-Z][A-Za-z]+)\)", english):
            pairs[m.group(2)] = f"{korean}({m.group(1)})"
    return pairs


def abbreviations() -> dict[str, str]:
    lines = ABBREVIATIONS.read_text(encoding="utf-8").splitlines()
    found = dict(re.fullmatch(r"\*\[([^\]]+)\]: (.+)", line).groups() for line in lines if line.strip())
    assert len(found) == len([line for line in lines if line.strip()])
    return found


def test_abbreviations_agree_with_the_glossary():
    """Asserts that every glossary abbreviation (RNN, BPTT, LSTM, GRU) has a tooltip, worded as the glossary's
    Korean term with its English in parentheses."""
    pairs, tips = glossary(), abbreviations()
    assert {"RNN", "BPTT", "LSTM", "GRU"} <= set(pairs), pairs
    for abbr, wording in pairs.items():
        assert tips.get(abbr) == wording, (abbr, tips.get(abbr), wording)


def test_abbreviations_render_as_tooltips(built_site: Path):
    """Asserts that a built page carries the glossary as <abbr title> (Material's content.tooltips shows them),
    outside code, and that the include itself is not published as a page."""
    html = (built_site / "lecture/rnn/index.html").read_text(encoding="utf-8")
    assert '<abbr title="순환 신경망(recurrent neural network)">RNN</abbr>' in html
    assert '<abbr title="시간 역전파(backpropagation through time)">BPTT</abbr>' in html
    assert not re.search(r"<code[^>]*>[^<]*<abbr", html)
    assert "*[RNN]" not in html
    assert not (built_site / "includes").exists()
