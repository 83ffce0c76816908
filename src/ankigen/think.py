"""Let's Think Together: the question, wherever the author put it → front; the answer's
first sentences → back; the rest of the answer (and any hint) → context below it.

Authors write the question quoted or not, bold or not, in a quote block or a list item,
mid-paragraph (``…? Don't answer too fast—…``), or labelled (``**Question:** …? Hint: …``
then ``**Answer:** …``). Around it they write to the viewer: ``Pause. Think.``, ``Got your
answer? Let me walk through it.``, ``Trick question.``, ``*(Pause.)*``. Those stage
directions and the ``Question:`` / ``Answer:`` labels never reach a card."""

from __future__ import annotations

import re

from .errors import Problems
from .notes import QA, THINK, NoteSpec
from .recap import take_pin
from .script import Section
from .text import has_words, recall_split, sentences, strip_wrapping, word_count

# Words a stage direction is made of. A short sentence of these words only, one of them a
# word about pausing, thinking or answering (``_CUES``), talks to the viewer, not about the
# topic ("Pause the video for a moment."). Verbs a topic uses too ("write it down", "stop",
# "make it work") are allowed in one but never make one.
_CUES = frozenset("""pause paused pausing unpause think thinking thought thoughts ponder consider
answer answers answered answering guess guessed guessing walk walking reveal revealed spoiler
spoilers peek peeking trick tricky question questions puzzle quiz challenge video screen ready
got get here's there's let's take try time's drumroll hmm sit mull chew reflect""".split())
_SMALL = frozenset("""a an the it it's its this that these those your you you've you're yours
yourself me my i i'll i'm we we'll we're us let so ok okay alright all right well and or but
then on for to of over through about with before after at in up out down here there now what
what's did do does have has had be is are was just really very more once too not no yet again
still first one two few some quick quickly bit little why how happens happened plays goes
second seconds minute minutes moment moments minute's moment's time beat breath ahead taking
tried make write jot note call say go going come set see look break explain math maths work
working solution solve step steps together jump read reading scroll continue resume play hit
button freeze stop wait hang hold drum roll good great nice sure easy hard simple interesting
fun carefully seriously honestly please mind head next sentence sec setup scenario situation
give given with three four five ten fifteen twenty thirty sixty""".split())
_STAGE = _SMALL | _CUES
_INTERJECTIONS = frozenset("ok okay so well alright hmm hm now".split())  # "So?" alone
# "Don't answer too fast—the second half is where most people slip."
_DONT = re.compile(r"^(?:don'?t|do not|try not to|no|resist)\s+(?:\w+\s+){0,2}?"
                   r"(?:answer|answering|rush|peek|peeking|jump|scroll|cheat|guess|skip)", re.I)
_WORDS = re.compile(r"[a-z][a-z']*|\d+")
_UNWRAP = " \t*_()[]{}\"'“”‘’>"
_LABEL = re.compile(r"^\s*[*_]{0,2}\s*(?P<label>question|q|answer|a|hint|solution|explanation|"
                    r"the answer|my answer|answer time)\s*[*_]{0,2}\s*[:：]\s*[*_]{0,2}\s*(?=\S|$)",
                    re.I)
_QUESTION_LABELS = ("question", "q")
_LEADING_QUESTION = re.compile(r"^\s*[*_]*[\"“](?P<q>[^\"“”]+\?)[\"”][*_]*\s+(?P<rest>\S.*)$", re.S)


def is_stage_direction(sentence: str) -> bool:
    """Whether a sentence speaks to the viewer about pausing, thinking or answering
    (``Pause. Think.``, ``Got your answer?``, ``Let me walk through it.``, ``*(Pause.)*``)
    rather than about the topic."""
    if sentence.count(" ") > 20:
        return False
    text = sentence.strip(_UNWRAP).replace("’", "'").replace("‘", "'")
    words = _WORDS.findall(text.lower())
    if not words or len(words) > 16:
        return False
    if _DONT.match(text):
        return True
    if len(words) > 12:
        return False
    if len(words) == 1 and words[0] in _INTERJECTIONS:
        return True
    return all(w in _STAGE or w.isdigit() for w in words) and any(w in _CUES for w in words)


