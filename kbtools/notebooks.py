"""Repairs for pages that mkdocs-jupyter 0.26.3 renders from notebooks.

- Headings: nbconvert drops Korean letters from heading ids ("정리" gets an empty id) and the
  toc it builds keeps the "¶" permalink sign in titles. The search plugin then indexes a second
  entry at the page's own location, and Material's search fails ("Invalid query") for every word of
  the notebook. Ids are remade with the same slugify as Markdown pages and the toc from them.
- Scripts: nbconvert's template carries a Mermaid loader pointing at a CDN; the site asks no host
  but its own, so it is removed (diagrams belong in Markdown pages).
- Printed output: the kernel sends stdout in chunks as its flush timer fires, so a cell that prints,
  computes for a while and prints again is stored as one or several outputs depending on timing; two
  builds then differ. Adjacent stdout outputs of a cell are merged into one, as the reader sees them.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from mkdocs.structure.toc import get_toc
from pymdownx.slugs import slugify

_slugify = slugify(case="lower")
PERMALINK = "¶"


def fix_notebook_html(html: str) -> tuple[str, list[dict]]:
    """Return the page HTML with readable unique heading ids, and toc tokens built from them."""
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        if "cdnjs.cloudflare.com" in (script.string or ""):
            script.decompose()
    _merge_adjacent_stdout(soup)
    used: set[str] = set()
    tokens: list[dict] = []
    stack: list[dict] = []
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        for anchor in heading.find_all("a", class_="anchor-link"):
            anchor.decompose()
        name = heading.get_text().replace(PERMALINK, "").strip()
        base = _slugify(name, "-") or "section"
        slug, n = base, 1
        while slug in used:
            slug, n = f"{base}_{n}", n + 1
        used.add(slug)
        heading["id"] = slug
        permalink = soup.new_tag("a", href=f"#{slug}", attrs={"class": "headerlink", "title": "Permanent link"})
        permalink.string = PERMALINK
        heading.append(permalink)
        level = int(heading.name[1])
        token = {"level": level, "id": slug, "name": name, "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(token)
        stack.append(token)
    return str(soup), tokens


def _stdout_pre(child):
    """The <pre> of an output that is plain printed stdout (not a result, not stderr), else None."""
    if child.get("class") != ["jp-OutputArea-child"]:
        return None
    rendered = child.find("div", class_="jp-RenderedText", recursive=False)
    if rendered is None or rendered.get("data-mime-type") != "text/plain":
        return None
    return rendered.find("pre", recursive=False)


def _merge_adjacent_stdout(soup: BeautifulSoup) -> None:
    for area in soup.find_all("div", class_="jp-OutputArea"):
        previous = None
        for child in area.find_all("div", class_="jp-OutputArea-child", recursive=False):
            pre = _stdout_pre(child)
            if pre is not None and previous is not None:
                for node in list(pre.contents):
                    previous.append(node.extract())
                child.decompose()
            else:
                previous = pre


def repair_page(html: str, page) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html, tokens = fix_notebook_html(html)
    page.toc = get_toc(tokens)
    return html
