"""What the check-in says: its questions, with a name filled in, and its prompts' words (which
never say anything anyone answered)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkins.models import Question

if TYPE_CHECKING:
    from checkins.models import CheckInRound

INSTRUMENT_NOTE = gettext_lazy(
    "Our own two questions, asked every two weeks and answered on a 1 to 5 face scale; "
    "not a validated clinical instrument. The figures are self-reported."
)
SCALE_LABELS = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}


def question_text(question: str, *, other_name: str) -> str:
    """The question as the respondent reads it, about the other person in the pair."""
    return str(Question(question).label).format(name=other_name or _("them"))


def prompt_words(kind: str, round_: CheckInRound | None) -> tuple[str, str, str]:
    """(title, body, url) of a check-in prompt or its one reminder."""
    url = f"/#/families/{round_.family_id}/check-in" if round_ is not None else "/#/inbox"
    if kind == "check_in_reminder":
        return (_("The family check-in is still open"), _("Two taps, whenever suits you."), url)
    return (
        _("Time for the family check-in"),
        _("Two quick questions: how are you two doing?"),
        url,
    )