def _label(text: str) -> tuple[str, str]:
    """``**Question:** Why?`` → (``question``, ``Why?``); no label → (``""``, text)."""
    m = _LABEL.match(text)
    if not m:
        return "", text
    return m.group("label").lower(), text[m.end():].strip()


_HINTED = re.compile(r"\bhint\s*[*_]{0,2}\s*[:：]", re.I).search


def _is_hint(sentence: str) -> bool:
    return _label(sentence.lstrip(_UNWRAP))[0] == "hint"


def _asks(sentence: str) -> bool:
    return sentence.rstrip(_UNWRAP).endswith("?") and not is_stage_direction(sentence)


def _wrapped(text: str) -> bool:
    """A text quoted or emphasised from end to end (``"…?"``, ``**…?**``)."""
    return text[:1] in "\"“*_" and strip_wrapping(text) != text.strip()


class _Unit:
    """A paragraph, quote or list item of the section, its label taken off."""

    def __init__(self, text: str, line: int, kind: str):
        self.line, self.kind = line, kind
        self.label, self.text = _label(text)


def think_notes(section: Section, path: str, problems: Problems) -> list[NoteSpec]:
    """The section's question and answer → one question/answer note (or a warning)."""
    units = _units(section)
    found = _find_question(units)
    if found is None:
        problems.warn(path, section.line, "no question (a sentence ending in '?') followed by "
                      "an answer; no card", "no-question")
        return []
    index, question, leftover, hints, quoted = found
    answer, rest = _answer(units[index + 1:], leftover, hints)
    question, pin = take_pin(_without_lead_in(question))
    if not quoted:  # an unquoted question may lean on the paragraph before it
        question = " ".join((*_context_before(units[:index]), question))
    answer, answer_pin = take_pin(answer)
    question = strip_wrapping(question)
    back, more = recall_split(answer)
    if not has_words(question) or not has_words(back):
        problems.warn(path, units[index].line, "the question or its answer is empty; no card",
                      "no-question")
        return []
    extra = "\n\n".join(part for part in (more, *rest, *hints) if part)
    pin = pin or answer_pin
    return [NoteSpec(THINK, pin or "", QA, question, section.heading, units[index].line,
                     back=back, extra=extra, answers=(back,), pinned=bool(pin))]


def _units(section: Section) -> list[_Unit]:
    out = []
    for block in section.blocks:
        if block.kind in ("paragraph", "quote") and block.text:
            out.append(_Unit(block.text, block.line, block.kind))
        elif block.kind == "heading" and block.text.rstrip(_UNWRAP).endswith("?"):  # ### Why…?
            out.append(_Unit(block.text, block.line, block.kind))
        elif block.kind == "list":
            out += [_Unit(item.text, item.line, "item") for item in block.items]
    return out


def _find_question(units: list[_Unit]):
    """(index of the question's unit, the question, what follows it in that unit, hints),
    or None. A labelled question first; then one quoted or emphasised from end to end;
    then the first sentence that asks, wherever it stands."""
    asking = [i for i, u in enumerate(units) if "?" in u.text]
    order = ([i for i, u in enumerate(units) if u.label in _QUESTION_LABELS]
             + [i for i in asking if _wrapped(units[i].text)] + asking)
    for i in dict.fromkeys(order):
        found = _question_in(units[i].text)
        if found is not None:
            question, leftover, hints, quoted = found
            if leftover or i + 1 < len(units):
                return i, question, leftover, hints, quoted or units[i].label in _QUESTION_LABELS
    return None


CONTEXT_WORDS = 60  # the most words of setting a question borrows from the paragraphs before it


def _context_before(units: list[_Unit]) -> list[str]:
    """The setting an unquoted question leans on ("Picture three replicas…" then "What
    happens when two fail?"): the paragraphs just before it, stage directions left out,
    while they stay short."""
    out: list[str] = []
    words = 0
    for unit in reversed(units):
        if unit.label or unit.kind == "heading" or "?" in unit.text or _wrapped(unit.text):
            break
        text = " ".join(_without_stage(sentences(unit.text)))
        words += word_count(text)
        if words > CONTEXT_WORDS:
            break
        if text:
            out.insert(0, _without_lead_in(text))
    return out


