"""Quick Recap bullets → cloze notes (CARDS.md "Recap bullets → cloze")."""

from __future__ import annotations

import re
from dataclasses import replace

from .errors import Problems
from .notes import CLOZE, QA, RECAP, NoteSpec
from .script import Item
from .bullet import ends_question
from .shapes import deletions
from .text import (bold_spans, cloze, has_words, is_small, sentences, slugify,
                   split_trailing_punct)

PIN = re.compile(r"\s*<!--\s*ankigen:id\s+(.+?)\s*-->\s*$")


def take_pin(text: str) -> tuple[str, str | None]:
    """``… <!-- ankigen:id trap -->`` → (text without the comment, ``trap``)."""
    m = PIN.search(text) if "<!--" in text else None
    if not m:
        return text, None
    return text[: m.start()].rstrip(), slugify(m.group(1))


def recap_note(item: Item, section: str, path: str, problems: Problems,
               title: str = "") -> NoteSpec | None:
    """One bullet → one note, shaped by its bold phrases (or, with none, by its own shape and
    the video's ``title``); an empty bullet → None, warned."""
    text, pin = take_pin(item.text)
    if not has_words(text):
        problems.warn(path, item.line, "empty recap bullet; no card", "empty-bullet")
        return None
    extra = "\n".join(f"- {child}" for child in item.children) if item.children else ""
    spans = bold_spans(text)
    if not spans:
        note = _unbolded_note(text, text, pin, section, item.line, title, path, problems, "no-bold")
        return _with_extra(note, extra)
    if not has_words(_outside(text, spans)):  # bold from end to end: as if bolded nothing
        note = _unbolded_note(text, _unbold(text, spans), pin, section, item.line, title, path,
                              problems, "all-bold")
        return _with_extra(note, extra)
    first = spans[0]
    lead, inner, after = text[: first.start].strip(), first.inner.strip(), text[first.end:]
    if not lead and (inner.endswith(":") or after.startswith(":")):
        label = inner.rstrip(":").strip()
        after = after[1:] if after.startswith(":") else after
        note = _label_note(label, after, pin, section, item.line)
    elif not lead and (inside := _LABEL_INSIDE.match(inner)):  # **Trap: In your lane.** More…
        note = _label_note(inside.group(1).strip(), f"{inside.group(2)} {after.strip()}", pin, section,
                           item.line)
    elif not lead and inner.endswith("?"):
        note = _prompt_note(inner, after, pin, section, item.line)
    else:
        note = None
    note = note or _terms_note(text, spans, pin, section, item.line)
    return _with_extra(note, extra)


_LABEL_INSIDE = re.compile(r"^([^:*_`]{1,40}):\s+(\S.*)$", re.S)


def _with_extra(note: NoteSpec, extra: str) -> NoteSpec:
    """The note with the bullet's nested items as its context (notes are made without)."""
    return replace(note, extra=extra) if extra else note


def _outside(text: str, spans) -> str:
    """The bullet's words outside its bold spans."""
    out, pos = [], 0
    for span in spans:
        out.append(text[pos:span.start])
        pos = span.end
    out.append(text[pos:])
    return " ".join(out)


def _answer_sentence(sents: list[str]) -> int:
    """The first sentence that is not itself a question (a question alone is kept)."""
    return next((i for i, s in enumerate(sents) if not ends_question(s)), 0)


def _label_note(label, body, pin, section, line) -> NoteSpec | None:
    """``**Trap:** Staying in your lane. …`` → the first sentence that answers is deleted."""
    return _sentence_note(f"**{label}:** ", label, body, pin, section, line)


def _prompt_note(prompt, body, pin, section, line) -> NoteSpec | None:
    """``**2 AM page for a dependency?** If you can help, you help. …`` → its answer deleted."""
    return _sentence_note(f"**{prompt}** ", prompt, body, pin, section, line)


def _sentence_note(lead, anchor, body, pin, section, line) -> NoteSpec | None:
    sents = sentences(body)
    if not sents:
        return None
    target = _answer_sentence(sents)
    answer = sents[target]
    sents[target] = cloze(1, answer)
    return NoteSpec(RECAP, pin or slugify(anchor), CLOZE, lead + " ".join(sents),
                    section, line, answers=(answer,), pinned=bool(pin))


def _terms_note(text, spans, pin, section, line) -> NoteSpec:
    out, pos, terms = [], 0, []
    for n, span in enumerate(spans, 1):
        term, punct = split_trailing_punct(span.inner.strip())
        terms.append(term)
        out.append(text[pos: span.start])
        out.append(cloze(n, term) + punct)
        pos = span.end
    out.append(text[pos:])
    anchor = pin or "+".join(slugify(t, 40) for t in terms)
    return NoteSpec(RECAP, anchor, CLOZE, "".join(out), section, line,
                    answers=tuple(terms), pinned=bool(pin))


_BOLD_MARKS = re.compile(r"(\*\*|__)")

_UNBOLDED = {"no-bold": "recap bullet has no bold phrase",
             "all-bold": "recap bullet is bold from end to end"}


def _unbolded_note(written, text, pin, section, line, title, path, problems, code) -> NoteSpec:
    """A bullet whose bold names nothing to hide: a cloze of what its shape names
    (``shapes.deletions``), noted as info; a question/answer note, warned, where none holds."""
    anchor = pin or _first_words_anchor(written)
    cards = deletions(text, title)
    if cards is None:
        problems.warn(path, line, f"{_UNBOLDED[code]} and no part of it can be hidden on its own; "
                      "it becomes a question/answer note (bold the key phrase to make a cloze)",
                      code)
        return NoteSpec(RECAP, anchor, QA, _ask_whole(text), section, line, back=text,
                        answers=(text,), pinned=bool(pin))
    marked, answers = _hide(text, cards)
    problems.info(path, line, f"{_UNBOLDED[code]}; the cloze hides "
                  f"{', '.join(f'“{a}”' for a in answers)} (bold the key phrase to choose it)", code)
    return NoteSpec(RECAP, anchor, CLOZE, marked, section, line, answers=answers,
                    pinned=bool(pin))


def _first_words_anchor(text: str) -> str:
    """The identity such a bullet has always had (locks hold it): its first six words."""
    return slugify(" ".join(_BOLD_MARKS.sub("", text).split()[:6]))


def _unbold(text: str, spans) -> str:
    """The text with its bold markers taken out (the bold phrases' words kept)."""
    out, pos = [], 0
    for span in spans:
        out += [text[pos:span.start], span.inner]
        pos = span.end
    out.append(text[pos:])
    return "".join(out).strip()


def _hide(text: str, cards) -> tuple[str, tuple[str, ...]]:
    """The text with each card's spans marked as its deletion; what each card asks for."""
    numbered = sorted((start, end, n) for n, card in enumerate(cards, 1) for start, end in card)
    out, pos = [], 0
    for start, end, n in numbered:
        out += [text[pos:start], cloze(n, text[start:end])]
        pos = end
    out.append(text[pos:])
    answers = tuple(" … ".join(text[a:b] for a, b in sorted(card)) for card in cards)
    return "".join(out), answers


_CONTENT_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def _ask_whole(text: str) -> str:
    """The front of a bullet with nothing to hide on its own: the bullet itself, each word
    of substance cut to its first letter (every word, where none has substance)."""
    words = _CONTENT_WORD.findall(text)
    keep_small = any(not is_small(w) for w in words)
    masked = _CONTENT_WORD.sub(lambda m: m.group(0) if keep_small and is_small(m.group(0))
                               else m.group(0)[0] + "…", text)
    return f"Which words complete the recap point “{masked}”?"
