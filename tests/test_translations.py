"""Every word the server says exists in Spanish, and every word it says is marked to be.

Two halves, each robust where the other cannot be:

1. Complete: Django's own extractor (``makemessages``: xgettext over the same files, with the same
   keywords, as anyone refreshing the catalogue) runs over a copy of the sources into a throwaway
   locale directory. Every msgid it finds must be in ``locale/es/LC_MESSAGES/django.po`` with a
   msgstr that is filled, not fuzzy, and keeps the msgid's placeholders (``%(name)s``,
   ``{name}``); the .po holds nothing the sources no longer say; and the committed .mo is that .po
   compiled (its catalogue, read by the standard library's ``gettext``, equals the .po's).
2. Marked: extraction only sees marked strings, so a literal nobody marked would pass (1). So the
   modules that produce user text are parsed (``ast``, not regular expressions) and every string
   literal in them that reads as words must sit inside a gettext call, but for what a reader
   expects to stay English: docstrings, log lines, internal exceptions, the schema's
   ``help_text``. A message given to one of our errors is held to the same rule in every module
   of the project, and the email and privacy-page templates hold no text outside
   ``{% translate %}`` and ``{% blocktranslate %}``.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.support import po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"
APPS = ("accounts", "api", "care", "checkins", "familyrepair", "ruptures")

# --- 1. complete ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> list[po.Entry]:
    """What the sources mark for translation, extracted as ``makemessages`` would, but into a
    copy: run in the tree, it would merge into the real catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext's tools are needed: 'apt-get install gettext' (scripts/test.sh does)")
    source = tmp_path_factory.mktemp("sources")
    for app in APPS:
        shutil.copytree(ROOT / app, source / app, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[]):
        patch.chdir(source)  # makemessages walks the working directory, into ./locale
        call_command("makemessages", locale=["es"], no_location=True, verbosity=0)
    return po.entries(source / "locale" / "es" / "LC_MESSAGES" / "django.po")


def translated() -> dict[str, po.Entry]:
    return {key(entry): entry for entry in po.entries(CATALOGUE / "django.po")}


def key(entry: po.Entry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w*\}")


def test_the_extraction_finds_the_servers_words(extracted: list[po.Entry]) -> None:
    """Guards the test itself: an extraction that found nothing would pass everything below."""
    msgids = {entry.msgid for entry in extracted}

    assert "No such rupture." in msgids  # an error
    assert "Ready to make it right with %(child)s?" in msgids  # a notice
    assert "Open FamilyRepair" in msgids  # an email template
    assert "Hurt" in msgids  # a feeling


def test_every_marked_string_has_a_spanish_translation(extracted: list[po.Entry]) -> None:
    spanish = translated()
    problems = []
    for entry in extracted:
        found = spanish.get(key(entry))
        strings = [found.msgstr] if found and entry.plural is None else []
        if found and entry.plural is not None:
            strings = found.plural_strs
        if found is None:
            problems.append(f"missing: {entry.msgid!r}")
        elif "fuzzy" in found.flags or found.obsolete:
            problems.append(f"fuzzy or obsolete: {entry.msgid!r}")
        elif not strings or not all(strings):
            problems.append(f"empty: {entry.msgid!r}")
        elif any(
            sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(entry.msgid))
            for s in strings
        ):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {strings!r}")

    assert problems == [], "\n".join(
        ["Translate these in locale/es/LC_MESSAGES/django.po, then compile it:", *problems]
    )


def test_the_catalogue_holds_nothing_the_sources_no_longer_say(extracted: list[po.Entry]) -> None:
    stale = sorted(set(translated()) - {key(entry) for entry in extracted})

    assert stale == []


def test_the_committed_mo_is_the_po_compiled() -> None:
    """Compiled by ``msgfmt --check -o django.mo django.po`` (README, "Translations")."""
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if k != ""}  # type: ignore[attr-defined]  # the catalogue is private but stable since Python 2

    expected = {key(entry): entry.msgstr for entry in translated().values()}

    assert compiled == expected


def test_the_catalogue_passes_msgfmts_own_checks(tmp_path: Path) -> None:
    """Format strings, header and plural forms, as gettext itself checks them."""
    result = subprocess.run(  # a fixed command on our own file
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE / "django.po")],  # noqa: S607  # gettext's tool from PATH, as makemessages finds it
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")


# --- 2. marked ------------------------------------------------------------------------------------
# The modules whose strings reach people: errors, notices (in-app, push, email), the words the API
# serves. Their string literals that read as words must be marked.
WORD_MODULES = (
    "familyrepair/errors.py",
    "api/exceptions.py",
    "ruptures/delivery.py",
    "ruptures/repair_guide.py",
    "ruptures/feelings.py",
    "ruptures/states.py",
    "checkins/words.py",
    "accounts/adapters.py",
    "ruptures/safety.py",
    "ruptures/reflection.py",
    "api/ruptures/serializers.py",
    "api/checkins/views.py",
    "api/checkins/serializers.py",
    "api/views_system.py",
    "familyrepair/middleware.py",
    "api/care/safety_reviews.py",
)
TEMPLATES = ("ruptures/templates/ruptures/email", "familyrepair/templates/privacy")

GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
USER_ERRORS = {
    "ApplicationError",
    "InvalidInput",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unprocessable",
    "ValidationError",
}
INTERNAL_ERRORS = {
    "AssertionError",
    "ImproperlyConfigured",
    "KeyError",
    "LookupError",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
SCHEMA_KEYWORDS = {"help_text", "description", "summary"}
RECORD_KEYWORDS = {"error", "last_error", "cancelled_reason"}  # kept for staff, never shown
WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}|^[A-Z][a-z]+[.!?]?$")


def _called(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return ""


def _literals(tree: ast.AST) -> Iterator[tuple[ast.expr, str, list[ast.AST]]]:
    """Each string literal (an f-string as a whole) with the nodes around it, outermost first."""

    def walk(node: ast.AST, around: list[ast.AST]) -> Iterator[tuple[ast.expr, str, list[ast.AST]]]:
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values
            )
            yield node, str(text), around
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, node.value, around
            return
        body = getattr(node, "body", None)
        docstring = (
            body[0]
            if isinstance(body, list)
            and body
            and isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            else None
        )
        for child in ast.iter_child_nodes(node):
            if child is not docstring:
                yield from walk(child, [*around, node])

    yield from walk(tree, [])


def _excused(around: list[ast.AST], literal: ast.expr) -> bool:
    """Marked, or one of the strings that stay English on purpose."""
    for node, inner in zip(around, [*around[1:], literal], strict=True):
        called = _called(node)
        if called in GETTEXT or called in INTERNAL_ERRORS or called.startswith("extend_schema"):
            return True
        if called in LOG_METHODS and isinstance(node, ast.Call):
            return True
        if isinstance(node, ast.keyword) and node.arg in SCHEMA_KEYWORDS | RECORD_KEYWORDS:
            return True
        if isinstance(node, ast.Dict) and inner in node.keys:
            return True  # a key is data, its value may be words
    return False


def _unmarked(path: Path, *, only_in_errors: bool, root: Path = ROOT) -> list[str]:
    found = []
    for literal, text, around in _literals(ast.parse(path.read_text(), filename=str(path))):
        if not WORDS.search(text) or _excused(around, literal):
            continue
        in_error = any(_called(node) in USER_ERRORS for node in around)
        if in_error or not only_in_errors:
            found.append(f"{path.relative_to(root)}:{literal.lineno}: {text!r}")
    return found


def test_every_string_that_reaches_people_is_marked_for_translation() -> None:
    unmarked = [
        line for module in WORD_MODULES for line in _unmarked(ROOT / module, only_in_errors=False)
    ]

    assert unmarked == []


def test_every_error_message_is_marked_for_translation() -> None:
    """Our errors (and Django's and DRF's ``ValidationError``) say their message in the reader's
    language, in every module that raises one."""
    unmarked = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line in _unmarked(path, only_in_errors=True)
    ]

    assert unmarked == []


def test_the_checks_above_would_see_an_unmarked_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring stays English."""\n'
        "log.warning('stays English too')\n"
        "title = 'Ready to make it right?'\n"
        "raise Conflict(f'This moment is {state}.', code=ErrorCode.CONFLICT)\n"
        "raise Conflict(_('This moment is closed.'))\n"
        "raise LookupError('prompt has no recipient')\n"
    )

    everywhere = _unmarked(sample, only_in_errors=False, root=tmp_path)
    in_errors = _unmarked(sample, only_in_errors=True, root=tmp_path)

    assert everywhere == [
        "sample.py:3: 'Ready to make it right?'",
        "sample.py:4: 'This moment is {}.'",
    ]
    assert in_errors == ["sample.py:4: 'This moment is {}.'"]


TEMPLATE_MARKUP = re.compile(
    r"{%\s*blocktranslate.*?%}.*?{%\s*endblocktranslate\s*%}|{%.*?%}|{{.*?}}|<[^>]*>", re.S
)


def test_email_and_privacy_templates_hold_no_text_outside_translate_tags() -> None:
    bare = {
        str(path.relative_to(ROOT)): re.findall(
            r"[A-Za-z][^<{]*", TEMPLATE_MARKUP.sub("", text).replace("FamilyRepair", "")
        )
        for folder in TEMPLATES
        for path in sorted((ROOT / folder).iterdir())
        if (text := path.read_text())
    }

    assert bare == {path: [] for path in bare}
    assert len(bare) == 5  # a prompt's email (text and HTML), the privacy pages and their base
