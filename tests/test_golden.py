"""Golden cases: each ``tests/cases/<name>.md`` beside the notes it must become.

``<name>.notes.yaml`` holds what extraction produces from ``<name>.md``: the
video, every note (kind, natural key, note type, text with its cloze shown as
``{{cN::…}}``, back, extra) and every diagnostic as ``file:line: severity: message``.
An optional ``<name>.deck.yaml`` is a deck config whose ``levels:`` apply.
The seed and the other corpus scripts have their expectations in ``cases/corpus/``.

Regenerate after a deliberate change, then read the diff before committing:

    ANKIGEN_UPDATE_GOLDEN=1 python -m pytest -q tests/test_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from ankigen.cards import card_count, fields
from ankigen.config import DEFAULT_LEVELS, load_config
from ankigen.contrast import Levels
from ankigen.errors import Problems
from ankigen.extract import extract
from ankigen.notes import CLOZE, Deck
from ankigen.render import plain, to_html
from ankigen.script import decode, parse
from ankigen.text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, show_cloze

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
CORPUS = TESTS / "corpus" / "staff-engineering"
# the real series' drift, imitated (see tests/corpus/system-design/): expectations in a folder of their own
SYSTEM_DESIGN = TESTS / "corpus" / "system-design"
UPDATE = os.environ.get("ANKIGEN_UPDATE_GOLDEN") == "1"


def _cases() -> list[tuple[Path, Path]]:
    """(script, expectation) pairs: the quirk cases, then the corpus."""
    pairs = [(md, md.with_name(md.stem + ".notes.yaml")) for md in sorted(CASES.glob("*.md"))]
    pairs += [(md, CASES / "corpus" / f"{md.stem}.notes.yaml") for md in sorted(CORPUS.glob("*.md"))]
    pairs += [(md, CASES / "corpus" / "system-design" / f"{md.stem}.notes.yaml")
              for md in sorted(SYSTEM_DESIGN.glob("*.md"))]
    return pairs


CASE_PAIRS = _cases()
IDS = [{CORPUS: "corpus/", SYSTEM_DESIGN: "corpus/system-design/"}.get(md.parent, "") + md.stem
       for md, _ in CASE_PAIRS]


def extract_case(md: Path):
    """(video or None, diagnostics) for a case file, with its deck config's levels."""
    levels = DEFAULT_LEVELS
    config = md.with_name(md.stem + ".deck.yaml")
    if config.exists():
        levels = load_config(config).levels
    problems = Problems()
    script = parse(decode(md.read_bytes(), md.name), md.name)
    return extract(script, md, Levels(levels), problems), problems.items


def describe(md: Path) -> dict:
    """What a reviewer reads: the video, its notes and its diagnostics, as plain data."""
    video, diagnostics = extract_case(md)
    data: dict = {"video": None, "notes": []}
    if video is not None:
        data["video"] = {"title": video.title, "slug": video.slug, "number": video.number,
                         "tags": list(video.tags)}
        data["notes"] = [_note(spec, video.slug) for spec in video.notes]
    data["diagnostics"] = [f"{d.file}:{d.line}: {d.severity}: {d.message}" for d in diagnostics]
    return data


def _note(spec, slug: str) -> dict:
    note = {"kind": spec.kind, "key": spec.key(slug), "note_type": spec.note_type,
            "line": spec.line, "cards": card_count(spec), "text": show_cloze(spec.text)}
    if spec.back:
        note["back"] = spec.back
    if spec.extra:
        note["extra"] = show_cloze(spec.extra)
    if spec.pinned:
        note["pinned"] = True
    return note


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@pytest.mark.parametrize(("md", "expected"), CASE_PAIRS, ids=IDS)
def test_golden(md: Path, expected: Path):
    actual = describe(md)
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(dump(actual), encoding="utf-8")
    assert expected.exists(), f"no {expected.name}: run with ANKIGEN_UPDATE_GOLDEN=1 and review it"
    assert actual == yaml.safe_load(expected.read_text(encoding="utf-8"))


def test_every_case_has_a_script():
    """A stray expectation (its script renamed or deleted) is caught, not silently ignored."""
    scripts = {md.stem for md in CASES.glob("*.md")}
    for notes in CASES.glob("*.notes.yaml"):
        assert notes.name.removesuffix(".notes.yaml") in scripts, notes
    for folder, expected in ((CORPUS, CASES / "corpus"), (SYSTEM_DESIGN, CASES / "corpus" / "system-design")):
        corpus = {md.stem for md in folder.glob("*.md")}
        for notes in expected.glob("*.notes.yaml"):
            assert notes.name.removesuffix(".notes.yaml") in corpus, notes


def test_seed_is_eleven_notes_and_fifteen_cards():
    video, _ = extract_case(CORPUS / "01-ownership.md")
    kinds: dict[str, list[int]] = {}
    for spec in video.notes:
        kinds.setdefault(spec.kind, []).append(card_count(spec))
    assert {k: (len(v), sum(v)) for k, v in kinds.items()} == {
        "recap": (5, 7), "one-liner": (1, 1), "contrast": (3, 3),
        "think-together": (1, 1), "ladder": (1, 3)}


# Properties every extracted note must have, whatever the case.

def _videos():
    for (md, _), case_id in zip(CASE_PAIRS, IDS):
        video, _ = extract_case(md)
        if video is not None:
            yield case_id, video