def _question_in(text: str):
    """(question, the sentences after it that are neither stage directions nor hints, hints)."""
    m = _LEADING_QUESTION.match(text)
    if m:  # "Whose problem is it?" At L5, … — question and answer in one paragraph
        return m.group("q"), _without_stage(sentences(m.group("rest"))), [], True
    if _wrapped(text) and text.rstrip(_UNWRAP).endswith("?"):
        return text, [], [], True
    parts = sentences(text)
    asking = [k for k, s in enumerate(parts) if _asks(s)]
    if not asking:
        return None
    last = asking[-1]
    hints = [_hint(s) for s in parts[last + 1:] if _is_hint(s)]
    leftover = [s for s in parts[last + 1:] if not _is_hint(s)]
    return " ".join(_without_stage(parts[:last + 1])), _without_stage(leftover), hints, False


# "**Think about this:** …", "Here's the question: …": a lead-in that is a stage direction.
_LEAD_IN = re.compile(r"^\s*[*_]{0,2}(?P<lead>[^:*_\n?]{1,60}?)[*_]{0,2}\s*[:：]\s*[*_]{0,2}\s*(?=\S)")


def _without_lead_in(text: str) -> str:
    m = _LEAD_IN.match(text)
    if not m or not is_stage_direction(m.group("lead")):
        return text
    rest = text[m.end():]
    return rest[:1].upper() + rest[1:]


def _hint(text: str) -> str:
    return "Hint: " + _label(text.strip(" *_()[]"))[1]


def _without_stage(parts: list[str]) -> list[str]:
    return [s for s in parts if not is_stage_direction(s)]


def _answer(units: list[_Unit], leftover: list[str], hints: list[str]) -> tuple[str, list[str]]:
    """The answer (its stage directions and labels taken off) and the context after it."""
    texts = []
    if leftover:
        texts.append(_label(" ".join(leftover))[1])
    for unit in units:
        if unit.label == "hint":
            hints.append(_hint(unit.text))
            continue
        text = unit.text
        if _HINTED(text) and any(_is_hint(s) for s in sentences(text)):  # "Hint: …" → below
            parts = sentences(text)
            hints += [_hint(s) for s in parts if _is_hint(s)]
            text = " ".join(s for s in parts if not _is_hint(s))
        text = _without_trailing_stage(_without_leading_stage(text))
        if not texts:  # the answer opens at its first sentence that answers: no label
            text = _without_lead_in(_without_leading_stage(_label(text)[1]))
        if has_words(text):
            texts.append(text)
    return (texts[0], texts[1:]) if texts else ("", [])


# What a stage direction or a bare label can start with: any other first word, and the
# text does not start with one (no need to split it into sentences to know).
_OPENERS = _CUES | frozenset("""let let's here here's so now ok okay alright what
did do don't have no try well right all q a question hint solution explanation good great
nice tough fun interesting""".split())
_FIRST_WORD = re.compile(r"[a-z][a-z']*")


def _may_open_stage(text: str) -> bool:
    m = _FIRST_WORD.match(text.lstrip(_UNWRAP)[:24].lower().replace("’", "'"))
    return m is None or m.group() in _OPENERS


_FIRST = 160  # characters enough to hold a stage direction (at most 16 words) and what follows


def _without_leading_stage(text: str) -> str:
    """The text from its first sentence that is not a stage direction (and not an empty
    label): "Got your answer? Let me walk through it. Every minute, …" → "Every minute, …"."""
    while text and _may_open_stage(text):
        first = (sentences(text[:_FIRST]) or [""])[0]
        if not (is_stage_direction(first) or not has_words(_label(first)[1])):
            return text
        text = text[text.find(first) + len(first):].lstrip()
    return text


_CUED = re.compile(r"paus|think|answer|walk|question|ready|guess|peek|moment")
_cued = _CUED.search


def _without_trailing_stage(text: str) -> str:
    """The text without the stage directions it ends with ("… Pause and think about that.")."""
    while text and _cued(text[-_FIRST:].lower()):
        last = (sentences(text[-_FIRST:]) or [""])[-1]
        if not last or not is_stage_direction(last):
            return text
        text = text[:text.rfind(last)].rstrip()
    return text
