"""`ankigen preview`: every card as Anki shows it, checked against Anki and in a real browser."""

from __future__ import annotations

import json
import re

import pytest

from anki_helpers import card_html, cards_of, imported
from chromium import Browser, find_chromium
from conftest import SEED, edit_one_of_each

CARD = re.compile(r'<div class="anki-card" data-card="\d+">')


def _pages(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


def test_every_card_is_on_the_page_exactly_as_anki_renders_it(run, seed_folder, tmp_path):
    result = run("build", seed_folder, "-o", tmp_path / "seed.apkg")
    assert result.exit_code == 0, result.output
    result = run("preview", seed_folder, "-o", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert "15 cards" in result.output and "site/index.html" in result.output
    pages = _pages(tmp_path / "site")
    page = pages["staff-engineering/001-ownership-beyond-your-code.html"]
    assert len(CARD.findall(page)) == 15
    with imported(tmp_path, tmp_path / "seed.apkg") as (col, _):
        for card in cards_of(col):
            assert card.question().startswith("<style>") and card.answer().startswith("<style>")
            question, answer = card_html(card.question()), card_html(card.answer())
            n = card.ord + 1
            assert (f'<div class="card card{n}">{question}</div>' in page), question
            assert (f'<div class="card card{n}">{answer}</div>' in page), answer
            css = card.question().split("</style>", 1)[0].removeprefix("<style>")
            assert css in page  # the deck's own CSS, byte for byte
    assert "<script" not in page.split('<main class="notes">', 1)[1].split("</main>", 1)[0]
    assert 'href="staff-engineering/001-ownership-beyond-your-code.html"' in pages["index.html"]


def test_change_markers_by_guid(seed_folder, tmp_path, monkeypatch):
    from ankigen.preview import collect, preview

    monkeypatch.chdir(tmp_path)
    decks, _, _ = collect([seed_folder])
    notes = decks[0].videos[0].notes
    changes = {notes[0].guid: "added", notes[1].guid: "changed", notes[2].guid: "renamed"}
    report = preview([seed_folder], tmp_path / "site", changes)
    page = (tmp_path / "site" / "staff-engineering" / "001-ownership-beyond-your-code.html").read_text()
    for guid, status in changes.items():
        assert re.search(rf'data-guid="{re.escape(guid)}" data-change="{status}"', page)
        assert f'class="badge change change-{status}"' in page
    assert page.count("data-change=") == 3
    assert "1 added, 1 changed, 1 renamed" in report.index.read_text()


def test_marks_what_changed_since_the_lock(run, seed_folder, tmp_path):
    assert run("build", seed_folder, "-o", tmp_path / "v1.apkg").exit_code == 0
    assert run("preview", seed_folder, "-o", tmp_path / "first").exit_code == 0
    first = _pages(tmp_path / "first")
    assert not any("data-change=" in page for page in first.values())
    edit_one_of_each(seed_folder / SEED.name)
    result = run("preview", seed_folder, "-o", tmp_path / "second")
    assert result.exit_code == 0, result.output
    page = _pages(tmp_path / "second")["staff-engineering/001-ownership-beyond-your-code.html"]
    for status in ("added", "changed", "renamed"):
        assert page.count(f'data-change="{status}"') == 1, status
    index = _pages(tmp_path / "second")["index.html"]
    assert "Retired notes (1)" in index


def test_replaces_its_own_site_and_refuses_other_folders(run, seed_folder, tmp_path):
    site = tmp_path / "site"
    assert run("preview", seed_folder, "-o", site).exit_code == 0
    (site / "stale.html").write_text("old", encoding="utf-8")
    assert run("preview", seed_folder, "-o", site).exit_code == 0
    assert not (site / "stale.html").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run("preview", seed_folder, "-o", other)
    assert result.exit_code == 1
    assert "not an ankigen preview" in result.output
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_a_refused_build_writes_no_preview(run, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "list.md").write_text("# Shopping\n\n- eggs\n", encoding="utf-8")
    result = run("preview", folder, "-o", tmp_path / "site")
    assert result.exit_code == 1
    assert "not a video script" in result.output
    assert not (tmp_path / "site").exists()


_OVERFLOW = """[...document.querySelectorAll('.side, .side *')].filter(e =>
  e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('table')).length"""


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (.ci/run installs it)")
def test_in_a_real_browser(run, series, tmp_path):
    result = run("diff", series, "--json")
    assert result.exit_code == 0, result.output
    expected = json.loads(result.output)["decks"][0]["cards"]
    result = run("preview", series, "-o", tmp_path / "site")
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "site").rglob("*/*.html"))
    assert len(pages) == 6
    browser = Browser(tmp_path / "profile", 1200, 900)
    try:
        counted = 0
        for page in pages:
            browser.open(page.as_uri())
            counted += browser.eval("document.querySelectorAll('.anki-card').length")
            assert browser.eval("document.querySelectorAll('.anki-card .side > .card').length") == \
                2 * browser.eval("document.querySelectorAll('.anki-card').length")
        assert counted == expected

        first = pages[0].as_uri()
        browser.open(first)
        colours = "(s => [s.color, s.backgroundColor])(getComputedStyle(document.querySelector('.side > .card')))"
        cloze = "getComputedStyle(document.querySelector('.side .cloze')).color"
        day, day_cloze = browser.eval(colours), browser.eval(cloze)
        browser.screenshot(tmp_path / "day.png", full_page=False)
        browser.eval("document.getElementById('night-switch').click()")
        assert browser.eval("document.body.className.split(' ').sort().join(' ')") == \
            "nightMode night_mode preview"
        night, night_cloze = browser.eval(colours), browser.eval(cloze)
        assert night[0] != day[0] and night[1] != day[1] and night_cloze != day_cloze
        browser.screenshot(tmp_path / "night.png", full_page=False)
        assert browser.eval("location.hash") == "#night"

        browser.open(first + "#phone")  # the phone view on a wide screen: cards 360 px wide
        widths = browser.eval("[...document.querySelectorAll('.side')].map(e => e.getBoundingClientRect().width)")
        assert set(widths) == {360}
        browser.screenshot(tmp_path / "phone-view.png", full_page=False)

        browser.resize(360, 740, mobile=True)  # a real 360 px screen
        for page in pages:
            browser.open(page.as_uri())
            assert browser.eval("document.documentElement.scrollWidth") <= 360, page.name
            assert browser.eval(_OVERFLOW) == 0, page.name
        browser.open(first)
        browser.screenshot(tmp_path / "phone.png", full_page=False)
    finally:
        browser.close()
    for shot in ("day.png", "night.png", "phone-view.png", "phone.png"):
        assert (tmp_path / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
