"""The small rules extraction is built from, each checked on its own."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankigen.config import DEFAULT_LEVELS
from ankigen.ladder import _recallable, common_parts
from ankigen.levels import Levels
from ankigen.errors import Problems
from ankigen.notes import CLOZE, QA
from ankigen.recap import recap_note, take_pin
from ankigen.script import Item, parse, section_role
from ankigen.contrast import split_response
from ankigen.extract import level_tags
from ankigen.text import bold_spans, heading_count, recall_split, sentences, show_cloze, slugify
from ankigen.think import is_stage_direction

LEVELS = Levels(DEFAULT_LEVELS)
prose = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)

# ---------------------------------------------------------------- sentences


@pytest.mark.parametrize(("text", "expected"), [
    ("You own the outcome. Not just your PRs.", ["You own the outcome.", "Not just your PRs."]),
    ('At L5: "Theirs." At L6: "Ours."', ['At L5: "Theirs."', 'At L6: "Ours."']),
    ("Downstream causes your incidents? It's your problem too.",
     ["Downstream causes your incidents?", "It's your problem too."]),
    ("**Trap.** Staying in your lane.", ["**Trap.**", "Staying in your lane."]),
    ("Reliability. On-call. Migration.", ["Reliability.", "On-call.", "Migration."]),
    ("Fix it. 2 AM pages stop.", ["Fix it.", "2 AM pages stop."]),
    ("(Really?) Yes.", ["(Really?)", "Yes."]),
    # not a sentence end: a lower-case word follows, a number, code, an abbreviation
    ("Wait... what happened?", ["Wait... what happened?"]),
    ("It dropped to 3.5 seconds.", ["It dropped to 3.5 seconds."]),
    ("Call `os.path.join`. Then return.", ["Call `os.path.join`.", "Then return."]),
    ("Call `a. B` here.", ["Call `a. B` here."]),
    ("Use a queue, e.g. Kafka. Or SQS.", ["Use a queue, e.g. Kafka.", "Or SQS."]),
    ("Ask Dr. Smith first.", ["Ask Dr. Smith first."]),
    ("Ça marche. élan vital continues.", ["Ça marche. élan vital continues."]),
    ("no final punctuation", ["no final punctuation"]),
    ("", []),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


@settings(max_examples=200, deadline=None)
@given(prose)
def test_sentences_lose_no_text(text):
    out = sentences(text)
    assert all(s.strip() == s and s for s in out)
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    assert squash("".join(out)) == squash(text)


# ---------------------------------------------------------------- slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("Code ownership", "code-ownership"),
    ("2 AM page for a dependency?", "2-am-page-for-a-dependency"),
    ("Staff+", "staff-plus"),
    ("Ask, don’t tell", "ask-dont-tell"),
    ("Zoë’s first pull request", "zoes-first-pull-request"),
    ("R&D", "r-and-d"),
    ("TL;DR first", "tl-dr-first"),
    ("snake_case name", "snake-case-name"),
    ("<i>Injected</i> title", "injected-title"),
    ("日本語のテスト", "日本語のテスト"),
    ("!!!", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


@settings(max_examples=300, deadline=None)
@given(prose, st.integers(min_value=8, max_value=80))
def test_slugs_are_short_stable_and_plain(text, limit):
    slug = slugify(text, limit)
    assert len(slug) <= limit
    assert slugify(slug, limit) == slug
    assert not re.search(r"\s|[/:{}<>\"'_]|^-|-$|--", slug)


# ---------------------------------------------------------------- headings


@pytest.mark.parametrize(("heading", "role"), [
    ("Quick Recap (5 bullets)", "recap"),
    ("Quick recap:", "recap"),
    ("QUICK RECAP", "recap"),
    ("Key Takeaways", "recap"),
    ("One-Liner to Remember", "one_liner"),
    ("One liner to remember!", "one_liner"),
    ("Real-World Examples (2-3)", "examples"),
    ("real world examples", "examples"),
    ("Example 2: Migration", "examples"),
    ("Let's Think Together", "think"),
    ("Let’s think together…", "think"),
    ("Another Way to See It", "ladder"),
    ("Another way to think about it", "ladder"),
    ("Pause and think about it", "think"),
    ("Case Studies", "examples"),
    ("🔁 Quick Recap", "recap"),
    ("Video Length: ~4-5 minutes | Level: Staff", "meta"),
    ("The Hook (20-30 seconds)", None),
    ("The Story", None),
    ("Let's Walk Through the Diagram", None),
    ("What Could Go Wrong? (Mini Disaster Story)", None),
    ("Surprising Truth / Fun Fact", None),
    ("Connecting to Software", None),
    ("Next Video", None),
    ("Hook", None),
    ("Real Examples", "examples"),
    ("A Second Way to Think About It", "analogy"),
    ("The Big Analogy", "analogy"),
    ("Level: Beginner", "meta"),
])
def test_section_role(heading, role):
    assert section_role(heading) == role


# ---------------------------------------------------------------- think-together


@pytest.mark.parametrize("sentence", [
    "Pause. ", "Think.", "Pause and think.", "Pause the video for a moment.", "Got your answer?",
    "Let me walk through it.", "Let's walk through it together.", "Trick question.", "Think about it.",
    "Take a moment.", "Take a few seconds before you read on.", "Here's one for you.",
    "Here's a tricky one.", "Ready?", "Ready for a puzzle?", "*(Pause.)*", "[pause]", "_Think about it._",
    "Okay, time's up.", "Have your answer? Good.", "Don't answer too fast—the second half is where most people slip.",
    "Don’t peek!", "So, what did you get?", "Let's break it down.", "Hmm.",
    "Pause here.", "(Pause for 3 seconds)", "[PAUSE]", "Think it through.", "Give it a try.",
    "Take your time.", "Okay, here's the answer.", "Answer time!", "Here's what happens.",
    "Go ahead, pause the video.", "Did you get it?", "Let's do the math.", "So?",
    "Good question to sit with.", "Think about it for ten seconds.", "Great question.", "Mull it over.",
])
def test_stage_directions(sentence):
    assert is_stage_direction(sentence)


@pytest.mark.parametrize("sentence", [
    "It isn't.", "About a third.", "No.", "Both can hurt, and the fixes are different.",
    "Is that transaction safe?", "What happens?", "What fraction of checkouts finish?",
    "Think of the postbox on your street corner.", "The pause lasts five seconds.",
    "A garbage-collection pause freezes it for five seconds.", "Take the lock before you write.",
    "Let the queue absorb the burst.", "Walk the ring clockwise to the next server.",
    "Don't retry on a 400.", "Answer with a 429 and a Retry-After header.",
    "Why?", "How?", "What goes wrong?", "Two minutes.", "About a minute.", "A few seconds.",
    "A second replica takes over.", "Take the lock first.", "Let it fail.", "Right.",
    "Write it down.", "Stop.", "Make it work.", "You own it.", "Wait for the lease to expire.",
    "Sit with the data.", "Good caches fail open.", "Think in five-minute windows.", "Ten seconds.",
])
def test_sentences_about_the_topic_are_not_stage_directions(sentence):
    assert not is_stage_direction(sentence)


@pytest.mark.parametrize(("text", "recall", "rest"), [
    ("Short. Also short.", "Short. Also short.", ""),
    ("One sentence only.", "One sentence only.", ""),
    ("The old one, because the backfill copied the row before the update and nothing since has "
     "written the new value to the new store, which is exactly why dual writes must start before "
     "the backfill begins and why a comparison job must run after it ends.",
     "The old one, because the backfill copied the row before the update and nothing since has "
     "written the new value to the new store…",
     "…which is exactly why dual writes must start before the backfill begins and why a "
     "comparison job must run after it ends."),
    ("Prefer this: " + "word " * 50 + "end.", "Prefer this: " + "word " * 50 + "end.", ""),
])
def test_recall_split_keeps_a_back_within_about_forty_words(text, recall, rest):
    assert recall_split(text) == (recall, rest)


@pytest.mark.parametrize(("text", "recall"), [
    ('"We write to both stores from Monday, backfill the old rows in the background, compare '
     'reads for a week, and switch reads over one percent at a time, so any difference shows up '
     'while it is cheap to fix and we can always go back." Nobody loses a weekend.',
     '"We write to both stores from Monday, backfill the old rows in the background, compare '
     'reads for a week, and switch reads over one percent at a time…"'),
    ('"Ours." And the rest of the commentary.', '"Ours."'),
])
def test_a_long_quoted_response_is_cut_inside_its_quotes(text, recall):
    assert split_response(text)[0] == recall


@pytest.mark.parametrize(("heading", "count"), [
    ("Quick Recap (5 bullets)", 5), ("Quick Recap (1 bullet)", 1), ("Quick Recap (4)", 4),
    ("Real-World Examples (2-3)", None), ("Quick recap:", None), ("Quick Recap — 5 bullets", None),
])
def test_heading_count(heading, count):
    assert heading_count(heading) == count


def test_heading_levels_and_line_endings_do_not_change_the_parse():
    lf = "# T\n\n## Quick Recap\n\n- **Trap:** Staying\n  in your lane.\n\n## One-liner\n\nOwn it.\n"
    variants = [lf, lf.replace("\n", "\r\n"), "\ufeff" + lf, lf.replace("## ", "### "),
                lf.replace("- ", "* "), lf.replace("- ", "1. "), lf.replace("  in", "\tin")]
    shapes = set()
    for text in variants:
        script = parse(text, "x.md")
        shapes.add(tuple((s.role, s.line, tuple(i.text for b in s.blocks for i in b.items))
                         for s in script.sections))
    assert shapes == {(("recap", 3, ("**Trap:** Staying in your lane.",)), ("one_liner", 8, ()))}


# ---------------------------------------------------------------- recap bullet shapes


def recap(text: str, problems: Problems | None = None):
    return recap_note(Item(text, 7, "-"), "Quick Recap", "x.md", problems or Problems())


@pytest.mark.parametrize(("bullet", "cloze", "anchor"), [
    # bold terms: one deletion each, trailing punctuation outside
    ("**Code ownership** → **System ownership** → **Technical direction ownership.** Each level expands.",
     "{{c1::Code ownership}} → {{c2::System ownership}} → {{c3::Technical direction ownership}}. "
     "Each level expands.", "code-ownership+system-ownership+technical-direction-ownership"),
    ("Turn a flat refusal into a **trade-off question**: \"If we do this, what slips?\"",
     "Turn a flat refusal into a {{c1::trade-off question}}: \"If we do this, what slips?\"",
     "trade-off-question"),
    # a label: the first sentence after it, with its own punctuation
    ("**Trap:** Staying in your lane. At L6, you expand the lane.",
     "**Trap:** {{c1::Staying in your lane.}} At L6, you expand the lane.", "trap"),
    ("**Blast radius**: Keep changes small. Roll back fast.",
     "**Blast radius:** {{c1::Keep changes small.}} Roll back fast.", "blast-radius"),
    # a prompt: the sentence that answers it
    ("**2 AM page for a dependency?** If you can help, you help. \"Not my service\" = L5 mindset.",
     "**2 AM page for a dependency?** {{c1::If you can help, you help.}} \"Not my service\" = L5 mindset.",
     "2-am-page-for-a-dependency"),
    # a label followed by a question: the answer, not the question
    ("**Cross-team:** Downstream causes your incidents? It's your problem too. Help.",
     "**Cross-team:** Downstream causes your incidents? {{c1::It's your problem too.}} Help.",
     "cross-team"),
    ("**2 AM page?** Do you go back to sleep? No: if you can help, you help.",
     "**2 AM page?** Do you go back to sleep? {{c1::No: if you can help, you help.}}",
     "2-am-page"),
    ("**Cross-team:** Whose incident? Whose fix? Ours. Help.",
     "**Cross-team:** Whose incident? Whose fix? {{c1::Ours.}} Help.", "cross-team"),
    # the label inside the bold, the sentence with it
    ("**Trap: Staying in your lane.** At L6, you expand it.",
     "**Trap:** {{c1::Staying in your lane.}} At L6, you expand it.", "trap"),
    # bold italic: the emphasis stays whole inside the deletion
    ("***Code ownership*** comes first.", "{{c1::*Code ownership*}} comes first.", "code-ownership"),
    # a pin names the note, whatever its bold phrase
    ("**The trap:** Staying in your lane. <!-- ankigen:id trap -->",
     "**The trap:** {{c1::Staying in your lane.}}", "trap"),
])
def test_recap_shapes(bullet, cloze, anchor):
    problems = Problems()
    note = recap(bullet, problems)
    assert (note.note_type, show_cloze(note.text), note.anchor) == (CLOZE, cloze, anchor)
    assert problems.items == []


@pytest.mark.parametrize(("bullet", "front", "back"), [
    ("Caching.", "Which words complete the recap point “C….”?", "Caching."),
    ("Never shard before you must.", "Which words complete the recap point “Never s… before you must.”?",
     "Never shard before you must."),
    ("**Ship it.**", "Which words complete the recap point “S… it.”?", "Ship it."),
])
def test_a_bullet_with_nothing_to_delete_becomes_a_question_with_a_warning(bullet, front, back):
    problems = Problems()
    note = recap(bullet, problems)
    assert (note.note_type, note.text, note.back, note.answers) == (QA, front, back, (back,))
    assert [(d.line, d.severity) for d in problems.items] == [(7, "warning")]


def test_bold_inside_code_is_not_bold():
    assert [b.inner for b in bold_spans("Use `**kwargs` and **this**")] == ["this"]


@pytest.mark.parametrize(("text", "pin"), [
    ("Staying in your lane. <!-- ankigen:id trap -->", "trap"),
    ("Staying in your lane.<!--ankigen:id Scope Growth-->", "scope-growth"),
    ("<!-- ankigen:id trap --> in the middle is not a pin", None),
    ("Staying in your lane.", None),
])
def test_take_pin(text, pin):
    rest, found = take_pin(text)
    assert found == pin
    assert ("ankigen:id" in rest) == (pin is None and "ankigen:id" in text)


# ---------------------------------------------------------------- level labels


@pytest.mark.parametrize(("text", "found"), [
    ("L5: you own your code", ("L5", "you own your code")),
    ("**L6:** you own your system", ("L6", "you own your system")),
    ("**Staff+**: technical direction", ("Staff+", "technical direction")),
    ("Senior Staff: aligns teams", ("Senior Staff", "aligns teams")),
    ("L7 — prices in the org-wide cost", ("L7", "prices in the org-wide cost")),
    ("staff: lower case is the same label", ("Staff", "lower case is the same label")),
    ("Senior engineers are on call.", None),
    ("After the launch, everyone goes home.", None),
    ("L55: not a level", None),
    ("Staffing: not a level", None),
])
def test_leading_label(text, found):
    assert LEVELS.leading_label(text) == found


def test_levels_in_prose_count_only_at_a_sentence_start():
    body = ('An L5 engineer pages an L6, unlike at L4, where nobody is paged. '
            'At L5: "Not ours." At L6, you check: can I help? L7 says: "Fix the org."')
    labels = [m.group("a") or m.group("b") for m in LEVELS.responses_in_prose(body)]
    assert labels == ["L5", "L6", "L7"]


def test_custom_levels_replace_the_defaults():
    levels = Levels(("Apprentice", "Master"))
    assert levels.leading_label("Master: writes the recipe") == ("Master", "writes the recipe")
    assert levels.leading_label("L6: you own your system") is None
    assert levels.rank("Master") > levels.rank("Apprentice")


# ---------------------------------------------------------------- ladder deletions


def words(*rungs: str) -> list[list[str]]:
    return [r.split() for r in rungs]


@pytest.mark.parametrize(("rungs", "parts"), [
    (words("you own your code", "you own your system", "you own technical direction"), (2, 0)),
    (words("you fix bugs fast", "you fix processes fast"), (2, 1)),
    (words("You own code", "you OWN systems"), (2, 0)),  # case does not matter
    (words("code", "system", "direction"), (0, 0)),
    (words("you own code", "you own code and systems"), (0, 0)),  # one rung would be empty
    (words("you own code", "you own code"), (0, 0)),
    (words("you own *your code*", "you own *your system*"), (2, 0)),  # emphasis stays whole
    (words("you `own code`", "you `own systems`"), (1, 0)),
])
def test_common_parts(rungs, parts):
    assert common_parts(rungs) == parts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["you", "own", "the", "code", "system", "*x*"]),
                         min_size=1, max_size=6), min_size=2, max_size=4))
def test_every_rung_keeps_something_to_delete(rungs):
    prefix, suffix = common_parts(rungs)
    for rung in rungs:
        assert prefix + suffix < len(rung) or prefix == suffix == 0
        assert [w.lower() for w in rung[:prefix]] == [w.lower() for w in rungs[0][:prefix]]


# ---------------------------------------------------------------- front matter


@pytest.mark.parametrize(("text", "meta", "title"), [
    ("---\ntitle: Own It\nid: own\n---\n# Draft\n", {"title": "Own It", "id": "own"}, "Draft"),
    ("---\n# a YAML comment\ntags: [a]\n...\n# Draft\n", {"tags": ["a"]}, "Draft"),
    ("---\n---\n# Draft\n", {}, "Draft"),
    # a leading rule, then the script: not front matter, nothing swallowed
    ("---\n# Draft\n\n## Video Length: 4 min | Level: Staff\n---\n", {}, "Draft"),
    ("---\nThe system: down. Not: yours.\n---\n# Draft\n", {}, "Draft"),
    ("# Draft\n---\ntitle: Not front matter\n---\n", {}, "Draft"),
])
def test_front_matter(text, meta, title):
    script = parse(text, "x.md")
    assert (script.meta, script.title) == (meta, title)


def test_broken_front_matter_is_an_error_at_its_line():
    from ankigen.errors import AnkigenError

    with pytest.raises(AnkigenError) as raised:
        parse("---\ntitle: ok\ntags: [unclosed\n---\n# T\n", "x.md")
    [d] = raised.value.diagnostics
    assert (d.file, d.line) == ("x.md", 3) and "front matter" in d.message


# ---------------------------------------------------------------- whole scripts, generated


SNIPPETS = [
    "# Title", "## Quick Recap (3 bullets)", "### quick recap:", "## One-Liner to Remember",
    "## Real-World Examples", "## Let's Think Together", "## Another Way to See It", "---",
    "- **Trap:** Staying in your lane.", "* **A** → **B**.", "1. plain bullet", "  - nested",
    "**Example 1: X.** A page. At L5: \"no.\" At L6: \"yes.\"", "| Level | Response |",
    "| --- | --- |", "| L5 | waits |", "> \"Whose problem?\"", "\"Whose problem?\"", "Ours.",
    "L5: you own code. L6: you own systems.", "```", "<!-- ankigen:id pin -->", "<!--", "-->",
    "**", "{{c1::x}}", "::", "", "\t- **Tab:** x", "---\ntitle: T\n---", "At L6:", "- ",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SNIPPETS), prose), max_size=25))
def test_any_script_extracts_or_is_refused_but_never_crashes(lines):
    from pathlib import Path

    from ankigen.errors import AnkigenError
    from ankigen.extract import extract

    problems = Problems()
    try:
        script = parse("\n".join(lines), "x.md")
    except AnkigenError:
        return
    video = extract(script, Path("01-x.md"), LEVELS, problems)
    if video is None:
        assert problems.errors
        return
    keys = [spec.key(video.slug) for spec in video.notes]
    assert len(keys) == len(set(keys))
    assert all(d.line is None or d.line >= 1 for d in problems.items)
    for spec in video.notes:
        assert spec.text.strip() and (spec.note_type == CLOZE or spec.back.strip())


# ---------------------------------------------------------------- fences


def test_a_closed_fence_keeps_comment_lines_that_look_like_headings():
    text = ("# T\n\n## Connecting to Software\n\n```bash\n## install\npip install x\n# run\nx\n```\n\n"
            "## Quick Recap\n\n- **Trap:** x.\n")
    script = parse(text, "t.md")
    assert [s.heading for s in script.sections] == ["Connecting to Software", "Quick Recap"]
    assert script.sections[0].blocks[0].text == "## install\npip install x\n# run\nx"
    assert not script.remarks


@pytest.mark.parametrize("fence", ["```", "~~~", "```CACHE LAYERS", "~~~~ text"])
def test_a_fence_never_closed_ends_before_the_next_section(fence):
    text = f"# T\n\n## Diagram\n\n{fence}\n[a] -> [b]\n\nNarration.\n\n---\n\n## Quick Recap\n\n- **Trap:** x.\n"
    script = parse(text, "t.md")
    assert [s.heading for s in script.sections] == ["Diagram", "Quick Recap"]
    assert script.sections[0].blocks[0].text == "[a] -> [b]\n\nNarration."
    [(line, message, code)] = script.remarks
    assert (line, code) == (5, "unclosed-fence") and "line 12" in message


def test_a_fence_with_text_on_its_line_is_not_closed_by_another_such_line():
    text = "# T\n\n## Diagram\n\n```CACHE\n```python\nx\n```\n\n## Quick Recap\n\n- **Trap:** x.\n"
    script = parse(text, "t.md")
    assert script.sections[0].blocks[0].text == "```python\nx"
    assert not script.remarks


# ---------------------------------------------------------------- the video's level


@pytest.mark.parametrize(("text", "tags"), [
    ("# T\n\n## Video Length: ~4-5 minutes | Level: Staff\n\n---\n\n", ("level::staff",)),
    ("# T\n\n**Level:** Beginner\n\n", ("level::beginner",)),
    ("# T\n\n**Video Length:** 4 minutes\n**Level:** Intermediate\n\n---\n\n", ("level::intermediate",)),
    ("# T\n\n- Video length: 5 min\n- Level: Senior\n\n", ("level::senior",)),
    ("---\nlevel: Staff+\n---\n# T\n\n", ("level::staff-plus",)),
    ("# T\n\nThis takes you to the next level: distributed systems.\n\n", ()),
    ("# T\n\n## Video Length: ~4 minutes\n\n", ()),
])
def test_the_video_level_from_its_metadata(text, tags):
    script = parse(text + "## Quick Recap\n\n- **Trap:** x.\n", "t.md")
    assert level_tags(script) == tags


def test_a_fence_never_closed_ends_before_a_known_section_at_any_depth():
    text = "# T\n\n## Diagram\n\n```FLOW\n[a] -> [b]\n\n### Quick Recap\n\n- **Trap:** x.\n"
    script = parse(text, "t.md")
    assert [s.heading for s in script.sections] == ["Diagram", "Quick Recap"]
    assert script.remarks[0][0] == 5


@pytest.mark.parametrize("middle, recall, shown", [
    ("your code", "your code", ""),
    ("the whole flow safe—the key travels from the app through your services to the card processor",
     "the whole flow safe", "—the key travels from the app through your services to the card processor"),
    ("one endpoint safe to call twice, and the rest of the story runs on for many more words here",
     "one endpoint safe to call twice", ", and the rest of the story runs on for many more words here"),
    ("a rung of many words without any clause break at all to cut it at anywhere",
     "a rung of many words without any clause break at all to cut it at anywhere", ""),
])
def test_a_long_ladder_rung_hides_its_first_clause(middle, recall, shown):
    assert _recallable(middle) == (recall, shown)
