"""`ankigen init`: a new series that builds, checks clean and imports into real Anki at once."""

from __future__ import annotations

import json
from collections import Counter

from anki_helpers import cards_of, imported, notes_of, seen


def test_init_then_build_then_import(run, tmp_path):
    result = run("init", "course", "--series", "Platform Basics")
    assert result.exit_code == 0, result.output
    config = tmp_path / "course" / "decks" / "platform-basics.yaml"
    script = tmp_path / "course" / "decks" / "platform-basics" / "01-first-video.md"
    assert config.is_file() and script.is_file()
    assert "created course/decks/platform-basics.yaml" in result.output

    checked = run("check", config, "--strict", "--json")
    assert checked.exit_code == 0, checked.output
    assert {d["severity"] for d in json.loads(checked.stdout)} <= {"info"}

    built = run("build", config, "-o", tmp_path / "pb.apkg", "--json")
    assert built.exit_code == 0, built.output
    deck = json.loads(built.stdout)["decks"][0]
    assert (deck["name"], deck["videos"], deck["notes"], deck["cards"]) == ("Platform Basics", 1, 8, 12)

    with imported(tmp_path, tmp_path / "pb.apkg") as (col, log):
        assert log["new"] == 8
        kinds = Counter()
        for note in notes_of(col):
            kinds[next(t for t in note.tags if "::" not in t)] += 1
            for value in note.fields:
                assert "<!--" not in value and "&lt;!--" not in value and "CARD" not in value
        assert kinds == {"recap": 3, "contrast": 2, "one-liner": 1, "think-together": 1, "ladder": 1}
        for card in cards_of(col):
            front, back = seen(card)
            assert front != back


def test_every_section_of_a_video_script_is_there_and_explained(run, tmp_path):
    assert run("init").exit_code == 0
    name = tmp_path.name.replace("-", " ").replace("_", " ").title()
    from ankigen.text import slugify

    text = (tmp_path / "decks" / slugify(name) / "01-first-video.md").read_text(encoding="utf-8")
    for heading in ("# ", "## Video Length:", "## The Hook", "## The Story", "## Another Way to See It",
                    "## Connecting to Software", "## Let's Walk Through the Diagram",
                    "## Real-World Examples", "## Let's Think Together", "## What Could Go Wrong?",
                    "## Surprising Truth / Fun Fact", "## Quick Recap", "## One-Liner to Remember",
                    "## Next Video"):
        assert f"\n{heading}" in text, heading
    assert text.count("CARD (") == 5 and text.count("Context") >= 6
    assert f'name: "{name}"' in (tmp_path / "decks" / f"{slugify(name)}.yaml").read_text()


def test_refuses_to_overwrite_in_one_line(run, tmp_path):
    assert run("init", "--series", "Ops").exit_code == 0
    script = tmp_path / "decks" / "ops" / "01-first-video.md"
    script.write_text("# mine\n", encoding="utf-8")
    (tmp_path / "decks" / "ops.yaml").unlink()
    result = run("init", "--series", "Ops")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "ankigen: decks/ops/01-first-video.md: already exists; nothing was written"]
    assert script.read_text() == "# mine\n"
    assert not (tmp_path / "decks" / "ops.yaml").exists()


def test_a_name_yaml_would_misread_stays_a_name(run, tmp_path):
    assert run("init", "--series", "2024").exit_code == 0
    built = run("build", tmp_path / "decks" / "2024.yaml", "-o", tmp_path / "x.apkg", "--json")
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["decks"][0]["name"] == "2024"
