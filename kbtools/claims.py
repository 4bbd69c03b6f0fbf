"""Claims: the statements a page makes, each proven by an executed check or cited from papers.bib.

A writer marks a claim as an admonition of type `claim`. Its title names the checks that prove it:

    !!! claim "ratios"
        Under PyTorch's default initialisation the gradient 50 steps back is below 1e-10 of the last step's.

    ```python exec="on" check="ratios"
    assert ratio < 1e-10
    ```

A check is an executed block (`exec="on"`, so the reader sees it run) with `check="name"`, anywhere on the page;
one check may prove several claims. A block inside the claim itself is a check of that claim without a name.
A claim may instead, or as well, cite an entry of `docs/reference/papers.bib` as `[@key]`.

The build fails, naming the page and line, on a claim with neither a check nor a citation, a check that cannot fail
(decided from its code: see `can_fail`), a citation key that papers.bib lacks, and a check no claim names. Pages
render each claim with a text badge linking to its check, and each check with links back to its claims.
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kbtools import bib
from kbtools.fences import BlockError, Fence, expand_includes, find_fences
from kbtools.settings import ROOT

OPENING = re.compile(r'^(?P<indent>[ \t]*)(?P<marker>!!!|\?\?\?\+?) claim(?: +"(?P<names>[^"]*)")?[ \t]*$')
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# `[@key]` outside inline code; a code span is matched first so that it is left as it is.
CITATION = re.compile(r"(?P<code>`+[^`]*`+)|\[@(?P<key>[^\]\s]+)\]")
PAGE = "reference/claims.md"  # the generated index (참고 → 검증된 주장); listed in nav
TITLE = "검증된 주장"


@dataclass
class Claim:
    path: str  # docs/x.md
    line: int  # the `!!! claim` line, as the page is written
    end: int  # its last body line
    number: int  # 1-based on its page: the anchor is `claim-N`
    indent: str
    body: list[str]  # the statement's lines, dedented; a check written inside it included
    checks: list[str] = field(default_factory=list)  # names of the checks that prove it
    citations: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"claim-{self.number}"

    @property
    def text(self) -> str:
        """The statement without the checks written inside it (for the index and link titles)."""
        inside = _without_fences("\n".join(self.body))
        return re.sub(r"\n{3,}", "\n\n", inside).strip()


@dataclass
class Check:
    name: str
    fence: Fence
    claims: list[int] = field(default_factory=list)  # numbers of the claims it proves

    @property
    def anchor(self) -> str:
        return f"check-{self.name}"


@dataclass
class PageClaims:
    path: str
    claims: list[Claim]
    checks: dict[str, Check]
    problems: list[str]


def read_page(text: str, path: str, references: dict[str, bib.Reference]) -> PageClaims:
    """The claims and checks of a page as written (front matter included, so lines are the file's), with every
    problem as `docs/x.md:N: ...`."""
    fences = find_fences(text, path)
    lines = text.split("\n")
    problems: list[str] = []
    claims = _claims(lines, fences, path, problems)
    checks: dict[str, Check] = {}
    for fence in fences:
        name = fence.options.get("check")
        if name is None:
            continue
        if not NAME.match(name):
            problems.append(f'{fence.location}: check="{name}": a check name is lower-case letters, digits and "-"')
        elif name in checks:
            problems.append(f'{fence.location}: check="{name}" is also the name of the block at line '
                            f"{checks[name].fence.line}")
        else:
            checks[name] = Check(name, fence)
    for claim in claims:
        for fence in fences:  # a block written inside the claim is its own check
            if claim.line < fence.line <= claim.end and fence.runs and "check" not in fence.options:
                name = claim.anchor
                checks[name] = Check(name, fence)
                claim.checks.append(name)
        for name in claim.checks:
            if name in checks:
                checks[name].claims.append(claim.number)
            else:
                problems.append(f'{path}:{claim.line}: the claim names check "{name}", but no block on the page '
                                f'has check="{name}"')
        claim.citations = [m["key"] for m in CITATION.finditer(claim.text) if m["key"]]
        if not claim.checks and not claim.citations:
            problems.append(f'{path}:{claim.line}: a claim with neither a check nor a citation: name the block that '
                            f'proves it (!!! claim "name", and check="name" on the block) or cite papers.bib ([@key])')
    for check in checks.values():
        problems.extend(_check_problems(check))
    problems.extend(_citation_problems(lines, fences, path, references))
    return PageClaims(path, claims, checks, problems)


def _claims(lines: list[str], fences: list[Fence], path: str, problems: list[str]) -> list[Claim]:
    claims = []
    in_fence = {line for fence in fences for line in _fence_lines(fence)}
    for i, line in enumerate(lines):
        opening = OPENING.match(line)
        if not opening or i + 1 in in_fence:
            continue
        where = f"{path}:{i + 1}"
        if opening["marker"] != "!!!":
            problems.append(f"{where}: a claim is never folded away: write !!! claim")
        inner = opening["indent"] + "    "
        end = i
        for j in range(i + 1, len(lines)):
            if lines[j].strip() and not lines[j].startswith(inner):
                break
            if lines[j].strip():
                end = j
        body = [text[len(inner):] for text in lines[i + 1 : end + 1]]
        if not any(text.strip() for text in body):
            problems.append(f"{where}: the claim is empty: write its statement indented by four spaces below")
        names = (opening["names"] or "").split()
        for name in names:
            if not NAME.match(name):
                problems.append(f'{where}: check name "{name}": lower-case letters, digits and "-" only')
        claims.append(Claim(path, i + 1, end + 1, len(claims) + 1, opening["indent"], body, names))
    return claims


def _fence_lines(fence: Fence) -> range:
    """The lines (1-based) from a fence's opening to its closing."""
    return range(fence.line, fence.line + fence.code.count("\n") + 3)


def _without_fences(markdown: str) -> str:
    inside = {n for fence in find_fences(markdown, "") for n in _fence_lines(fence)}
    return "\n".join(line for n, line in enumerate(markdown.split("\n"), start=1) if n not in inside)


def _check_problems(check: Check) -> list[str]:
    fence, where = check.fence, check.fence.location
    problems = []
    if not check.claims:
        problems.append(f'{where}: check="{check.name}" proves nothing: no claim on the page names it '
                        f'(!!! claim "{check.name}")')
    if not fence.runs:
        return [*problems, f"{where}: a check must be code that runs (python, bash, ...), not {fence.language!r}"]
    if not fence.shows_output:
        problems.append(f'{where}: a check shows that it ran: write exec="on" on it')
    elif not fence.options.get("source"):
        problems.append(f'{where}: a check shows its code, not only what it printed: write source="above" on it')
    try:
        source = expand_includes(fence)
    except BlockError as error:
        return [*problems, str(error)]
    reason = can_fail(fence, source)
    if reason:
        problems.append(f"{where}: check \"{check.name}\" cannot fail: {reason}")
    return problems


def _citation_problems(lines: list[str], fences: list[Fence], path: str,
                       references: dict[str, bib.Reference]) -> list[str]:
    in_fence = {n for fence in fences for n in _fence_lines(fence)}
    problems = []
    for number, line in enumerate(lines, start=1):
        if number in in_fence:
            continue
        for match in CITATION.finditer(line):
            if match["key"] and match["key"] not in references:
                problems.append(f"{path}:{number}: citation [@{match['key']}]: papers.bib has no entry "
                                f"{match['key']!r} (docs/reference/papers.bib)")
    return problems


# ── Can a check fail? Decided from its code, not by trust ────────────────────────────────────────────────────
_SHELL_TEST = re.compile(
    r"(?:^|[;&|({]\s*|\b(?:then|do|else|if|elif|while|until|!)\s+)(?:test|\[\[?|cmp|diff|false)(?=\s|$)"
    r"|\bgrep\s+(?:-\w*q\w*|--quiet)\b|\bexit\s+[1-9]|--exit-code\b|\bgit\s+diff\s+--quiet\b",
    re.M,
)


def can_fail(fence: Fence, source: str) -> str:
    """"" when the check can fail; otherwise why not.

    Python: an `assert`, a `raise`, a call whose name starts with `assert` (`torch.testing.assert_close`), a
    `pytest.raises`, a non-zero `sys.exit`, or a call to a project function whose own body does one of those;
    what a `try` with handlers would catch does not count. Shell: a test command (`test`, `[`, `cmp`, `diff`,
    `grep -q`, `git diff --exit-code`, `exit N`), or a `returncode` the block must end with."""
    family = fence.language
    if family in ("bash", "sh", "console"):
        if fence.returncode != 0:
            return ""
        code = source if family != "console" else "\n".join(
            line[2:] for line in source.split("\n") if line.startswith("$ "))
        return "" if _SHELL_TEST.search(code) else (
            "it runs no test command (test, [ ], cmp, diff, grep -q, exit N) and expects no returncode")
    if family == "pycon":
        source = "\n".join(line[4:] for line in source.split("\n") if line.startswith((">>> ", "... ")))
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"its code does not parse ({error.msg}, line {error.lineno})"
    if _asserts(tree):
        return ""
    for module, name in _project_calls(tree):
        function = _project_function(module, name)
        if function is not None and _asserts(function):
            return ""
    return ("it has no assert, raise, assert_* call, pytest.raises or sys.exit(1), and calls no project function "
            "that does")


def _asserts(node: ast.AST) -> bool:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Try) and child.handlers:
            # what the try's body raises may be caught: only its handlers, else and finally count
            if any(_asserts(part) for part in child.handlers + child.orelse + child.finalbody):
                return True
            continue
        if isinstance(child, (ast.Assert, ast.Raise)) or (isinstance(child, ast.Call) and _asserting_call(child)):
            return True
        if _asserts(child):
            return True
    return False


