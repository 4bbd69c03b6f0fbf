"""Claims (kbtools/claims.py): each statement a page marks as a claim is proven by a check that can fail, or cited.

The first tests plant each mistake in a page and read it as the build does; one builds a small site strictly and
shows that the build fails on all three kinds of unproven claim, naming page and line. The last ones read the
built site: every claim's badge reaches its check, every check links back, and the index lists every claim.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import VALID_FRONT_MATTER, build_mini

from kbtools import bib, claims
from kbtools.fences import Fence, find_fences

REFERENCES = {key: bib.reference(key, entry) for key, entry in bib.load().items()}


def read(page: str) -> claims.PageClaims:
    return claims.read_page(textwrap.dedent(page), "docs/p.md", REFERENCES)


def one_problem(page: str) -> str:
    found = read(page).problems
    assert len(found) == 1, found
    return found[0]


CHECKED = '''\
# p

!!! claim "sum"
    Two and two make four.

```python exec="on" source="above" check="sum"
assert 2 + 2 == 4
```
'''


def test_a_checked_claim_and_a_cited_claim_have_no_problem():
    page = read(CHECKED + "\n!!! claim\n    Elman proposed it [@elman1990].\n")
    assert page.problems == []
    first, second = page.claims
    assert (first.line, first.number, first.checks, first.citations) == (3, 1, ["sum"], [])
    assert (second.line, second.number, second.checks, second.citations) == (10, 2, [], ["elman1990"])
    assert page.checks["sum"].claims == [1] and page.checks["sum"].fence.line == 6


def test_a_block_inside_a_claim_is_its_check():
    page = read('!!! claim\n    It holds.\n\n    ```python exec="on" source="above"\n    assert True\n    ```\n')
    assert page.problems == [] and page.claims[0].checks == ["claim-1"]
    assert page.claims[0].text == "It holds."


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("!!! claim\n    Unproven.\n", "docs/p.md:1: a claim with neither a check nor a citation"),
        ("!!! claim\n    Cited [@nobody1999].\n", "docs/p.md:2: citation [@nobody1999]: papers.bib has no entry"),
        (CHECKED.replace("assert 2 + 2 == 4", "print(2 + 2)"), 'docs/p.md:6: check "sum" cannot fail'),
        (CHECKED.replace('check="sum"', 'check="other"'), 'docs/p.md:3: the claim names check "sum", but no block'),
        (CHECKED.replace(' source="above"', ""), 'docs/p.md:6: a check shows its code'),
        (CHECKED.replace('exec="on" ', ""), 'docs/p.md:6: a check shows that it ran'),
        (CHECKED.replace("!!! claim", "??? claim"), "docs/p.md:3: a claim is never folded away"),
        (CHECKED.replace('"sum"\n    Two', '"sum"\n\nTwo'), "docs/p.md:3: the claim is empty"),
        ('!!! claim\n    Cited [@elman1990].\n\n```python exec="on" source="above" check="lonely"\nassert 1\n```\n',
         'docs/p.md:4: check="lonely" proves nothing'),
    ],
    ids=["unproven", "unknown-key", "cannot-fail", "missing-check", "no-source", "not-executed",
         "folded", "empty", "unnamed-check"],
)
def test_each_mistake_is_reported_with_page_and_line(page, message):
    found = read(page).problems
    assert any(problem.startswith(message) for problem in found), found


def test_two_checks_with_one_name_are_reported():
    twice = CHECKED + '\n```python exec="on" source="above" check="sum"\nassert 1\n```\n'
    assert 'docs/p.md:10: check="sum" is also the name of the block at line 6' in one_problem(twice)


def test_a_citation_inside_code_is_left_alone():
    page = "!!! claim\n    Cited [@elman1990], written `[@nobody]`.\n\n```text\n[@nobody]\n```\n"
    assert read(page).problems == []
    rendered = claims.render_citations(page, "docs/p.md", REFERENCES)
    assert "`[@nobody]`" in rendered and "\n[@nobody]\n" in rendered
    assert '<a class="kb-cite" href="https://doi.org/10.1207/s15516709cog1402_1"' in rendered
    assert "(Elman, 1990)</a>" in rendered


# ── can_fail: decided from the code ─────────────────────────────────────────────────────────────────────────
def fence(language: str, code: str, **options: str) -> Fence:
    info = " ".join([language, *(f'{k}="{v}"' for k, v in options.items())])
    return find_fences(f"```{info}\n{code}\n```\n", "docs/p.md")[0]


@pytest.mark.parametrize(
    ("language", "code", "options", "fails"),
    [
        ("python", "assert x > 0", {}, True),
        ("python", "raise SystemExit('no')", {}, True),
        ("python", "import torch\ntorch.testing.assert_close(a, b)", {}, True),
        ("python", "import pytest\nwith pytest.raises(ValueError):\n    f()", {}, True),
        ("python", "import sys\nsys.exit(1)", {}, True),
        ("python", "import sys\nsys.exit(0)", {}, False),
        ("python", "print(1 + 1)", {}, False),
        ("python", "try:\n    assert x\nexcept AssertionError:\n    print('no')", {}, False),
        ("python", "try:\n    f()\nexcept KeyError:\n    raise", {}, True),
        ("pycon", ">>> assert 1 + 1 == 2", {}, True),
        ("pycon", ">>> 1 + 1\n2", {}, False),
        ("bash", 'test "$(git rev-parse HEAD)" = "$x"', {}, True),
        ("bash", "if grep -q bad f; then exit 1; fi", {}, True),
        ("bash", "[ -e notes.txt ]", {}, True),
        ("bash", "git diff --exit-code", {}, True),
        ("bash", "git merge exp", {"returncode": "1"}, True),
        ("bash", "git log --oneline\necho tested", {}, False),
        ("console", "$ test -e x", {}, True),
        ("console", "$ ls\nx", {}, False),
    ],
)
def test_can_fail(language, code, options, fails):
    block = fence(language, code, **options)
    assert (claims.can_fail(block, block.code) == "") is fails


def test_a_project_function_that_asserts_counts_and_one_that_does_not_does_not(tmp_path, monkeypatch):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets/planted.py").write_text(
        "def strict(x):\n    assert x > 0\n    return x\n\n"
        "def lenient(x):\n    try:\n        assert x > 0\n    except AssertionError:\n        return 0\n    return x\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(claims, "ROOT", tmp_path)
    claims._project_function.cache_clear()
    try:
        for name, fails in (("strict", True), ("lenient", False)):
            block = fence("python", f"from snippets.planted import {name}\n{name}(3)")
            assert (claims.can_fail(block, block.code) == "") is fails, name
    finally:
        claims._project_function.cache_clear()


# ── The strict build fails on each kind of unproven claim ────────────────────────────────────────────────────
def test_the_build_fails_on_each_kind_of_unproven_claim(tmp_path):
    """Asserts that a strict build fails on a claim with no check or citation, on a check that cannot fail and on
    an unknown citation key, naming page and line for each, and that a sound claim on the same page is no error."""
    page = CHECKED + textwrap.dedent('''
        !!! claim
            Unproven.

        !!! claim "weak"
            Weakly checked.

        ```python exec="on" source="above" check="weak"
        print(3)
        ```

        !!! claim
            Cited wrongly [@nobody2020].
    ''')
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0
    lines = (VALID_FRONT_MATTER + page).split("\n")  # the page as build_mini writes it

    def line_of(text: str) -> int:
        return next(number for number, line in enumerate(lines, start=1) if text in line)

    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    for line, message in ((line_of("Unproven.") - 1, "a claim with neither a check nor a citation"),
                          (line_of('check="weak"'), 'check "weak" cannot fail'),
                          (line_of("Cited wrongly"), "citation [@nobody2020]")):
        assert any(f"docs/index.md:{line}: {message}" in error for error in errors), errors
    assert len(errors) == 3, errors  # the sound claim ("sum") is no error


# ── The built site ───────────────────────────────────────────────────────────────────────────────────────────
def _articles(site: Path):
    for path in sorted(site.rglob("index.html")):
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if article is not None:
            yield path, article


def _anchored(article, block) -> str:
    """The id a claim or check is reached by: on its first line, the badges or the claims it proves
    (kbtools/claims.py), never on the block itself."""
    first = block.select_one(":scope > .kb-claim__badges, :scope > .kb-check__claims")
    assert first is not None and first.get("id") == block["data-anchor"] and not block.get("id"), str(block)[:300]
    return first["id"]


def test_every_claim_badge_reaches_its_check_and_every_check_links_back(built_site: Path):
    found = 0
    for path, article in _articles(built_site):
        checks = {_anchored(article, check): check for check in article.select(".kb-check")}
        for claim in article.select(".kb-claim"):
            found += 1
            anchor = _anchored(article, claim)
            badges = claim.select(":scope > .kb-claim__badges .kb-claim__badge")
            assert badges, f"{path}: claim {anchor} has no badge"
            assert all(badge.get_text(strip=True) for badge in badges), "a badge without a text label"
            for badge in badges:
                if badge.name == "a":
                    target = badge["href"].removeprefix("#")
                    assert target in checks, f"{path}: {anchor} links to missing #{target}"
                    back = [a["href"] for a in checks[target].select(".kb-check__claims a")]
                    assert f"#{anchor}" in back, f"{path}: #{target} does not link back to {anchor}"
            if claim.select(".kb-claim__badge--cited"):
                assert claim.select("a.kb-cite"), f"{path}: {anchor} is marked cited but shows no reference"
        for anchor, check in checks.items():
            assert check.select(".kb-check__claims a"), f"{path}: check {anchor} names no claim"
        # Material's script names each code block `__code_<id of its nearest ancestor with an id>`: two blocks
        # under one such ancestor would share an id, and a copy button would copy the wrong one.
        owners = [pre.find_parent(id=True) for pre in article.select(".kb-claim pre, .kb-check pre")]
        owner_ids = [owner["id"] for owner in owners if owner is not None and article in owner.parents]
        assert len(owner_ids) == len(set(owner_ids)), f"{path}: code blocks under one id: {owner_ids}"
    assert found >= 20, f"only {found} claims on the whole site"


def test_the_claims_index_lists_every_claim_of_the_site(built_site: Path):
    on_pages = set()
    for path, article in _articles(built_site):
        page = path.parent.relative_to(built_site).as_posix()
        on_pages |= {(page, _anchored(article, claim)) for claim in article.select(".kb-claim")}
    index = built_site / claims.PAGE.removesuffix(".md") / "index.html"
    article = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser").select_one("article")
    listed = set()
    for link in article.select("li > a[href*='#claim-']"):
        target = (index.parent / link["href"]).resolve()
        page, anchor = link["href"].split("#")
        listed.add(((index.parent / page).resolve().relative_to(built_site.resolve()).as_posix(), anchor))
        assert target.parent.is_dir(), link["href"]
    assert listed == on_pages, {"not listed": sorted(on_pages - listed), "not on a page": sorted(listed - on_pages)}
