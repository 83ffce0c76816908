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
    "\n\n- ", "\n- ", "[", "]", "(", ")", "[a](https://x.y/z)", "](http://a.b?c=d#e)",
    "![i](https://x.y)", "[b](javascript:x)", "[a b](https://x.y (t))",
    CLOZE_OPEN + "1" + CLOZE_MID, CLOZE_CLOSE,
]

COMMON = [  # shapes real fields have: these must take the fast path
    "**Trap:** Staying in your lane. At L6, you expand the lane.",
    "How does **L6** respond?",
    "**Example 1: Bottleneck.** A team.\n\n- **L5:** Theirs.\n\nHow does **L6** respond?",
    f"**Trap:** {cloze(1, 'Staying in your lane.')} At L6, you *expand* it.",
    f"{cloze(1, 'Code ownership')} → {cloze(2, 'System ownership')}.",
    "Don't call `time.now()` in the loop; see [the runbook](https://example.com/runbook).",
]

CASES = COMMON + [
    "**a**b**c**", "*a**b**c*", "**a***b*", "***a***", "**a *b* c**", "a ** b", "* a", "*a *",
    "`a*b` *c*", "`` a ``", "`a & <b>`", "**`x`**", "`x` and `y`", "x`y", "#tag", "a #b",
    "- a\n- **b**", "- a\n\n- b", "p\n\n- a\n- b\n\nq", "p\n- a", "- a\n  b", "1. a", "-a",
    "![a](https://x.y)", "\\[a](https://x.y)",
    "[a](https://x.y/(b))", "([a](https://x.y))", "[*a*](https://x.y)", "[a](https://é.y)",
    "[a](mailto:a@b.c)", "[a](https://x.y \"t\")", "**[a](https://x.y)**", "[a]", "[a][b]",
    "a | b", "a ! b", "{x} and ::", "é → — “q”", "a\u00a0", "\u00a0a", "a\tb",
]


def _agree(source: str) -> None:
    fast = simple_html(source)
    if fast is not None:
        assert fast == markdown_html(source), source


@pytest.mark.parametrize("source", CASES)
def test_cases(source):
    _agree(source)


@pytest.mark.parametrize("source", COMMON)
def test_the_common_shapes_take_the_fast_path(source):
    assert simple_html(source) is not None


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
