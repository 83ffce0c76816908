"""The measuring tools themselves: benchmarks/drift.py (a series with its ground truth) and
benchmarks/quality.py (build, import, score). Nothing here asserts how well extraction does
today: those figures move as extraction improves; these tests hold the tools to their word."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import snapshot

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


drift = _load("drift")
quality = _load("quality")


# ---------------------------------------------------------------- drift.py

def test_same_seed_same_bytes_other_seed_other_series(tmp_path):
    one = drift.generate(tmp_path / "a" / "series", videos=6, seed=3)
    two = drift.generate(tmp_path / "b" / "series", videos=6, seed=3)
    other = drift.generate(tmp_path / "c" / "series", videos=6, seed=4)
    assert snapshot(tmp_path / "a" / "series") == snapshot(tmp_path / "b" / "series")
    assert (tmp_path / "a" / "series.manifest.json").read_bytes() == (tmp_path / "b" / "series.manifest.json").read_bytes()
    assert one == two
    assert snapshot(tmp_path / "a" / "series") != snapshot(tmp_path / "c" / "series")
    assert other["files"] != one["files"]


@pytest.fixture(scope="module")
def drift_series(tmp_path_factory):
    out = tmp_path_factory.mktemp("drift") / "series"
    return out, drift.generate(out, videos=150, seed=7)


def test_manifest_matches_the_files_it_describes(drift_series):
    out, manifest = drift_series
    files = manifest["files"]
    assert sorted(files) == sorted(p.name for p in out.glob("*.md"))
    assert not list(out.glob("*.json")), "the manifest sits beside the folder, not in it"
    titles = set()
    for name, truth in files.items():
        assert re.fullmatch(rf"Topic_{truth['number']:02d}_\w+\.md", name)
        text = (out / name).read_bytes().decode("utf-8").replace("\r\n", "\n")
        lines = text.split("\n")
        assert lines[0] == f"# {truth['title']}"
        titles.add(truth["title"])
        straight = quality.normal(text)
        # every recap bullet is on its line, with or without bold as recorded
        recap_heading = next(i for i, line in enumerate(lines) if "quick recap" in line.lower())
        bullets = []
        for line in lines[recap_heading + 1:]:
            if line.startswith("---"):
                break
            if line.strip():
                bullets.append(line)
        assert len(bullets) == len(truth["recap"]) == truth["expected"]["recap"]
        for bullet in truth["recap"]:
            line = lines[bullet["line"] - 1]
            assert re.match(r"(-|\*|\d+\.) ", line), (name, bullet)
            assert ("**" in line) == bullet["bold"]
            for expected in bullet["expect"] or []:
                assert quality.normal(expected) in quality.normal(line), (name, bullet)
        # think-together: the question and its answer's first sentence are in the file
        tt = truth["think_together"]
        assert quality.normal(tt["question"]) in straight
        assert quality.normal(tt["answer_first"]) in straight
        if tt["stage_direction"]:
            assert quality.normal(tt["stage_direction"]) in straight
        numbered = len(re.findall(r"^\*\*Example \d+:", text, re.M))
        if "numbered-company-examples" in truth["patterns"]:
            assert numbered == truth["company_examples"] and truth["contrasts"] == 0
        else:
            assert numbered == truth["contrasts"] == truth["expected"]["contrast"]
        assert truth["contrasts"] == 0 or truth["company_examples"] == 0
        ladder = re.search(r"^## Another Way to See It\n\n(.*)$", text, re.M).group(1)
        assert bool(re.search(r"\b(L5|Senior|Junior): you ", ladder)) == truth["ladder"]
        assert ("## One-Liner to Remember" in text) == truth["one_liner"]
        level = re.search(r"\| Level: (\w+)", text)
        assert (level.group(1) if level else None) == truth["level"]
        if "unclosed-fence" in truth["patterns"]:
            fences = [i for i, line in enumerate(lines, 1) if line.startswith("```")]
            assert fences == [truth["unclosed_fence_line"]] and lines[fences[0] - 1] != "```"
        else:
            assert text.count("```") % 2 == 0
        for mistake in truth["mistakes"]:
            if mistake.get("line"):
                stated = int(re.search(r"\((\d+) bullets\)", lines[mistake["line"] - 1]).group(1))
                assert stated != len(truth["recap"])
    assert len(titles) == len(files)


def test_the_series_drifts_in_every_recorded_way(drift_series):
    _, manifest = drift_series
    files = manifest["files"].values()
    bullets = [b for f in files for b in f["recap"]]
    no_bold = sum(not b["bold"] for b in bullets) / len(bullets)
    assert 0.2 < no_bold < 0.4
    assert {b["shape"] for b in bullets if not b["bold"]} == set(drift.PLAIN_SHAPES)
    assert {f["think_together"]["variant"] for f in files} == set(drift.TT_VARIANTS)
    assert 0.3 < sum(bool(f["think_together"]["stage_direction"]) for f in files) / len(manifest["files"]) < 0.7
    assert any(f["ladder"] for f in files) and any(f["contrasts"] for f in files)
    assert any(f["single_level_mentions"] for f in files)
    assert any("early-headings" in f["patterns"] for f in files)
    assert any("numbered-company-examples" in f["patterns"] for f in files)


# ---------------------------------------------------------------- quality.py: rules

@pytest.mark.parametrize("sentence", [
    "Pause.", "Pause the video for a moment.", "Pause and think.", "Think.", "Think about it.",
    "Got your answer?", "Got it?", "Let me walk through it.", "Let's work through it.",
    "Take a moment before you read on.", "Trick question.", "Ready?", "Okay.", "Answer:",
    "**Answer:**", "Here's the answer.", "Most people say yes.", "Did you get it?", "Welcome back.",
])
def test_stage_directions_are_recognised(sentence):
    assert quality.stage_direction(quality.first_sentence(sentence + " The queue grows by 20 a minute."))


@pytest.mark.parametrize("sentence", [
    "At L5, it's theirs.", "Almost never.", "Usually instrumentation.", "About a third.",
    "Without care, both go ahead and charge twice.", "Ready queues grow first.",
    "Stop-the-world pauses are the culprit.", "Think of the ring as a clock.",
    "Pausing consumers is the fix.", "Now the line shrinks instead of growing.",
    "The answer depends on the lease length.",
])
def test_answers_about_the_subject_are_not_stage_directions(sentence):
    assert not quality.stage_direction(quality.first_sentence(sentence))


def test_first_sentence_and_course_number():
    assert quality.first_sentence("Got your answer? Let me walk.") == "Got your answer?"
    assert quality.first_sentence('He said "stop." Then left.') == 'He said "stop."'
    assert quality.first_sentence("no end") == "no end"
    assert [quality.course_number(n) for n in ("01-ownership.md", "Topic_100_X.md", "Lesson 3 - x.md", "x.md")] == [1, 100, 3, None]
    assert quality.runs([1, 1, 2, 1]) == "1×2 2×1 1×1"


def test_deletions_agree_allows_punctuation_not_another_phrase():
    assert quality.deletions_agree(["Its cache headers."], ["Its cache headers."])
    assert quality.deletions_agree(["Its cache headers"], ["Its cache headers."])
    assert quality.deletions_agree(["Notice", "Measure", "Fix"], ["Notice", "Measure", "Fix"])
    assert not quality.deletions_agree(["Notice", "Measure"], ["Notice", "Measure", "Fix"])
    assert not quality.deletions_agree(["a hash ring"], ["a network of servers"])
    assert not quality.deletions_agree([], ["x"])
    assert not quality.deletions_agree(["the whole bullet, every word of it, with the term in it"], ["term"])


def _note(file, line, kind, cloze, front="", back="", deletions=(), tags=(), nid=None):
    return {"nid": nid or hash((file, line, kind)), "file": file, "line": line, "kind": kind,
            "cloze": cloze, "front": front, "back": back, "deletions": list(deletions),
            "tags": [kind, *tags]}


def test_score_against_a_crafted_manifest():
    manifest = {"files": {
        "Topic_01_A.md": {"number": 1, "level": "Beginner", "mistakes": [],
                          "recap": [{"line": 10, "bold": True, "shape": "label", "expect": ["Stay small."]},
                                    {"line": 11, "bold": False, "shape": "plain-eq", "expect": ["a line of jobs"]}],
                          "think_together": {"question": "Whose problem is it?", "answer_first": "Ours."},
                          "expected": {"recap": 2, "one-liner": 1, "think-together": 1, "contrast": 0, "ladder": 0}},
        "Topic_02_B.md": {"number": 2, "level": None, "mistakes": [{"what": "count", "line": 5}],
                          "recap": [{"line": 20, "bold": False, "shape": "plain-analogy", "expect": None}],
                          "think_together": {"question": "What happens?", "answer_first": "It grows."},
                          "expected": {"recap": 1, "one-liner": 1, "think-together": 1, "contrast": 2, "ladder": 0}},
    }}
    notes = [
        _note("Topic_01_A.md", 10, "recap", True, "Trap: [...]", deletions=["Stay small."], tags=["level::beginner"]),
        _note("Topic_01_A.md", 11, "recap", False, "What is the recap point that begins “Queue = …”?", "Queue = a line of jobs."),
        _note("Topic_01_A.md", 30, "think-together", False, "Whose problem is it?", "Pause. Think. Ours."),
        _note("Topic_01_A.md", 40, "contrast", False, "Netflix. At Netflix, L6 engineers…", "L6: review"),
        _note("Topic_01_A.md", 50, "one-liner", False, "One-liner?", "Stay small."),
        _note("Topic_02_B.md", 20, "recap", True, "Like a bakery [...]", deletions=["bakery ticket machine"]),
        _note("Topic_02_B.md", 30, "think-together", False, "What happens", "It grows. " + "word " * 45),
        _note("Topic_02_B.md", 40, "contrast", False, "Example 1. At L5: x.", "L6: y"),
    ]
    warnings = [{"file": "series/Topic_01_A.md", "line": 11, "message": "recap bullet has no bold phrase"},
                {"file": "series/Topic_02_B.md", "line": 5, "message": "heading says 6 bullets but the list has 5"}]
    report = quality.score(notes, ["Topic_01_A.md", "Topic_02_B.md"],
                           {"exit": 0, "errors": [], "excluded": [], "seconds": 0.1, "videos": 2,
                            "cards": 9, "warnings": warnings}, manifest)
    assert report["recap"]["cloze_pct"] == pytest.approx(66.7)
    assert report["recap"]["no_bold_bullets"] == 2 and report["recap"]["no_bold_cloze"] == 1
    assert report["recap"]["deletion_checked"] == 1 and report["recap"]["deletion_agrees"] == 1
    assert report["recap_point_that_begins"] == 1
    assert report["think_together"]["answer_opens_with_stage_direction"] == 1
    assert report["think_together"]["question_without_question_mark"] == 1
    assert report["think_together"]["question_found"] == 1  # "What happens" lost its "?"
    assert report["think_together"]["answer_opens_with_first_sentence"] == 1
    assert report["kinds"]["contrast"]["scripts_with_it"] == 1
    assert report["kinds"]["contrast"]["found_in"] == 1 and report["kinds"]["contrast"]["exact_count"] == 0
    assert report["kinds"]["contrast"]["notes_too_many"] == 1  # the company example in Topic_01
    assert report["contrast"]["from_scripts_without_contrast"] == 1
    assert report["contrast"]["naming_one_level"] == 1
    assert report["kinds"]["one-liner"]["found_in"] == 1 and report["kinds"]["one-liner"]["missing_in"] == ["Topic_02_B.md"]
    assert report["warnings"]["per_video"] == 1.0
    assert report["warnings"]["not_about_a_real_mistake"] == 1
    assert report["warnings"]["real_mistakes"] == report["warnings"]["real_mistakes_warned"] == 1
    assert report["long_backs"]["count"] == 1
    assert report["level_tags"] == {"notes_of_levelled_videos": 5, "tagged": 1, "pct": 20.0}


def test_order_is_scored_from_what_anki_lists_and_hands_out():
    notes = [_note(f"Topic_{n:02d}_X.md", 1, "recap", True, nid=n) for n in (1, 2, 10)]
    deck = {"cards": [{"nid": n, "deck": f"S::{name}", "ord": 0} for n, name in
                      ((1, "Topic 01 X"), (2, "Topic 02 X"), (10, "Topic 10 X"))]}
    files = [n["file"] for n in notes]
    good = quality.score(notes, files, {"videos": 3, "warnings": []}, None,
                         dict(deck, subdecks=["S::Topic 01 X", "S::Topic 02 X", "S::Topic 10 X"],
                              day_one=["S::Topic 01 X", "S::Topic 01 X", "S::Topic 02 X"], first_hundred=[]))
    assert good["order"]["listed_in_course_order"] and good["order"]["day_one_in_course_order"]
    bad = quality.score(notes, files, {"videos": 3, "warnings": []}, None,
                        dict(deck, subdecks=["S::Topic 01 X", "S::Topic 10 X", "S::Topic 02 X"],
                             day_one=["S::Topic 10 X", "S::Topic 01 X"], first_hundred=[]))
    assert not bad["order"]["listed_in_course_order"] and bad["order"]["first_out_of_order"] == [(10, 2)]
    assert not bad["order"]["day_one_in_course_order"]


# ---------------------------------------------------------------- quality.py end to end

def test_quality_builds_a_copy_and_reports_on_it(tmp_path):
    out = tmp_path / "series"
    drift.generate(out, videos=3, seed=2)
    before = snapshot(tmp_path)
    proc = subprocess.run([sys.executable, str(BENCH / "quality.py"), str(out), "--json", "--samples", "5"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert snapshot(tmp_path) == before, "nothing is written into or beside the folder"
    assert report["build"]["scripts"] == 3 and report["build"]["exit"] in (0, 1)
    assert report["build"]["videos"] + len(report["build"]["excluded"]) == 3
    assert report["think_together"]["expected"] == 3
    assert all(k["found_in"] <= k["scripts_with_it"] for k in report["kinds"].values())
    if report["build"]["videos"]:
        assert report["order"]["subdecks"] == report["build"]["videos"]
        assert len(report["samples"]) == 5 and all(s["front"] for s in report["samples"])
    text = subprocess.run([sys.executable, str(BENCH / "quality.py"), str(out), "--samples", "2"],
                          capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and text.stdout.startswith("build: exit ")


def test_the_hand_written_manifest_matches_the_staff_engineering_corpus():
    """benchmarks/manifests/staff-engineering.manifest.json describes tests/corpus/staff-engineering."""
    corpus = Path(__file__).parent / "corpus" / "staff-engineering"
    manifest = json.loads((BENCH / "manifests" / "staff-engineering.manifest.json").read_text(encoding="utf-8"))
    for name, truth in manifest["files"].items():
        text = (corpus / name).read_text(encoding="utf-8")
        lines = text.split("\n")
        assert lines[0] == f"# {truth['title']}"
        for bullet in truth["recap"]:
            line = lines[bullet["line"] - 1]
            assert line.startswith("- ") and ("**" in line) == bullet["bold"]
            for expected in bullet["expect"] or []:
                assert quality.normal(expected) in quality.normal(line)
        assert quality.normal(truth["think_together"]["question"]) in quality.normal(text)
        assert quality.normal(truth["think_together"]["answer_first"]) in quality.normal(text)
        assert len(re.findall(r"^\*\*Example \d+:", text, re.M)) >= truth["contrasts"]


def test_a_refused_script_is_named_and_the_rest_still_measured(tmp_path):
    out = tmp_path / "series"
    drift.generate(out, videos=2, seed=5)
    # saved in Latin-1: refused (a file that is no script at all is only skipped)
    (out / "Topic_03_Shopping_List.md").write_bytes(b"# Caf\xe9 list\n\n## Quick Recap\n\n- **Eggs** and milk.\n")
    proc = subprocess.run([sys.executable, str(BENCH / "quality.py"), str(out), "--json", "--samples", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["build"]["exit"] == 1 and report["build"]["scripts"] == 3
    assert any(e["file"].endswith("Topic_03_Shopping_List.md") for e in report["build"]["errors"])
    assert "Topic_03_Shopping_List.md" in report["build"]["excluded"]
    assert report["build"]["videos"] == 3 - len(report["build"]["excluded"]) and report["build"]["notes"] > 0
