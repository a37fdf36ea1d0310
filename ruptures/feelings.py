"""The feelings vocabulary we ship: codes stored on ruptures, words chosen by the child's age.

Children under 13 see the ``young`` subset with big emoji and simple words; children under 8 the
smaller ``little`` set of six, each a picture they can pick without reading (the PWA reads its word
aloud); teens and adult children see every feeling with fuller words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Feeling:
    code: str
    emoji: str
    label_young: str
    label: str
    young: bool
    little: bool = False


FEELINGS: tuple[Feeling, ...] = (
    Feeling("hurt", "🤕", "Hurt", "Hurt", True, little=True),
    Feeling("sad", "😢", "Sad", "Sad", True, little=True),
    Feeling("angry", "😠", "Mad", "Angry", True, little=True),
    Feeling("scared", "😨", "Scared", "Scared", True, little=True),
    Feeling("embarrassed", "😳", "Embarrassed", "Embarrassed", True),
    Feeling("ignored", "🙈", "Not listened to", "Ignored", True, little=True),
    Feeling("confused", "😕", "Mixed up", "Confused", True),
    Feeling("lonely", "🥺", "Lonely", "Lonely", True, little=True),
    Feeling("frustrated", "😤", "Grr", "Frustrated", True),
    Feeling("worried", "😟", "Worried", "Worried", False),
    Feeling("disappointed", "😞", "Let down", "Disappointed", False),
    Feeling("misunderstood", "😶", "You didn't get it", "Misunderstood", False),
    Feeling("ashamed", "😣", "Bad about me", "Ashamed", False),
    Feeling("overwhelmed", "😵", "Too much", "Overwhelmed", False),
    Feeling("unfair", "⚖️", "Not fair", "Treated unfairly", False),
    Feeling("disrespected", "😒", "Not respected", "Disrespected", False),
)

BY_CODE: dict[str, Feeling] = {f.code: f for f in FEELINGS}
CODES: frozenset[str] = frozenset(BY_CODE)
MAX_FEELINGS = 6


def vocabulary() -> list[dict[str, Any]]:
    return [asdict(f) for f in FEELINGS]


def describe(codes: list[str]) -> list[dict[str, str]]:
    """Feelings as shown on a rupture; unknown codes (from an older vocabulary) are kept, plain."""
    out = []
    for code in codes:
        feeling = BY_CODE.get(code)
        out.append(
            {"code": code, "label": feeling.label, "emoji": feeling.emoji}
            if feeling
            else {"code": code, "label": code.replace("_", " ").capitalize(), "emoji": ""}
        )
    return out
