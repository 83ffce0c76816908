"""The preview site's HTML: an index of videos, and a page per video with every card.

Each card side sits in ``<div class="card cardN">`` as in Anki's reviewer, under
the deck's own CSS; the night switch puts ``nightMode night_mode`` on ``<body>``
as Anki does. The phone view narrows every card to 360 px and applies the deck's
narrow-screen ``@media`` rules there through container queries. Cards are plain
HTML: the two switches are the only script.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from html import escape

from .views import CHANGE_KINDS, DeckView, NoteView, VideoView
from .text import slugify

PHONE_WIDTH = 360

PAGE_CSS = """\
:root { color-scheme: light; }
body.preview { margin: 0; background: #eef1f4; color: #1f2328;
  font: 15px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; }
body.preview.nightMode { background: #0d1117; color: #d1d7e0; color-scheme: dark; }
.bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 6px 16px;
  align-items: center; padding: 10px 16px; background: inherit; border-bottom: 1px solid #d1d9e0; }
.bar h1 { font-size: 17px; margin: 0; flex: 1 1 16em; }
.bar a { color: inherit; }
.switches { display: flex; gap: 8px; }
.switches button { font: inherit; padding: 4px 10px; border-radius: 6px; cursor: pointer;
  border: 1px solid #8c959f; background: transparent; color: inherit; }
.switches button[aria-pressed="true"] { background: #0969da; border-color: #0969da; color: #fff; }
.notes { padding: 12px 16px 48px; max-width: 1280px; margin: 0 auto; box-sizing: border-box; }
.note { margin: 0 0 20px; }
.note-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline;
  font-size: 13px; opacity: 0.85; margin: 0 0 6px; overflow-wrap: anywhere; }
.note-head code { font-size: 12px; }
.badge { font-size: 12px; font-weight: 600; padding: 0 6px; border-radius: 10px; }
.kind { background: #d1d9e0; color: #1f2328; }
.change-added { background: #1a7f37; color: #fff; }
.change-changed { background: #9a6700; color: #fff; }
.change-renamed { background: #0969da; color: #fff; }
.change-retired { background: #82071e; color: #fff; }
.change-restored { background: #6f42c1; color: #fff; }
.anki-card { display: flex; gap: 12px; margin: 0 0 12px; }
.side { flex: 1 1 0; min-width: 0; container-type: inline-size; }
.side-label { font-size: 12px; opacity: 0.7; margin: 0 0 3px; }
.side > .card { border: 1px solid #d1d9e0; border-radius: 8px; overflow: hidden; min-height: 3em; }
body.nightMode .side > .card, body.nightMode .bar { border-color: #3d444d; }
body.phone .anki-card { flex-direction: row; flex-wrap: wrap; }
body.phone .side { flex: none; width: PHONEpx; max-width: 100%; }
@media (max-width: 720px) { .anki-card { flex-direction: column; } .side { flex: none; } }
table.videos { border-collapse: collapse; width: 100%; max-width: 52em; }
table.videos th, table.videos td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d1d9e0;
  vertical-align: top; overflow-wrap: anywhere; }
table.videos .n { text-align: right; white-space: nowrap; }
""".replace("PHONE", str(PHONE_WIDTH))

SCRIPT = """\
(function () {
  // Night: the classes Anki puts on <body>. Phone: cards 360 px wide. State lives in the URL (#night+phone).
  var body = document.body, classes = {night: ['nightMode', 'night_mode'], phone: ['phone']};
  var names = Object.keys(classes);
  function button(name) { return document.getElementById(name + '-switch'); }
  function set(name, on) {
    classes[name].forEach(function (c) { body.classList.toggle(c, on); });
    button(name).setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  function fromHash() {
    var state = location.hash.slice(1).split('+');
    names.forEach(function (name) { set(name, state.indexOf(name) >= 0); });
  }
  names.forEach(function (name) {
    button(name).hidden = false;
    button(name).addEventListener('click', function () {
      set(name, button(name).getAttribute('aria-pressed') !== 'true');
      var on = names.filter(function (n) { return button(n).getAttribute('aria-pressed') === 'true'; });
      history.replaceState(null, '', on.length ? '#' + on.join('+') : location.pathname);
    });
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
"""


def site(decks: list[DeckView], changes: Mapping[str, str]) -> dict[str, str]:
    """Relative path → HTML for the whole site."""
    files = {"index.html": _index(decks, changes)}
    for deck in decks:
        for video in deck.videos:
            files[video_path(deck, video)] = _video_page(deck, video, changes)
    return files


def video_path(deck: DeckView, video: VideoView) -> str:
    return f"{deck.slug}/{slugify(video.title) or 'video'}.html"


def narrow_rules(css: str) -> str:
    """The deck CSS's ``@media (max-width: …)`` blocks as ``@container`` blocks."""
    out = []
    for m in re.finditer(r"@media\s*(\([^{]*max-width[^{]*\))\s*\{", css):
        depth, i = 1, m.end()
        while i < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out.append(f"@container {m.group(1)} {{{css[m.end():i]}")
    return "\n".join(out)


def _page(title: str, head_css: str, bar: str, body: str, switches: bool) -> str:
    buttons = ('<div class="switches">'
               '<button type="button" id="night-switch" aria-pressed="false" hidden>Night</button>'
               f'<button type="button" id="phone-switch" aria-pressed="false" hidden>Phone '
               f'{PHONE_WIDTH} px</button></div>') if switches else ""
    script = f"<script>\n{SCRIPT}</script>\n" if switches else ""
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n{head_css}<style>\n{PAGE_CSS}</style>\n</head>\n"
            f'<body class="preview">\n<header class="bar">{bar}{buttons}</header>\n'
            f"{body}\n{script}</body>\n</html>\n")


def _deck_css(deck: DeckView) -> str:
    return (f"<style>\n/* the deck's CSS, exactly as in the package */\n{deck.css}</style>\n"
            f"<style>\n/* its narrow-screen rules, for the phone view */\n{narrow_rules(deck.css)}\n"
            "</style>\n")


def _video_page(deck: DeckView, video: VideoView, changes: Mapping[str, str]) -> str:
    notes = "\n".join(_note(note, changes.get(note.guid, "")) for note in video.notes)
    bar = (f'<a href="../index.html">{escape(deck.name)}</a>'
           f"<h1>{escape(video.title)}</h1>"
           f"<span>{len(video.notes)} notes, {video.card_count} cards</span>")
    body = f'<main class="notes">\n{notes}\n</main>'
    return _page(f"{video.title} · {deck.name} · preview", _deck_css(deck), bar, body, True)


def _note(note: NoteView, change: str) -> str:
    badges = f'<span class="badge kind">{escape(note.kind)}</span>' if note.kind else ""
    if change:
        badges += f'<span class="badge change change-{escape(change)}">{escape(change)}</span>'
    head = (f'<div class="note-head">{badges}<code>{note.source}</code>'
            f'<span>{escape(note.note_type.name)}, {len(note.cards)} card'
            f'{"s" if len(note.cards) != 1 else ""}</span></div>')
    cards = "\n".join(_card(note, card) for card in note.cards)
    attrs = f' data-change="{escape(change)}"' if change else ""
    return (f'<section class="note" id="note-{escape(note.guid)}" data-guid="{escape(note.guid)}"'
            f"{attrs}>\n{head}\n{cards}\n</section>")


def _card(note: NoteView, card) -> str:
    number = f"card {card.ordinal}" if note.note_type.cloze else "card"
    return (f'<div class="anki-card" data-card="{card.ordinal}">'
            f'<div class="side front"><div class="side-label">Front · {number}</div>'
            f'<div class="card card{card.ordinal}">{card.question}</div></div>'
            f'<div class="side back"><div class="side-label">Back · {number}</div>'
            f'<div class="card card{card.ordinal}">{card.answer}</div></div></div>')


def _index(decks: list[DeckView], changes: Mapping[str, str]) -> str:
    parts = []
    for deck in decks:
        rows = []
        for video in deck.videos:
            counts = Counter(changes.get(n.guid) for n in video.notes)
            marks = ", ".join(f"{counts[k]} {k}" for k in CHANGE_KINDS if counts[k])
            rows.append(f'<tr><td><a href="{escape(video_path(deck, video))}">{escape(video.title)}</a>'
                        f'</td><td class="n">{len(video.notes)}</td><td class="n">{video.card_count}</td>'
                        f"<td>{escape(marks)}</td></tr>")
        retired = ""
        if deck.retired:
            items = "".join(f"<li><code>{escape(n.guid)}</code> {n.fields[0]}</li>" for n in deck.retired)
            retired = (f"<h3>Retired notes ({len(deck.retired)}), shipped without cards</h3>"
                       f"<ul>{items}</ul>")
        parts.append(
            f"<h2>{escape(deck.name)}</h2><p>{len(deck.videos)} videos, "
            f"{sum(len(v.notes) for v in deck.videos)} notes, {deck.card_count} cards</p>"
            '<table class="videos"><thead><tr><th>Video</th><th class="n">Notes</th>'
            f'<th class="n">Cards</th><th>Changes</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{retired}')
    bar = "<h1>Deck preview</h1>"
    body = f'<main class="notes">{"".join(parts)}</main>'
    return _page("Deck preview", "", bar, body, False)
