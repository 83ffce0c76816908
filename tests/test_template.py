"""Our template renderer against the real Anki backend: the same HTML, byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from anki_helpers import card_html, imported, notes_of
from cli import invoke
from conftest import CORPUS
from ankigen.notetypes import CLOZE_TYPE, NOTE_TYPES
from ankigen.template import TemplateError, cloze_numbers, render, render_cards, reveal_cloze

TYPES = {t.name: t for t in NOTE_TYPES}


@pytest.fixture(scope="module")
def anki(tmp_path_factory):
    """A collection holding the whole shipped series, built through the CLI."""
    folder = tmp_path_factory.mktemp("anki")
    result = invoke("build", CORPUS, "-o", folder / "se.apkg", "--lock", folder / "se.lock.yaml")
    assert result.exit_code == 0, result.output
    with imported(folder, folder / "se.apkg") as (col, _):
        yield col


def _anki_cards(note):
    cards = sorted(note.cards(), key=lambda c: c.ord)
    return [(c.ord + 1, card_html(c.question()), card_html(c.answer())) for c in cards]


def test_every_card_of_the_series_renders_as_anki_renders_it(anki):
    compared = 0
    for note in notes_of(anki):
        ours = [(c.ordinal, c.question, c.answer)
                for c in render_cards(TYPES[note.note_type()["name"]], tuple(note.fields))]
        assert ours == _anki_cards(note)
        compared += len(ours)
    assert compared == 64


_cloze_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6),
        st.sampled_from(["{{c1::", "{{c2::", "{{c3::", "{{c0::", "}}", "::", "<b>", "</b>",
                         "&amp;", '"', "'", "é", "’", " ", "{{", "}", "\t"]),
    ),
    max_size=14,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=_cloze_text, n=st.integers(1, 3), inner=_cloze_text, tail=_cloze_text)
def test_any_cloze_text_renders_as_anki_renders_it(anki, head, n, inner, tail):
    text = f"{head}{{{{c{n}::{inner}}}}}{tail}"
    model = anki.models.by_name(CLOZE_TYPE.name)
    note = anki.new_note(model)
    note["Text"], note["Context"], note["Source"] = text, "ctx", "src"
    assume(cloze_numbers(text))
    anki.add_note(note, 1)
    note = anki.get_note(note.id)  # as stored: Anki normalizes fields (NFC)
    try:
        ours = [(c.ordinal, c.question, c.answer) for c in render_cards(CLOZE_TYPE, tuple(note.fields))]
        assert ours == _anki_cards(note)
    finally:
        anki.remove_notes([note.id])


def test_conditionals_and_front_side():
    fields = {"A": "x", "B": " <br> ", "Text": "{{c1::one}} {{c2::two::hint}}"}
    assert render("{{#A}}[{{A}}]{{/A}}{{#B}}no{{/B}}{{^B}}empty{{/B}}", fields, 1, question=True) \
        == "[x]empty"
    assert render("{{FrontSide}}|{{cloze:Text}}", fields, 2, question=False, front_side="Q") == \
        'Q|<span class="cloze-inactive" data-ordinal="1">one</span> ' \
        '<span class="cloze" data-ordinal="2">two</span>'
    assert reveal_cloze(fields["Text"], 2, True).endswith(">[hint]</span>")
    assert reveal_cloze(fields["Text"], 3, True) == ""


@pytest.mark.parametrize("template", ["{{Nope}}", "{{#A}}open", "{{/A}}", "{{text:A}}"])
def test_template_errors_are_refused(template):
    with pytest.raises(TemplateError):
        render(template, {"A": "x"}, 1, question=True)