def _asserting_call(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name.startswith("assert") or name in ("raises", "fail"):
        return True
    if name == "exit" and call.args:
        value = call.args[0]
        return not (isinstance(value, ast.Constant) and value.value in (0, None, False))
    return False


def _project_calls(tree: ast.AST) -> list[tuple[str, str]]:
    """(module, function) for each call of a name imported `from snippets... import name`."""
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "snippets":
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module, alias.name)
    return [imported[node.func.id] for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported]


@cache
def _project_function(module: str, name: str) -> ast.FunctionDef | None:
    path = ROOT / Path(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        return None
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


# ── Rendering ──────────────────────────────────────────────────────────────────────────────────────────────
def render_citations(markdown: str, page_path: str, references: dict[str, bib.Reference]) -> str:
    """`[@key]` outside code becomes a link to the paper: "(Pascanu et al., 2013)", its full reference as title."""
    fences = find_fences(markdown, page_path)
    lines = markdown.split("\n")
    in_fence = {n for fence in fences for n in _fence_lines(fence)}

    def cite(match: re.Match) -> str:
        if match["code"] or match["key"] not in references:
            return match[0]
        ref = references[match["key"]]
        title = ref.full.replace('"', "'")
        return f'<a class="kb-cite" href="{ref.url}" title="{title}">({ref.short})</a>' if ref.url else f"({ref.short})"

    return "\n".join(line if number in in_fence else CITATION.sub(cite, line)
                     for number, line in enumerate(lines, start=1))


def render_claims(markdown: str, first_line: int, page: PageClaims, failed_checks: set[str]) -> str:
    """Each claim as a block with its badges, each check inside a block with its anchor (both in the Markdown,
    so that MkDocs sees the anchors the index links to). `first_line`: the page line of the Markdown's first line.
    """
    lines = markdown.split("\n")
    edits = [(claim.line - first_line, claim.end - first_line, claim) for claim in page.claims]
    edits += [(check.fence.line - first_line, check.fence.line - first_line + len(_fence_lines(check.fence)) - 1, check)
              for check in page.checks.values()]
    inserted: list[tuple[int, int]] = []  # (where, how many lines) of the edits made so far, from the bottom up
    for start, end, item in sorted(edits, key=lambda edit: -edit[0]):  # 0-based, in `lines` as they were
        end += sum(count for where, count in inserted if start < where <= end)  # a check wrapped inside a claim
        if isinstance(item, Check):
            indent = re.match(r"[ \t]*", lines[start])[0]
            block = [f'{indent}<div class="kb-check" data-anchor="{item.anchor}" markdown>', "",
                     f"{indent}{check_label(item, page)}", f"{indent}{{: .kb-check__claims #{item.anchor} }}", "",
                     *lines[start : end + 1], "", f"{indent}</div>"]
        else:
            block = _claim_block(item, lines[start + 1 : end + 1], failed_checks)
        lines[start : end + 1] = block
        inserted.append((start, len(block) - (end + 1 - start)))
    return "\n".join(lines)


def _claim_block(claim: Claim, body: list[str], failed_checks: set[str]) -> list[str]:
    badges = []
    for position, name in enumerate(claim.checks, start=1):
        failed = name in failed_checks
        label = ("✘ 확인 실패" if failed else "✔ 실행으로 확인") if position == 1 else (
            f"✘ 확인 {position} 실패" if failed else f"확인 {position}")
        kind = "failed" if failed else "checked"
        badges.append(f'<a class="kb-claim__badge kb-claim__badge--{kind}" href="#check-{name}">{label}</a>')
    if claim.citations:
        badges.append('<span class="kb-claim__badge kb-claim__badge--cited">※ 문헌 인용</span>')
    indent, inner = claim.indent, claim.indent + "    "
    # The badges come first, in a Markdown paragraph that carries the claim's id (attr_list): ids are given by
    # attr_list, never on the block itself, because Material names each code block `__code_<id of its nearest
    # ancestor with an id>` (two blocks in one claim would share one), and a raw HTML line inside an admonition
    # would be wrapped in a <p>.
    block = [f'{indent}<div class="kb-claim" data-anchor="{claim.anchor}" markdown>', "",
             f'{indent}{" ".join(badges)}', f"{indent}{{: .kb-claim__badges #{claim.anchor} }}", ""]
    block += [f"{indent}{text[len(inner):]}" if text.strip() else "" for text in body]  # kbline tags included
    return [*block, "", f"{indent}</div>"]


def check_label(check: Check, page: PageClaims) -> str:
    """Above a check: the claims it proves, each a link back (Markdown, so the build validates them)."""
    by_number = {claim.number: claim for claim in page.claims}
    links = ", ".join(f'[주장 {n}](#claim-{n} "{_title(by_number[n].text)}")' for n in check.claims)
    return f"이 블록이 확인하는 주장: {links}"


def _title(text: str) -> str:
    plain = re.sub(r"\s+", " ", re.sub(r"[*`\\]", "", text)).strip()
    return (plain[:117] + "…" if len(plain) > 118 else plain).replace('"', "'").replace("<", "&lt;")


# ── The index page (참고 → 검증된 주장) ─────────────────────────────────────────────────────────────────────
def index_markdown(pages: dict[str, PageClaims], titles: dict[str, str],
                   references: dict[str, bib.Reference]) -> str:
    """Every claim by page, with its status and its check or citation."""
    claims = [claim for page in pages.values() for claim in page.claims]
    checked = sum(1 for claim in claims if claim.checks)
    cited = sum(1 for claim in claims if claim.citations)
    lines = [
        "---", f"title: {TITLE}", "date: 2021-08-12", "tags: [안내]",
        "summary: 이 사이트의 모든 주장과 그것을 증명하는 실행 블록 또는 인용한 논문의 목록. 빌드 때 만들어진다.",
        "search:", "  exclude: true", "---", "", f"# {TITLE}", "",
        "이 사이트의 문서가 사실로 내세우는 문장은 모두 **주장**으로 표시되어 있고, 둘 중 하나로 뒷받침됩니다.", "",
        "- **✔ 실행으로 확인**: 빌드 때마다 실행되는 블록이 그 주장을 단언문으로 확인합니다. 주장이 틀리게 되면"
        " 단언이 실패하고 빌드가 멈춥니다.",
        "- **※ 문헌 인용**: 실행으로 보일 수 없는 주장(역사, 논문의 실험 결과)은"
        " [읽을거리](reading-list.md)의 논문을 인용합니다.", "",
        f"이번 빌드에서 주장 {len(claims)}개: 실행으로 확인 {checked}개, 문헌 인용 {cited}개"
        f"(둘 다인 주장은 양쪽에 셉니다). 이 페이지는 빌드 때 문서에서 만들어지며 손으로 고치지 않습니다.", "",
    ]
    for path, page in sorted(pages.items()):
        if not page.claims:
            continue
        link = posixpath.relpath(path.removeprefix("docs/"), posixpath.dirname(PAGE))
        lines += [f"## [{titles.get(path, path)}]({link})", ""]
        for claim in page.claims:
            status = []
            for position, name in enumerate(claim.checks, start=1):
                status.append(f"[{'✔ 실행으로 확인' if position == 1 else f'확인 {position}'}]({link}#check-{name})")
            for key in claim.citations:
                ref = references.get(key)
                if ref:
                    status.append(f"※ {ref.full}" + (f" [{_identifier(ref.url)}]({ref.url})" if ref.url else ""))
            statement = CITATION.sub(lambda m: m[0] if m["code"] else f"({references[m['key']].short})"
                                     if m["key"] in references else m[0], claim.text)
            first = _relinked(statement.split("\n\n")[0].replace("\n", " "), link)
            lines.append(f"{claim.number}. [주장 {claim.number}]({link}#{claim.anchor}): {first}<br>"
                         + " · ".join(status))
        lines.append("")
    return "\n".join(lines)


_LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")


def _relinked(markdown: str, page_link: str) -> str:
    """A claim's relative links, as written on its page (`lstm.md`, `#section`), made relative to the index."""

    def relink(match: re.Match) -> str:
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            return match[0]
        path, _, anchor = target.partition("#")
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page_link), path)) if path else page_link
        return f"]({path}{'#' + anchor if anchor else ''}{match['title'] or ''})"

    return _LINK.sub(relink, markdown)


