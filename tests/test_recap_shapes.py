"""Recap bullets the author bolded nothing in (or bolded from end to end): the deletion their
own shape names (CARDS.md, "Where the author bolded nothing"). The table below is the
specification of the rules in ``ankigen.shapes``."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ankigen.errors import Problems
from ankigen.notes import CLOZE, QA
from ankigen.recap import recap_note
from ankigen.script import Item
from ankigen.text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, is_small, show_cloze, slugify

QUEUES = "Message Queues: Decoupling Work"
LIMITS = "Rate Limiting: Protecting Your API"
INDEXES = "Database Indexes: Why Your Query Is Slow"


def note(bullet: str, title: str = "", problems: Problems | None = None):
    return recap_note(Item(bullet, 7, "-"), "Quick Recap", "x.md", problems or Problems(), title)


SHAPES = [
    # 1. X = definition (the definition; more sentences stay as context)
    ("Shard key = the column that decides which shard a row lives on. Pick it once.", "",
     "Shard key = {{c1::the column that decides which shard a row lives on}}. Pick it once."),
    ("p99 = the latency 99% of requests beat", "",
     "p99 = {{c1::the latency 99% of requests beat}}"),
    ("Redis ≈ an in-memory key/value store.", "", "Redis ≈ {{c1::an in-memory key/value store}}."),
    # … two definitions, or numbers: each value its own card
    ("Cache HIT = fast. Cache MISS = fetch, then save.", "",
     "Cache HIT = {{c1::fast}}. Cache MISS = {{c2::fetch, then save}}."),
    ("1K = small. 1M = medium. 1B = massive.", "",
     "1K = {{c1::small}}. 1M = {{c2::medium}}. 1B = {{c3::massive}}."),
    ("SLO = the promise; SLA = the contract; SLI = the measurement", "",
     "SLO = {{c1::the promise}}; SLA = {{c2::the contract}}; SLI = {{c3::the measurement}}"),
    ("1 replica = no failover, 3 replicas = one failure survived", "",
     "1 replica = {{c1::no failover}}, 3 replicas = {{c2::one failure survived}}"),
    ("80% full → start shedding; 95% full → reject at the door.", "",
     "80% full → {{c1::start shedding}}; 95% full → {{c2::reject at the door}}."),
    # … values that repeat each other: one card hides them all
    ("Warm = serve it. Cold = serve it anyway, then refresh.", "",
     "Warm = {{c1::serve it}}. Cold = {{c1::serve it anyway, then refresh}}."),
    # 2. a question, then its answer
    ("Retry a POST? Only with an idempotency key. Otherwise you pay twice.", "",
     "Retry a POST? {{c1::Only with an idempotency key.}} Otherwise you pay twice."),
    # 3. Use X for Y: X (and Y where X is what the video is about)
    ("Use a sliding window for fairness. Not for: millions of keys.", "",
     "Use a {{c1::sliding window}} for fairness. Not for: millions of keys."),
    ("Prefer hash sharding when writes are uniform", "",
     "Prefer {{c1::hash sharding}} when writes are uniform"),
    ("Use a queue for work nobody is waiting on.", QUEUES,
     "Use a queue for {{c1::work nobody is waiting on}}."),
    ("Don’t use a queue as a database.", QUEUES, "Don’t use a queue as {{c1::a database}}."),
    # 4. a chain of short steps: each step
    ("Producer → broker → consumer → ack", "",
     "{{c1::Producer}} → {{c2::broker}} → {{c3::consumer}} → {{c4::ack}}"),
    ("Code ownership -> system ownership -> direction. Each level expands.", "",
     "{{c1::Code ownership}} -> {{c2::system ownership}} -> {{c3::direction}}. Each level expands."),
    # 5. a short head and a separator: the first sentence after it that is not a question
    ("Good fits: thumbnails, invoices, welcome emails", "",
     "Good fits: {{c1::thumbnails, invoices, welcome emails}}"),
    ("TTL (time to live): how long an entry stays valid.", "",
     "TTL (time to live): {{c1::how long an entry stays valid.}}"),
    ("Dead-letter queue — where poison messages go", "",
     "Dead-letter queue — {{c1::where poison messages go}}"),
    ("Like a coat check—you hand it over and get a ticket back.", "",
     "Like a coat check—{{c1::you hand it over and get a ticket back.}}"),
    ("Add a node → only its neighbours' keys move.", "",
     "Add a node → {{c1::only its neighbours' keys move.}}"),
    ("Leaky bucket -> a steady drip out, however fast it pours in", "",
     "Leaky bucket -> {{c1::a steady drip out, however fast it pours in}}"),
    ("Cross-team: their outage, your pager? It's your problem too. Help.", "",
     "Cross-team: their outage, your pager? {{c1::It's your problem too.}} Help."),
    ("Range sharding: easy scans. Hash sharding: even spread.", "",
     "Range sharding: {{c1::easy scans.}} Hash sharding: {{c2::even spread.}}"),
    ("Throughput: ~1M msgs/sec on 3 brokers (1 KB messages).", "",
     "Throughput: {{c1::~1M msgs/sec on 3 brokers (1 KB messages).}}"),
    ("The real question: what does the user see when the network splits?", "",
     "The real question: {{c1::what does the user see when the network splits?}}"),
    # 6. X is / are / means Y: Y, up to a colon, semicolon or dash
    ("A hot partition is one that takes most of the writes.", "",
     "A hot partition is {{c1::one that takes most of the writes}}."),
    ("Offsets are committed after processing, never before", "",
     "Offsets are {{c1::committed after processing, never before}}"),
    ("Silence is not approval. Ask named reviewers.", "",
     "Silence is not {{c1::approval}}. Ask named reviewers."),
    ("*At-least-once* means duplicates will happen — plan for them.", "",
     "*At-least-once* means {{c1::duplicates will happen}} — plan for them."),
    ("Dashboards are for humans; alerts are for pagers.", "",
     "Dashboards are {{c1::for humans}}; alerts are {{c2::for pagers}}."),
    # 7. a list of like items: each item
    ("Claim the lock, write the row, and release the lock.", "",
     "{{c1::Claim the lock}}, {{c2::write the row}}, and {{c3::release the lock}}."),
    ("Bounded buffers, blocking producers and explicit drops — pick one.", "",
     "{{c1::Bounded buffers}}, {{c2::blocking producers}} and {{c3::explicit drops}} — pick one."),
    # … but an aside is no item
    ("AP systems, e.g. Cassandra, accept writes and reconcile later.", "",
     "AP systems, e.g. {{c1::Cassandra}}, accept writes and reconcile later."),
    # 8. advice before when / if / before / so; what beats what
    ("Fail open when the limiter's store is down.", LIMITS,
     "{{c1::Fail open}} when the limiter's store is down."),
    ("Return a Retry-After header so clients back off.", "",
     "{{c1::Return a Retry-After header}} so clients back off."),
    ("Always measure before you tune the pool size", "",
     "Always {{c1::measure}} before you tune the pool size"),
    ("Quotas beat throttles for batch jobs.", "", "{{c1::Quotas}} beat throttles for batch jobs."),
    # … X, not Y: X
    ("High-cardinality IDs belong in traces, never in metric labels.", "",
     "High-cardinality IDs belong in {{c1::traces}}, never in metric labels."),
    ("Review the design doc, not the diff — the diff is too late.", "",
     "Review the {{c1::design doc}}, not the diff — the diff is too late."),
    ("Alert on symptoms (user pain), not causes.", "",
     "Alert on {{c1::symptoms}} (user pain), not causes."),
    # 9. else the most distinctive term the title does not name (a digit, hyphen or inner
    #    capital counts extra), each time it appears
    ("High-cardinality IDs belong in traces and logs.", "",
     "{{c1::High-cardinality IDs}} belong in traces and logs."),
    ("Own the outcome. Always.", "", "Own the {{c1::outcome}}. Always."),
    ("Never buffer forever", "", "Never buffer {{c1::forever}}"),
    ("Every index slows writes a little.", INDEXES, "Every index slows {{c1::writes}} a little."),
    ("Don't cache what you can't invalidate.", "Caching 101",
     "Don't cache what you can't {{c1::invalidate}}."),
    # 10. else the phrase the video is about (shared with its title's main part)
    ("Retries, always with backoff.", "Retries with Backoff",
     "{{c1::Retries}}, always with backoff."),
    ("Backpressure beats buffering", "", "{{c1::Backpressure}} beats buffering"),
]


@pytest.mark.parametrize(("bullet", "title", "cloze"), SHAPES)
def test_a_bullet_without_bold_hides_what_its_shape_names(bullet, title, cloze):
    problems = Problems()
    spec = note(bullet, title, problems)
    assert (spec.note_type, show_cloze(spec.text)) == (CLOZE, cloze)
    assert [(d.severity, d.code) for d in problems.items] == [("info", "no-bold")]


@pytest.mark.parametrize(("bullet", "cloze"), [
    ("**Claim the key atomically, store the response, and replay it on every repeat.**",
     "{{c1::Claim the key atomically}}, {{c2::store the response}}, and {{c3::replay it on every repeat}}."),
    ("**Watch queue time—CPU alone won't tell you when to shed.**",
     "Watch queue time—{{c1::CPU alone won't tell you when to shed.}}"),
    ("**Lease** **=** **a lock with a deadline.**", "Lease = {{c1::a lock with a deadline}}."),
])
def test_a_bullet_bold_from_end_to_end_is_read_as_if_unbolded(bullet, cloze):
    problems = Problems()
    spec = note(bullet, "", problems)
    assert (spec.note_type, show_cloze(spec.text)) == (CLOZE, cloze)
    assert [(d.severity, d.code) for d in problems.items] == [("info", "all-bold")]


@pytest.mark.parametrize(("bullet", "front"), [
    ("Idempotency.", "Which words complete the recap point “I….”?"),
    ("Never shard before you must", "Which words complete the recap point “Never s… before you must”?"),
    ("Do it now.", "Which words complete the recap point “D… i… n….”?"),
])
def test_where_nothing_can_be_hidden_alone_the_front_still_says_what_to_recall(bullet, front):
    problems = Problems()
    spec = note(bullet, "", problems)
    assert (spec.note_type, spec.text, spec.back, spec.answers) == (QA, front, bullet, (bullet,))
    assert "recap point that begins" not in spec.text
    assert [(d.severity, d.code) for d in problems.items] == [("warning", "no-bold")]


@pytest.mark.parametrize(("bullet", "anchor"), [
    # the anchors these bullets had when they became question/answer notes: locks hold them
    ("Write the decision down before the meeting ends. Memory fades.", "write-the-decision-down-before-the"),
    ("**Own the outcome, not the code.**", "own-the-outcome-not-the-code"),
    ("Cache HIT = fast. Cache MISS = fetch, then save.", "cache-hit-fast-cache-miss"),
    ("Idempotency.", "idempotency"),
    ("Fresh = serve it. <!-- ankigen:id freshness -->", "freshness"),
])
def test_the_anchor_is_still_the_first_six_words(bullet, anchor):
    assert note(bullet).anchor == anchor


def test_a_cloze_keeps_what_a_question_answer_note_would_need():
    """Text with its deletions marked and one answer per card: enough to show the note as
    question and answer where a lock holds it under that note type."""
    spec = note("Cache HIT = fast. Cache MISS = fetch, then save.")
    assert spec.answers == ("fast", "fetch, then save")
    assert spec.text.count(CLOZE_OPEN) == 2 and spec.back == ""


def test_nested_bullets_stay_context():
    spec = recap_note(Item("Lease = a lock with a deadline.", 7, "-", ("renewed every 5 s",)),
                      "Quick Recap", "x.md", Problems())
    assert (show_cloze(spec.text), spec.extra) == ("Lease = {{c1::a lock with a deadline}}.",
                                                   "- renewed every 5 s")


# ---------------------------------------------------------------- properties

# Every recap bullet of the two fixture series, with its bold taken out: 70 bullets written
# the way the real series writes them.
CORPUS = """
Queue = a line of jobs waiting to be done. First in, first out.
Like a bakery ticket machine — you take a number, and the counter calls you when it's free.
Producer and consumer: one side adds jobs fast, the other finishes them at its own pace.
Good fits: welcome emails, photo resizing, video processing, invoices
Use a queue for work the user doesn't need to watch. Not for: an answer the user is waiting on right now.
Retry = sending the same request again after a temporary failure. Only safe when repeating it does no harm.
Exponential backoff = wait 100 ms, 200 ms, 400 ms, 800 ms… each wait doubles, up to a cap.
Jitter: add randomness to every wait so thousands of clients don't retry in the same millisecond.
Retry storm: two million clients retrying in a tight loop turn a 30-second blip into a long outage.
Start small: three or four attempts, a cap on the wait, and jitter are enough for most services.
Write-ahead log (WAL) = every change is appended to a log and made durable before the real data pages change.
Crash recovery: replay the log from the last checkpoint, and every committed change comes back.
Log append = fast and sequential. Page update = slow and scattered.
Checkpoint = flush changed pages, remember the log position, recycle older segments.
fsync is the real commit. A log record sitting in a memory buffer is a promise, not a record.
Consistent hashing: servers and keys share one ring; each key belongs to the first server clockwise from it.
hash(key) % N = fine until N changes. Then most keys move at once.
Add a server → only the keys on its new slice move, about 1/N of the total.
Virtual nodes: each server takes many points on the ring, so load evens out and a crash spreads fairly.
12 → 16 servers with modulo = 75% of keys move. With a ring = about 25%.
Used by: CDNs like Akamai, Dynamo, Cassandra, most memcached client libraries.
Idempotency key = a unique ID the client attaches so the server can recognise a repeat of the same intent.
At L6: you own the whole path—scope, retention, storage and the downstream hop—not just the header.
One intent = one key. A retry reuses it; a new purchase gets a new one.
Claim the key atomically, store the response, and replay it on every repeat.
Trap: creating the key inside the retry loop. Every attempt looks new, and the key protects nothing.
Cache stampede = many requests miss the same key at once and all rebuild it against the database.
A hot key is one that thousands of requests want in the same second.
Fresh = serve it. Stale = serve it anyway, and let one request refresh it in the background.
Fixes: request coalescing, a rebuild lock, early probabilistic refresh, jittered TTLs.
Staff check: hot-key stampedes and synchronized-expiry stampedes need different fixes. Test for both.
Load shedding = rejecting some work on purpose so the work you accept still succeeds.
Shed early: reject at the edge, before a request has cost you a thread or a database connection.
Priority: checkout before browsing, browsing before prefetch; never shed health checks.
A bounded queue is one that says "full" out loud instead of growing until memory runs out.
Watch time-in-queue and in-flight requests—CPU alone won't tell you when to shed.
Leader election = the nodes agree on exactly one of them to make the decisions.
3 nodes = survives 1 failure. 5 nodes = survives 2. 4 nodes = still only 1.
Majority rule: a leader needs more than half the votes (≥ 3 of 5), so two leaders can't win the same term.
Lease: leadership expires unless renewed; a leader that can't renew must step down on its own.
Fencing token: a term number that grows with each new leader; storage rejects anything older.
Code ownership → System ownership → Technical direction ownership. Each level expands.
At L6: You own the outcome. Not just your PRs. Reliability. On-call. Migration.
Cross-team: Downstream causes your incidents? It's your problem too. Propose solutions. Help.
2 AM page for a dependency? If you can help, you help. "Not my service" = L5 mindset.
Trap: Staying in your lane. At L6, you expand the lane. Your scope grows with your level.
Every option has a cost. If a proposal lists only benefits, half the bundle is missing.
Write it as a sentence: We choose X, we gain A, we accept C, because of D.
Revisit trigger: Name the signal that reopens the decision. It makes changing course safe.
Eventually consistent? Say it in user terms: "a post may be stale for five seconds."
At L7: Price in the org-wide cost, including who operates the thing at 3 AM.
TL;DR first: Put the decision you need and the deadline in the first three sentences.
Write for the skimmer. Attention drops with every section, so put what matters where eyes land.
Silence is not approval. Ask named reviewers specific questions, and set a date.
Decision log: Record what was decided and why inside the doc, so it outlives the meeting.
Say no to the request, never to the person who asked.
Turn a flat refusal into a trade-off question: "If we do this, what slips?"
Offer a smaller yes or a later yes before you reach for a plain no.
Priority calls belong to the people who own the priorities, so bring them the options.
Saying yes to everything isn't kindness; it's a silent no to commitments you already made.
Instrument before you scale. Debugging blind during a launch is the most expensive debugging there is.
Rate, errors, duration: Every endpoint gets these three metrics from day one.
Traces find the where. Metrics say something is slow; a trace says which hop.
High-cardinality IDs belong in traces and logs, never in metric labels.
At Staff+: Make good instrumentation the default in shared templates, not a per-team chore.
Label your comments: `nit:`, `suggest:`, `question:`, `blocker:` — so the author knows what’s optional.
Ask, don’t tell. “What happens if `items` is empty?” teaches more than “add a null check.”
Pair on the pattern, not the line — twenty minutes with Zoë beats twenty comments.
Correctness over taste: Block bugs, not styles you’d personally choose.
Turn repeats into tools. The third time you write the same comment, make it a lint rule.
""".strip().splitlines()

_CLOZE = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}(.*?){CLOZE_CLOSE}", re.S)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def assert_sound(bullet: str, spec) -> None:
    """Nothing lost; per card, a deletion with a word of substance, a front that keeps one
    and does not show the answer."""
    if spec.note_type == QA:
        assert spec.back and "recap point that begins" not in spec.text
        return
    assert _CLOZE.sub(lambda m: m.group(2), spec.text) == bullet
    if "`" not in bullet:  # in code, a link is text like any other
        assert not re.search(f"\\]\\([^)]*{CLOZE_OPEN}|<https?:[^>]*{CLOZE_OPEN}", spec.text)
    numbers = sorted({int(m.group(1)) for m in _CLOZE.finditer(spec.text)})
    assert numbers == list(range(1, len(numbers) + 1)) and len(spec.answers) == len(numbers)
    for n in numbers:
        hidden = [m.group(2) for m in _CLOZE.finditer(spec.text) if int(m.group(1)) == n]
        front = _CLOZE.sub(lambda m: " … " if int(m.group(1)) == n else m.group(2), spec.text)
        for part in hidden:
            assert any(not is_small(w) for w in _WORD.findall(part)), (bullet, part)
            assert f" {' '.join(_words(part))} " not in f" {' '.join(_words(front))} ", (bullet, part)
        assert any(not is_small(w) for w in _WORD.findall(front)), (bullet, n)


@pytest.mark.parametrize("bullet", CORPUS)
def test_every_corpus_bullet_unbolded_gives_a_sound_note(bullet):
    assert_sound(bullet, note(bullet, "Consistent Hashing: Adding a Server"))


def test_nearly_every_corpus_bullet_unbolded_becomes_a_cloze():
    clozes = sum(note(bullet).note_type == CLOZE for bullet in CORPUS)
    assert clozes == len(CORPUS)


_VOCABULARY = ["cache", "key", "hot", "queue", "the", "a", "is", "are", "of", "to", "it",
               "Use", "for", "when", "before", "not", "p99", "ms", "3", "1/N", "server",
               "retries", "jitter", "write-ahead", "log", "fast", "slow", "and", "or", "never",
               "[the queue](https://x.test/queue-cache)", "e.g.", "<https://x.test/key>"]
_GLUE = [" ", " ", " ", " ", ", ", ". ", " = ", ": ", " — ", "—", " → ", " -> ", "? ", "; ",
         " (", ") ", " `", "` ", ' "', '" ', " *", "* "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_VOCABULARY), st.sampled_from(_GLUE)), min_size=1,
                max_size=14),
       st.sampled_from(["", "Cache Stampede", "What Is a Queue?", "Retries: Trying Again"]))
@example([("<https://x.test/key>", ", "), ("not", ' "')], "")  # found: a deletion inside an autolink
def test_no_deletion_is_the_whole_bullet_or_only_small_words(pieces, title):
    bullet = "".join(word + glue for word, glue in pieces).strip()
    if not bullet or "**" in bullet or "__" in bullet or "<!--" in bullet:
        return
    spec = note(bullet, title)
    if spec is not None:
        assert_sound(bullet, spec)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_text_gives_a_note_or_none_and_never_fails(bullet):
    bullet = bullet.strip()
    spec = note(bullet) if bullet and "\n" not in bullet else None
    assert spec is None or spec.note_type in (CLOZE, QA)


def test_a_hostile_bullet_costs_little():
    """Each rule reads the bullet a bounded number of times: 5,000 words, well under a second
    here (the bound leaves room for a loaded machine)."""
    import time

    words = [f"term{i}" for i in range(5000)]
    for bullet in (" ".join(words), ", ".join(words), ". ".join(f"x = {w}" for w in words)):
        start = time.perf_counter()
        spec = note(bullet)
        assert time.perf_counter() - start < 5
        assert_sound(bullet, spec)


SCRIPT = """\
# Rate Limiting: Protecting Your API

