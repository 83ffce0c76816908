"""Anki's card templates, rendered the way Anki renders them (the subset our note types use).

Supported: ``{{Field}}``, ``{{#Field}}…{{/Field}}``, ``{{^Field}}…{{/Field}}``,
``{{FrontSide}}`` and ``{{cloze:Field}}`` with Anki's own cloze HTML:
the active deletion is ``<span class="cloze" data-cloze="…" data-ordinal="N">[...]</span>``
on the front and ``<span class="cloze" data-ordinal="N">text</span>`` on the back;
the others are ``<span class="cloze-inactive" data-ordinal="M">text</span>``.
``tests/test_template.py`` holds this to the real Anki backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .notetypes import NoteType


class TemplateError(ValueError):
    """A template names a field the note type does not have, or is unbalanced."""


# ---- cloze deletions ---------------------------------------------------------

_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")


@dataclass
class _Cloze:
    ordinal: int
    nodes: list = field(default_factory=list)  # str or _Cloze
    hint: str | None = None


def _parse_clozes(text: str) -> list:
    """Text → nodes: plain strings and (possibly nested) cloze deletions."""
    out: list = []
    open_: list[_Cloze] = []
    pos = 0

    def add_text(piece: str) -> None:
        if not piece:
            return
        if open_:
            cloze = open_[-1]
            if "::" in piece:
                piece, cloze.hint = piece.split("::", 1)
            cloze.nodes.append(piece)
        else:
            out.append(piece)

    for m in _TOKEN.finditer(text):
        add_text(text[pos:m.start()])
        pos = m.end()
        if m.group(1) is not None:
            if len(open_) < 10:
                open_.append(_Cloze(int(m.group(1))))
        elif open_:
            cloze = open_.pop()
            (open_[-1].nodes if open_ else out).append(cloze)
        else:
            out.append("}}")
    add_text(text[pos:])
    return out


def cloze_numbers(text: str) -> list[int]:
    """The card numbers a cloze field makes, ascending (``c0`` makes none, but may hold some)."""
    found: set[int] = set()

    def walk(nodes):
        for node in nodes:
            if isinstance(node, _Cloze):
                if node.ordinal:
                    found.add(node.ordinal)
                walk(node.nodes)

    walk(_parse_clozes(text))
    return sorted(found)


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def encode_attribute(text: str) -> str:
    """Escape as Anki does for ``data-cloze``: ``&<>"`` named, other non-alphanumerics
    below U+0100 as ``&#xHH;``, the rest unchanged."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif code < 256 and not (ch.isascii() and ch.isalnum()):
            out.append(f"&#x{code:02X};")
        else:
            out.append(ch)
    return "".join(out)


def _reveal(cloze: _Cloze, ordinal: int, question: bool, found: list[bool]) -> str:
    active = cloze.ordinal == ordinal
    found[0] |= active
    inner = "".join(n if isinstance(n, str) else _reveal(n, ordinal, question, found)
                    for n in cloze.nodes)
    if active and question:
        return (f'<span class="cloze" data-cloze="{encode_attribute(inner)}" '
                f'data-ordinal="{cloze.ordinal}">[{cloze.hint if cloze.hint is not None else "..."}]</span>')
    if active:
        return f'<span class="cloze" data-ordinal="{cloze.ordinal}">{inner}</span>'
    return f'<span class="cloze-inactive" data-ordinal="{cloze.ordinal}">{inner}</span>'


def reveal_cloze(text: str, ordinal: int, question: bool) -> str:
    """A cloze field as card ``ordinal`` shows it; "" if that deletion is not in the text."""
    found = [False]
    html = "".join(n if isinstance(n, str) else _reveal(n, ordinal, question, found)
                   for n in _parse_clozes(text))
    return html if found[0] else ""


# ---- templates ---------------------------------------------------------------

_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
_EMPTY = re.compile(r"^(?:\s|&nbsp;|</?(?:br|div|p)\s*/?>)*$", re.I)


def field_is_empty(value: str) -> bool:
    return bool(_EMPTY.match(value))


@dataclass(frozen=True)
class Card:
    """One card of a note as Anki shows it: HTML inside the reviewer's ``<body class="card">``."""

    ordinal: int  # 1-based: the cloze number, or the template's position
    question: str
    answer: str


def render(template: str, fields: dict[str, str], ordinal: int, *, question: bool,
           front_side: str = "") -> str:
    """Fill a template for card ``ordinal`` (1-based) on the front or the back."""
    out, _ = _render(template, 0, fields, ordinal, question, front_side, None)
    return out


def _render(tpl: str, pos: int, fields, ordinal, question, front_side, closing):
    out = []
    while True:
        m = _TAG.search(tpl, pos)
        if not m:
            if closing is not None:
                raise TemplateError(f"missing {{{{/{closing}}}}}")
            out.append(tpl[pos:])
            return "".join(out), len(tpl)
        out.append(tpl[pos:m.start()])
        tag = m.group(1).strip()
        pos = m.end()
        if tag[:1] in "#^":
            name = tag[1:].strip()
            inner, pos = _render(tpl, pos, fields, ordinal, question, front_side, name)
            empty = field_is_empty(_field(fields, name))
            if empty == (tag[0] == "^"):
                out.append(inner)
        elif tag[:1] == "/":
            if tag[1:].strip() != closing:
                raise TemplateError(f"unexpected {{{{{tag}}}}}")
            return "".join(out), pos
        elif tag == "FrontSide":
            out.append(front_side)
        else:
            out.append(_replacement(tag, fields, ordinal, question))


def _field(fields: dict[str, str], name: str) -> str:
    if name not in fields:
        raise TemplateError(f"no field named {name!r}")
    return fields[name]


def _replacement(tag: str, fields, ordinal: int, question: bool) -> str:
    *filters, name = tag.split(":")
    value = _field(fields, name.strip())
    for flt in reversed(filters):
        if flt.strip() == "cloze":
            value = reveal_cloze(value, ordinal, question)
        else:
            raise TemplateError(f"filter {flt!r} is not supported")
    return value


def render_cards(note_type: NoteType, values: tuple[str, ...]) -> list[Card]:
    """Every card a note makes, front and back, in Anki's card order."""
    fields = dict(zip(note_type.field_names, values))
    cards = []
    if note_type.cloze:
        _, _, front, back = note_type.templates[0]
        text = "".join(fields[name] for name in _cloze_fields(front))
        for n in cloze_numbers(text):
            q = render(front, fields, n, question=True)
            cards.append(Card(n, q, render(back, fields, n, question=False, front_side=q)))
        return cards
    for n, (_, _, front, back) in enumerate(note_type.templates, 1):
        q = render(front, fields, n, question=True)
        cards.append(Card(n, q, render(back, fields, n, question=False, front_side=q)))
    return cards


def _cloze_fields(template: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"\{\{\s*cloze:([^}]+)\}\}", template)]
