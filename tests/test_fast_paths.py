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


def test_only_the_known_characters_fold_to_ascii_under_ignorecase():
    """``levels._FOLDS_TO_ASCII`` holds every non-ASCII character ``re.I`` matches to an ASCII one."""
    import sys

    from ankigen.levels import _FOLDS_TO_ASCII

    ascii_any_case = re.compile(r"[\x00-\x7f]", re.I)
    folding = {chr(c) for c in range(128, sys.maxunicode + 1) if ascii_any_case.fullmatch(chr(c))}
    assert folding == set(_FOLDS_TO_ASCII)


_DEFAULT = ("Junior", "Mid-level", "L3", "L4", "Senior", "L5", "L6", "Staff", "L7", "Staff+",
            "Senior Staff", "L8", "Principal", "Before", "After")
_LABELS = st.sampled_from([_DEFAULT, ("L5", "L6"), ("Ten", "The"), ("a", "at"), ("Señor", "L5"),
                           ("ſtaff", "L6")])
_FILLER = st.sampled_from(["", " ", "  ", "\n", ". ", ", ", "x", "word ", "é ", "“", "” ", "ſ", "\u212a",
                           "+", "-", "*", "_", "the", "at", "says"])
_BEFORE = st.sampled_from(["", "at ", "At ", "AT  ", "at the ", "the ", "The ", "a ", "an ", "**", "at **",
                           "*_", "x", "at\n", "bat ", "that "])
_AFTER = st.sampled_from(["", ":", ",", "**:", ":**", " says:", " engineer says:", " level:", " ", "+",
                          "s", " would say ,", "*:"])


@st.composite
def _prose_with_labels(draw):
    labels = draw(_LABELS)
    case = st.sampled_from([str, str.lower, str.upper, str.title])
    phrases = draw(st.lists(st.tuples(_FILLER, _BEFORE, st.sampled_from(labels), case, _AFTER), max_size=5))
    return labels, "".join(f + b + c(lab) + a for f, b, lab, c, a in phrases)


@settings(max_examples=1500, deadline=None)
@given(_prose_with_labels())
def test_level_responses_are_found_as_by_finditer(drawn):
    """``Levels._in_prose`` (tried before each label only) finds what ``in_prose.finditer`` finds."""
    from ankigen.levels import Levels

    labels, body = drawn
    levels = Levels(labels)
    assert [(m.span(), m.groupdict()) for m in levels._in_prose(body)] == \
        [(m.span(), m.groupdict()) for m in levels.in_prose.finditer(body)]


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=60), st.text(alphabet=st.characters(max_codepoint=127), max_size=60)))
def test_words_are_counted_as_the_pattern_counts_them(sample):
    """``text.word_count``'s ASCII path counts what ``\\w+`` finds."""
    assert text.word_count(sample) == len(re.findall(r"\w+", sample))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=5, max_size=6), st.lists(st.text(max_size=5), max_size=4),
       st.sampled_from(["cloze", "qa"]))
def test_a_content_hash_is_of_its_fields_tags_and_note_type(values, labels, kind):
    """``cards.content_hash`` (every field kept, joined once) hashes what it always hashed."""
    import hashlib

    from ankigen import cards
    from ankigen.notetypes import CLOZE_TYPE, QA_TYPE

    note_type = CLOZE_TYPE if kind == "cloze" else QA_TYPE
    data = "\x1f".join([str(note_type.model_id), *values, " ".join(sorted(labels))])
    expected = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    assert cards.content_hash(tuple(values), tuple(labels), note_type) == expected