## Quick Recap (4 bullets)

- Token bucket = a bucket that refills at a fixed rate. Bursts are fine.
- 429 = slow down. 503 = overloaded.
- **Fail open when the limiter's store is down.**
- Limiting.

## One-Liner to Remember

A limit you don't explain is a bug report.
"""


def test_a_learner_sees_what_to_recall_on_every_card(run, tmp_path):
    """Built through the CLI and imported into Anki: each no-bold bullet is a cloze whose
    front hides what its shape names; only the bullet with nothing to hide alone asks a
    question, and that question shows the words to complete."""
    from anki_helpers import cards_of, imported, seen

    (tmp_path / "01-limits.md").write_text(SCRIPT, encoding="utf-8")
    result = run("build", tmp_path / "01-limits.md", "-o", tmp_path / "limits.apkg")
    assert result.exit_code == 0, result.output
    warned = {int(m) for m in re.findall(r"01-limits\.md:(\d+): warning", result.output)}
    assert warned == {1, 8}  # no examples section; the bullet with nothing to hide alone
    shown = {}
    with imported(tmp_path, tmp_path / "limits.apkg") as (col, log):
        assert log["conflicting"] == 0
        for card in cards_of(col, "tag:recap"):
            front, back = seen(card)
            front = re.sub(r"\s+([.,])", r"\1", front.rsplit("Quick Recap", 1)[-1].strip())
            shown[front] = back
    assert set(shown) == {
        "Token bucket = [...]. Bursts are fine.",
        "429 = [...]. 503 = overloaded.",
        "429 = slow down. 503 = [...].",
        "[...] when the limiter's store is down.",
        "Which words complete the recap point “L….”?",
    }
    assert "a bucket that refills at a fixed rate" in shown["Token bucket = [...]. Bursts are fine."]
    assert "Fail open" in shown["[...] when the limiter's store is down."]
    assert "Limiting." in shown["Which words complete the recap point “L….”?"]
