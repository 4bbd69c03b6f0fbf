"""Figures for pages, rendered at build as inline SVG that is the same bytes on every build.

Used from an executed block with `html="1"`: `print(to_svg(fig))`. Text becomes paths, so the
reader's browser needs no font; Korean labels need a Korean font where the site is built
(Debian `fonts-noto-cjk`, installed by `make test`).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update(
    {
        "svg.hashsalt": "study-notes-kb",  # fixed ids inside the SVG instead of random ones
        "svg.fonttype": "path",
        "font.family": ["Noto Sans CJK KR", "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212 minus sign
        "figure.dpi": 100,
    }
)


def to_svg(fig: matplotlib.figure.Figure) -> str:
    """The figure as an `<svg>` element wrapped for the page; closes the figure."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: it is inlined in HTML
    return f'<div class="kb-figure">{svg}</div>'


if __name__ == "__main__":
    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([0, 1, 2], [0, 1, 4])
    axes.set_title("한글 제목")
    first = to_svg(figure)
    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([0, 1, 2], [0, 1, 4])
    axes.set_title("한글 제목")
    assert first == to_svg(figure), "two renders of the same figure differ"
    print(f"deterministic SVG, {len(first)} characters")
