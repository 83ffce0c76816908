"""Fast paths of the per-script work give what the general path gives (issue 14's speed)."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from ankigen import text

# Prose with what sentence ends are made of: marks, closing quotes, spaces, letters of both cases.
prose = st.text(alphabet=st.sampled_from(list(".!?…\"'”’)]*_ \n\tAaZz1`-–—eg.")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(prose)
def test_sentence_ends_are_found_as_by_the_plain_pattern(sample):
    plain = re.compile(r"[.!?…]+[\"'”’)\]*_]*(?=\s|$)(?=\s*(\S)|)")  # as it was written first
    assert [(m.span(), m.groups()) for m in text._SENTENCE_END.finditer(sample)] == \
        [(m.span(), m.groups()) for m in plain.finditer(sample)]