def _cards(spec):
    """(front, answer) as a learner reads them, one pair per card."""
    if spec.note_type != CLOZE:
        yield plain(spec.text), plain(spec.back)
        return
    pattern = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}(.*?){CLOZE_CLOSE}", re.S)
    for n in sorted({int(m.group(1)) for m in pattern.finditer(spec.text)}):
        hidden = [m.group(2) for m in pattern.finditer(spec.text) if int(m.group(1)) == n]
        front = pattern.sub(lambda m: "[...]" if int(m.group(1)) == n else m.group(2), spec.text)
        yield plain(front), plain(" ".join(hidden))


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize(("case_id", "video"), list(_videos()), ids=lambda v: getattr(v, "slug", v))
def test_every_card_is_answerable_and_hides_its_answer(case_id, video):
    for spec in video.notes:
        for front, answer in _cards(spec):
            where = f"{case_id}:{spec.line}"
            assert _words(answer), f"{where}: empty answer"
            assert _words(answer) not in _words(front), f"{where}: the front shows its answer"
            outside = _words(front.replace("[...]", " "))
            assert outside, f"{where}: nothing on the front to answer from"


@pytest.mark.parametrize(("case_id", "video"), list(_videos()), ids=lambda v: getattr(v, "slug", v))
def test_fields_keep_cloze_syntax_sound_and_html_inert(case_id, video):
    deck = Deck("Cases", "cases", 1)
    for spec in video.notes:
        for value in fields(deck, video, spec):
            rest = re.sub(r"\{\{c\d+::", "", value).replace("}}", "", value.count("{{c"))
            for token in ("{{", "}}", "::"):
                assert token not in rest, f"{case_id}:{spec.line}: stray {token!r} in {value!r}"
            assert not re.search(r"<(script|iframe|img|style|div|i|b|br)\b|<[^>]*\son\w+=",
                                 value, re.I), f"{case_id}:{spec.line}: raw HTML in {value!r}"


# Rendering of the two hostile cases, checked field by field and in real Anki.

def _html(case: str) -> dict[str, tuple[str, str]]:
    video, _ = extract_case(CASES / f"{case}.md")
    return {spec.anchor or spec.kind: (to_html(spec.text), to_html(spec.back)) for spec in video.notes}


def test_cloze_breaking_text_is_escaped_in_the_fields():
    html = _html("cloze-breaking")
    assert html["templates"][0] == (
        "<strong>Templates:</strong> {{c1::Write &#123;&#123;name&#125;&#125; and "
        "&#123;&#123;c1:&#58;x&#125;&#125; literally.}} Anki would read them as fields.")
    assert html["namespaces"][0] == (
        "<strong>Namespaces:</strong> {{c1::Call <code>std:&#58;move</code> on a:&#58;b, "
        "not on a copy.}}")
    assert html["braces+open"][0] == (
        "{{c1::Braces&#125;&#125;}} close early, and {{c2::&#123;&#123;open}} late.")
    assert html["one-liner"][1] == "Never ship &#123;&#123; or &#125;&#125; or :&#58; unescaped."


def test_raw_html_is_shown_as_text():
    html = _html("raw-html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html["sanitize"][0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html["images"][0]
    assert html["one-liner"][1] == (
        '&lt;div onclick="alert(1)"&gt;Markup is shown, never run.&lt;/div&gt;')
    assert "&lt;i&gt;Injected&lt;/i&gt;" in html["injected-title"][0]


def test_hostile_cases_render_literally_in_anki(run, tmp_path):
    from anki_helpers import cards_of, imported, seen

    folder = tmp_path / "hostile"
    folder.mkdir()
    for case in ("cloze-breaking", "raw-html"):
        (folder / f"{case}.md").write_bytes((CASES / f"{case}.md").read_bytes())
    result = run("build", folder, "-o", tmp_path / "hostile.apkg")
    assert result.exit_code == 0, result.output
    with imported(tmp_path, tmp_path / "hostile.apkg") as (col, _):
        shown = dict(seen(card) for card in cards_of(col))
    fronts = " | ".join(shown)
    backs = " | ".join(shown.values())
    assert "Templates: [...] Anki would read them as fields." in fronts
    assert "Write {{name}} and {{c1::x}} literally." in backs
    assert "Call std::move on a::b, not on a copy." in backs
    assert "[...] close early, and {{open late." in fronts
    assert "Braces}} close early, and [...] late." in fronts
    assert "Never ship {{ or }} or :: unescaped." in backs
    assert "Never trust <script>alert(1)</script> in input." in backs
    assert '<div onclick="alert(1)">Markup is shown, never run.</div>' in backs
    assert all("No cloze" not in front for front in shown)


def test_every_case_imports_into_anki_with_the_cards_extraction_promised(run, tmp_path):
    from anki_helpers import cards_of, imported, seen

    folder = tmp_path / "cases"
    folder.mkdir()
    expected = 0
    for (md, _), case_id in zip(CASE_PAIRS, IDS):
        video, _ = extract_case(md)
        if video is None or md.with_name(md.stem + ".deck.yaml").exists():
            continue
        (folder / md.name).write_bytes(md.read_bytes())
        expected += sum(card_count(spec) for spec in video.notes)
    result = run("build", folder, "-o", tmp_path / "cases.apkg")
    assert result.exit_code == 0, result.output
    with imported(tmp_path, tmp_path / "cases.apkg") as (col, log):
        assert log["conflicting"] == 0
        cards = cards_of(col)
        assert len(cards) == expected
        for card in cards:
            front, back = seen(card)
            assert front and back != front, front
            assert "No cloze" not in front and "[...]" in front or "?" in front, front
