"""Rules of the tree a linter does not check: every phony Makefile target has a rule, and every
``# type: ignore[code]`` says why it is there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "data", "dist", ".git"}


def python_files() -> list[Path]:
    """Our Python files, less this one (its patterns would match themselves)."""
    return [
        p
        for p in ROOT.rglob("*.py")
        if not SKIP & set(p.relative_to(ROOT).parts) and p != Path(__file__).resolve()
    ]


def test_every_phony_makefile_target_has_a_rule() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M)
    assert phony is not None
    rules = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.M))

    assert set(phony.group(1).split()) == rules


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "# type: ignore" in line
        and not re.search(r"# type: ignore\[[a-z-]+(, [a-z-]+)*\]  # \S", line)
    ]

    assert bare == []
