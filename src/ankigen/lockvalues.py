"""The values a lock may hold: each checked to be one ankigen could have written (types,
ranges, GUIDs, names without control characters); a refusal says what is wrong and
where in the lock (``_Bad``). ``lockfile`` reads the lock with these."""

from __future__ import annotations

import re

from .lock import MAX_CLOZE, MAX_TIME, LockedNote, LockedNoteType, LockedVideo


class _Bad(ValueError):
    """A value refused, with the keys that lead to it in the lock (to name its line), or its line."""

    def __init__(self, message: str, path: tuple[str, ...], line: int | None = None):
        super().__init__(message)
        self.path, self.line = path, line


def _int(value, what: str, low: int | None = None, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number, not {_shown(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{what} {_shown(value)} is impossible: ankigen writes {low} to {high}")
    return value


def _time(value, what: str) -> int:
    """A time in seconds, as a build writes it."""
    return _int(value, what, 0, MAX_TIME)


def _str(value, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {_shown(value)}")
    return value


def _name(value, what: str) -> str:
    """Text that becomes a deck name or a GUID in the package: no control characters."""
    if _CONTROL.search(_str(value, what)):
        raise ValueError(f"{what} holds a control character")
    return value


def _guid(value, what: str) -> str:
    if not _GUID.fullmatch(_str(value, what)):
        raise ValueError(f"{what} is not a GUID (up to 64 printable characters, no spaces): "
                         f"{_shown(value)}")
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_GUID = re.compile(r"[!-~]{1,64}")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _clozes(value, what: str) -> dict[str, int]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping")
    name = "cloze" if what == "clozes" else "removed cloze"
    return {_str(k, what): _int(v, f"{name} {_shown(k)}", 1, MAX_CLOZE) for k, v in value.items()}


def _note_type(t: dict) -> LockedNoteType:
    return LockedNoteType(name=_str(t["name"], "note type name"), shape=_str(t["shape"], "note type shape"),
                          look=_str(t["look"], "note type look"), mod=_time(t["mod"], "note type mod"))


def _at(path: tuple[str, ...], read, *args):
    """``read(*args)``, a refusal marked with ``path`` (where in the lock it is)."""
    try:
        return read(*args)
    except KeyError as e:
        raise _Bad(f"{' '.join(map(str, path))}: missing {e.args[0]!r}", path) from None
    except (TypeError, ValueError, AttributeError) as e:
        raise _Bad(str(e), path) from None


def _within(what: str, read, value):
    """``read(value)``, its complaint prefixed with what was being read."""
    try:
        return read(value)
    except KeyError as e:
        raise ValueError(f"{what}: missing {e.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{what} {e}") from None


def _note(n: dict) -> LockedNote:
    plain = _plain_note(n)  # as ankigen writes it: checked in one go
    if plain is not None:
        return plain
    retired = n.get("retired")
    return LockedNote(guid=_guid(n["guid"], "guid"), hash=_str(n["hash"], "hash"),
                      mod=_time(n["mod"], "mod"), text=_str(n.get("text", ""), "text"),
                      back=_str(n.get("back", ""), "back"), clozes=_clozes(n.get("clozes"), "clozes"),
                      retired=None if retired is None else _time(retired, "retired"),
                      removed_clozes=_clozes(n.get("removed_clozes"), "removed_clozes"))


def _plain_note(n) -> LockedNote | None:
    """The note, if every value has the type it must have (else None: ``_note`` says what is wrong)."""
    values = _plain_values(n)
    return None if values is None else LockedNote(*values)


def _plain_values(n) -> tuple | None:
    """``_plain_note``'s values, in ``_NOTE_FIELDS`` order."""
    try:
        guid, digest, mod = n["guid"], n["hash"], n["mod"]
        text, back = n.get("text", ""), n.get("back", "")
        clozes, retired, removed = n.get("clozes") or {}, n.get("retired"), n.get("removed_clozes") or {}
    except (KeyError, TypeError, AttributeError):
        return None
    if not (type(guid) is str and type(digest) is str and type(text) is str and type(back) is str
            and _plain_time(mod) and (retired is None or _plain_time(retired))
            and _plain_clozes(clozes) and _plain_clozes(removed) and _GUID.fullmatch(guid)):
        return None
    return guid, digest, mod, text, back, clozes, retired, removed


def _plain_time(value) -> bool:
    return type(value) is int and 0 <= value <= MAX_TIME


def _plain_clozes(numbers) -> bool:
    """A mapping of deletion names to cloze numbers, as ankigen writes it (empty, mostly)."""
    return type(numbers) is dict and (not numbers or all(
        type(k) is str and type(v) is int and 0 < v <= MAX_CLOZE for k, v in numbers.items()))


def _video(v: dict) -> LockedVideo:
    retired = v.get("retired")
    return LockedVideo(file=_str(v["file"], "file"), title=_name(v["title"], "title"),
                       subdeck=_name(v["subdeck"], "subdeck"),
                       retired=None if retired is None else _time(retired, "retired"))
