"""render.simple_html (the fast path) gives exactly Python-Markdown's HTML, or declines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ankigen.render import markdown_html, simple_html, to_html
from ankigen.text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, cloze

CORPUS = Path(__file__).parent / "corpus" / "staff-engineering"

TOKENS = [
    "a", "Bc", "word", " ", " ", "  ", "*", "**", "***", "`", "_", "-", "- ", "+ ", "1.", "2)",
    "#", "# ", ">", "=", "!", "?", ".", ":", "::", "|", "{", "}", "{{", "&", "&amp;", "<", ">",
    "\\", "[", "](", "\t", "\u00a0", "é", "→", "—", "“", '"', "'", "L5:", "\n", "\n\n",
    "\n\n- ", "\n- ", CLOZE_OPEN + "1" + CLOZE_MID, CLOZE_CLOSE,
]

CASES = [
    "**Trap:** Staying in your lane. At L6, you expand the lane.",
    "**a**b**c**", "*a**b**c*", "**a***b*", "***a***", "**a *b* c**", "a ** b", "* a", "*a *",
    "`a*b` *c*", "`` a ``", "`a & <b>`", "**`x`**", "`x` and `y`", "x`y", "#tag", "a #b",
    "- a\n- **b**", "- a\n\n- b", "p\n\n- a\n- b\n\nq", "p\n- a", "- a\n  b", "1. a", "-a",
    "How does **L6** respond?", "**Example 1: Downstream bottleneck.** A team's service.",
    f"**Trap:** {cloze(1, 'Staying in your lane.')} At L6, you *expand* it.",
    f"{cloze(1, 'Code ownership')} → {cloze(2, 'System ownership')}.",
    "a | b", "a ! b", "{x} and ::", "é → — “q”", "a\u00a0", "\u00a0a", "a\tb",
]


def _agree(source: str) -> None:
    fast = simple_html(source)
    if fast is not None:
        assert fast == markdown_html(source), source


@pytest.mark.parametrize("source", CASES)
def test_cases(source):
    _agree(source)


def test_the_common_shapes_take_the_fast_path():
    for source in CASES[:1] + CASES[24:28]:
        assert simple_html(source) is not None, source


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=24).map("".join))
@example("**a** *b* `c`")
def test_random_markdown(source):
    _agree(source)


def test_every_paragraph_and_item_of_the_corpus():
    for path in sorted(CORPUS.glob("*.md")):
        blocks = path.read_text(encoding="utf-8").split("\n\n")
        for block in blocks:
            _agree(block.strip())
            for line in block.splitlines():
                _agree(line.strip())
                _agree(line.lstrip("-*+ ").strip())


def test_to_html_uses_the_same_html():
    source = f"**Trap:** {cloze(1, 'Stay {here}.')} Done."
    assert to_html(source) == "<strong>Trap:</strong> {{c1::Stay &#123;here&#125;.}} Done."