def _identifier(url: str) -> str:
    return url.replace("https://doi.org/", "doi:").replace("https://arxiv.org/abs/", "arXiv:")


def main(argv: list[str] | None = None) -> int:
    """`python -m kbtools.claims [PAGE ...]`: every claim problem of the pages (default: all of docs/), as the
    strict build reports them, and a count of the claims found."""
    import argparse

    from kbtools.settings import DOCS

    parser = argparse.ArgumentParser(prog="python -m kbtools.claims", description=main.__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="Markdown pages (default: every page under docs/)")
    args = parser.parse_args(argv)
    references = {key: bib.reference(key, entry) for key, entry in bib.load().items()}
    pages = [page.resolve() for page in args.pages] or sorted(DOCS.rglob("*.md"))
    problems, found = [], 0
    for page in pages:
        where = page.relative_to(ROOT).as_posix()
        try:
            read = read_page(page.read_text(encoding="utf-8"), where, references)
        except BlockError as error:
            problems.append(str(error))
            continue
        found += len(read.claims)
        problems += read.problems
        for claim in read.claims:
            how = ", ".join([f"check {name}" for name in claim.checks] + [f"[@{key}]" for key in claim.citations])
            print(f"{claim.path}:{claim.line}: claim {claim.number} ({how or 'unproven'})")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{found} claims in {len(pages)} pages, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
