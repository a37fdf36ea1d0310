"""The feelings vocabulary we ship: codes stored on ruptures, words chosen by the child's age.

Children under 13 see the ``young`` subset with big emoji and simple words; children under 8 the
smaller ``little`` set of six, each a picture they can pick without reading (the PWA reads its word
aloud); teens and adult children see every feeling with fuller words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Feeling:
    code: str
    emoji: str
    label_young: StrPromise
    label: StrPromise
    young: bool
    little: bool = False


FEELINGS: tuple[Feeling, ...] = (
    Feeling("hurt", "🤕", _("Hurt"), _("Hurt"), True, little=True),
    Feeling("sad", "😢", _("Sad"), _("Sad"), True, little=True),
    Feeling("angry", "😠", _("Mad"), _("Angry"), True, little=True),
    Feeling("scared", "😨", _("Scared"), _("Scared"), True, little=True),
    Feeling("embarrassed", "😳", _("Embarrassed"), _("Embarrassed"), True),
    Feeling("ignored", "🙈", _("Not listened to"), _("Ignored"), True, little=True),
    Feeling("confused", "😕", _("Mixed up"), _("Confused"), True),
    Feeling("lonely", "🥺", _("Lonely"), _("Lonely"), True, little=True),
    Feeling("frustrated", "😤", _("Grr"), _("Frustrated"), True),
    Feeling("worried", "😟", _("Worried"), _("Worried"), False),
    Feeling("disappointed", "😞", _("Let down"), _("Disappointed"), False),
    Feeling("misunderstood", "😶", _("You didn't get it"), _("Misunderstood"), False),
    Feeling("ashamed", "😣", _("Bad about me"), _("Ashamed"), False),
    Feeling("overwhelmed", "😵", _("Too much"), _("Overwhelmed"), False),
    Feeling("unfair", "⚖️", _("Not fair"), _("Treated unfairly"), False),
    Feeling("disrespected", "😒", _("Not respected"), _("Disrespected"), False),
)

BY_CODE: dict[str, Feeling] = {f.code: f for f in FEELINGS}
CODES: frozenset[str] = frozenset(BY_CODE)
MAX_FEELINGS = 6


def vocabulary() -> list[dict[str, Any]]:
    """Every feeling, its words in the active language."""
    return [dict(row) for row in _vocabulary_in(get_language())]


def describe(codes: list[str]) -> list[dict[str, str]]:
    """Feelings as shown on a rupture; unknown codes (from an older vocabulary) are kept, plain."""
    language = get_language()
    return [dict(_described_in(code, language)) for code in codes]


# Words are looked up once per language and process: a list page shows a few feelings on each of
# its rows, and the catalogue does not change while the process runs. Callers get copies.
@cache
def _vocabulary_in(language: str | None) -> tuple[dict[str, Any], ...]:
    return tuple(
        {**asdict(f), "label_young": str(f.label_young), "label": str(f.label)} for f in FEELINGS
    )


@lru_cache(maxsize=512)  # codes come from stored ruptures: bounded, even for unknown ones
def _described_in(code: str, language: str | None) -> dict[str, str]:
    feeling = BY_CODE.get(code)
    if feeling:
        return {"code": code, "label": str(feeling.label), "emoji": feeling.emoji}
    return {"code": code, "label": code.replace("_", " ").capitalize(), "emoji": ""}
