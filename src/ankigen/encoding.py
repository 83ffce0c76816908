"""A script's bytes → its text: UTF-8, or UTF-16/UTF-32 with a byte-order mark; anything
else refused with where it goes wrong, never guessed."""

from __future__ import annotations

from .errors import AnkigenError


_BOMS = ((b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
         (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
         (b"\xfe\xff", "utf-16-be", "UTF-16"))
SAVE_AS_UTF8 = "save the file as UTF-8"


def decode(data: bytes, path: str) -> str:
    """Bytes → text: the encoding its byte-order mark names (UTF-8, UTF-16, UTF-32), else
    UTF-8. Anything else (Latin-1, UTF-16 without a BOM, a binary file) is refused with
    the byte offset where it goes wrong, never guessed."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as e:
                raise AnkigenError(f"not valid {name} at byte offset {e.start + len(bom)}, though it "
                                   f"begins with a {name} byte-order mark; {SAVE_AS_UTF8}", path) from None
    _refuse_binary(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise AnkigenError(
            f"not UTF-8: byte 0x{data[e.start]:02x} at offset {e.start} (column {column}; "
            f"Latin-1 or Windows-1252, perhaps); {SAVE_AS_UTF8}", path, line) from None


def _refuse_binary(data: bytes, path: str) -> None:
    """NUL bytes in the first 8 KB: UTF-16 without its byte-order mark, or not text at all.
    A stray NUL or two in a text file is let through (``clean`` drops it)."""
    nul = data.find(b"\x00", 0, 8192)
    if nul < 0:
        return
    head = data[:8192]
    pairs = max(1, len(head) // 2)
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) >= 3 and max(even, odd) > 0.3 * pairs and min(even, odd) < 0.05 * pairs:
        raise AnkigenError("looks like UTF-16 without a byte-order mark (NUL bytes between the "
                           f"letters); {SAVE_AS_UTF8}", path) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        bad = True
    else:
        bad = head.count(0) > len(head) // 100 + 4
    if bad:
        raise AnkigenError(f"a binary file, not a Markdown script (NUL byte at offset {nul}); "
                           "remove it from the sources", path) from None
