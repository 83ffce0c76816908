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


def test_a_note_spec_is_made_with_every_field_and_default_the_dataclass_names():
    """``NoteSpec.__init__``, written out, takes the dataclass's fields in order with their defaults."""
    import dataclasses
    import inspect

    from ankigen.notes import NoteSpec

    fields = dataclasses.fields(NoteSpec)
    parameters = list(inspect.signature(NoteSpec.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in parameters] == \
        [(f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default) for f in fields]
    values = {f.name: f"value of {f.name}" for f in fields}
    spec = NoteSpec(**values)
    assert all(getattr(spec, name) == value for name, value in values.items())
    assert dataclasses.replace(spec, text="other") == NoteSpec(**{**values, "text": "other"})
    assert vars(NoteSpec(*list(values.values())[:6])) == {
        **{f.name: values[f.name] for f in fields[:6]}, **{f.name: f.default for f in fields[6:]}}
