"""Reading gettext PO files: just what the translation tests need (no third-party parser)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    plural: str | None = None
    plural_strs: list[str] = field(default_factory=list)
    flags: frozenset[str] = frozenset()
    obsolete: bool = False


def entries(path: Path) -> list[Entry]:
    """Every entry but the header, obsolete ones (``#~``) marked as such."""
    found: list[Entry] = []
    current: Entry | None = None
    last = ""
    flags: frozenset[str] = frozenset()
    for raw in path.read_text(encoding="utf-8").splitlines():
        obsolete = raw.startswith("#~")
        line = raw[2:].strip() if obsolete else raw.strip()
        if line.startswith("#,"):
            flags = frozenset(f.strip() for f in line[2:].split(","))
            continue
        if not line or (line.startswith("#") and not obsolete):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):  # a continuation of the last keyword's string
            keyword, rest = last, line
        value = ast.literal_eval(rest)
        starts = keyword == "msgctxt" or (keyword == "msgid" and last != "msgctxt")
        if starts and keyword != last:
            if current is not None:
                found.append(current)
            current = Entry(flags=flags, obsolete=obsolete)
            flags = frozenset()
        assert current is not None, f"{path}: {raw!r} outside an entry"
        if keyword == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif keyword == "msgid":
            current.msgid += value
        elif keyword == "msgid_plural":
            current.plural = (current.plural or "") + value
        elif keyword == "msgstr":
            current.msgstr += value
        elif keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            while len(current.plural_strs) <= index:
                current.plural_strs.append("")
            current.plural_strs[index] += value
        last = keyword
    if current is not None:
        found.append(current)
    return [entry for entry in found if entry.msgid or entry.msgctxt]
