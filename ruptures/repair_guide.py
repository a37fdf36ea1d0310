"""The guided repair steps of whoever makes it right.

A parent's six, naming the child and their feelings: the order matters, a parent who has not
calmed down cannot repair. A child's four toward a parent (what happened, sorry without "but",
how the parent may have felt, what they will try next time), worded for the child's age band.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import AgeBand
from ruptures import feelings
from ruptures.models import Direction, RepairStep, Rupture

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

GUIDANCE: dict[str, StrPromise] = {
    RepairStep.Code.CALM: gettext_lazy(
        "Before anything else, settle your own body. Breathe out slowly a few times, unclench "
        "your jaw and shoulders. You can only repair from calm; it is fine to take a minute."
    ),
    RepairStep.Code.ACKNOWLEDGE: gettext_lazy(
        "Say plainly what happened, from {name}'s side: \"Earlier I shouted at you when you "
        "were trying to tell me something.\" No minimising, no 'but'."
    ),
    RepairStep.Code.RESPONSIBILITY: gettext_lazy(
        'Own your part without excuses: "That was my job to handle, not yours. I\'m sorry." '
        "Tiredness or stress explain; they don't excuse."
    ),
    RepairStep.Code.VALIDATE: gettext_lazy(
        'Name what {name} felt{feelings}. Impact matters more than intention: "It makes sense '
        'you felt that way." Listen more than you talk.'
    ),
    RepairStep.Code.RECONNECT: gettext_lazy(
        "Reassure and reconnect in the way {name} likes: a hug, sitting together, doing "
        'something side by side. "We\'re OK. I love you, even when I get it wrong."'
    ),
    RepairStep.Code.CHANGE: gettext_lazy(
        "Say one concrete thing you will do differently next time, and ask {name} what would "
        "help. Small and real beats big and vague."
    ),
}


# The child's steps reuse the parent's codes that mean the same thing, so a step is stored,
# counted and shown the same way whichever side makes it right.
CHILD_STEPS: tuple[str, ...] = (
    RepairStep.Code.ACKNOWLEDGE,
    RepairStep.Code.RESPONSIBILITY,
    RepairStep.Code.VALIDATE,
    RepairStep.Code.CHANGE,
)

# (title, guidance) per step, for children under 13 ("young"), teens, and adult children.
CHILD_GUIDANCE: dict[str, dict[str, tuple[StrPromise, StrPromise]]] = {
    "young": {
        RepairStep.Code.ACKNOWLEDGE: (
            gettext_lazy("What happened?"),
            gettext_lazy(
                'Think about what you did. Say it in a few words, like "I said a mean thing to '
                '{name}."'
            ),
        ),
        RepairStep.Code.RESPONSIBILITY: (
            gettext_lazy("Say sorry"),
            gettext_lazy(
                'Say "I\'m sorry I ..." and stop there. No "but". Everyone makes mistakes, and '
                "saying sorry is brave."
            ),
        ),
        RepairStep.Code.VALIDATE: (
            gettext_lazy("How did {name} feel?"),
            gettext_lazy(
                'How do you think {name} felt{feelings}? You can say it: "I think you felt sad."'
            ),
        ),
        RepairStep.Code.CHANGE: (
            gettext_lazy("Next time"),
            gettext_lazy(
                "What will you try next time? Pick one small thing, like taking a big breath first."
            ),
        ),
    },
    "teen": {
        RepairStep.Code.ACKNOWLEDGE: (
            gettext_lazy("Say what happened"),
            gettext_lazy(
                "Put what happened into one or two sentences, from {name}'s side too: what you "
                "said or did, not why."
            ),
        ),
        RepairStep.Code.RESPONSIBILITY: (
            gettext_lazy('Apologise without a "but"'),
            gettext_lazy(
                '"I\'m sorry I ..." is enough. A "but" takes the sorry back; you can explain '
                "later, once {name} has heard the apology."
            ),
        ),
        RepairStep.Code.VALIDATE: (
            gettext_lazy("How {name} might have felt"),
            gettext_lazy(
                "Say how you think it landed for {name}{feelings}. You don't have to agree on "
                "everything to see that it hurt."
            ),
        ),
        RepairStep.Code.CHANGE: (
            gettext_lazy("What you'll try next time"),
            gettext_lazy(
                "Name one concrete thing you'll try next time. Small and real beats big and vague."
            ),
        ),
    },
    "adult": {
        RepairStep.Code.ACKNOWLEDGE: (
            gettext_lazy("Acknowledge what happened"),
            gettext_lazy(
                "Say plainly what happened, from {name}'s side as well as yours. No minimising."
            ),
        ),
        RepairStep.Code.RESPONSIBILITY: (
            gettext_lazy("Apologise, without excuses"),
            gettext_lazy(
                'Own your part: "I\'m sorry I ..." with no "but". Context can come later.'
            ),
        ),
        RepairStep.Code.VALIDATE: (
            gettext_lazy("Recognise how {name} felt"),
            gettext_lazy(
                "Name what you think {name} felt{feelings}. Impact matters more than intention."
            ),
        ),
        RepairStep.Code.CHANGE: (
            gettext_lazy("Say what you will do differently"),
            gettext_lazy("Say one concrete thing you will do differently next time."),
        ),
    },
}


def child_wording(band: AgeBand) -> str:
    """Which words a child reads: simple under 13, a teen's otherwise (also when we don't know
    their age), an adult's once they are one."""
    if band == AgeBand.UNDER_13:
        return "young"
    return "adult" if band == AgeBand.ADULT else "teen"


def steps_of(rupture: Rupture) -> tuple[str, ...]:
    """The step codes the one making it right works through."""
    if rupture.direction == Direction.CHILD_REPAIRS:
        return CHILD_STEPS
    return tuple(RepairStep.Code.values)


def repair_guide(rupture: Rupture) -> list[dict[str, str]]:
    if rupture.direction == Direction.CHILD_REPAIRS:
        return _child_guide(rupture)
    name = (rupture.child.display_name if rupture.child else "") or _("your child")
    named = [str(f["label"]).lower() for f in feelings.describe(rupture.feelings)]
    feeling_words = f" ({', '.join(named)})" if named else ""
    return [
        {
            "step": code,
            "title": title,
            "guidance": guidance.format(name=name, feelings=feeling_words),
        }
        for code, title, guidance in _parent_words(get_language())
    ]


def _child_guide(rupture: Rupture) -> list[dict[str, str]]:
    name = (rupture.parent.display_name if rupture.parent else "") or _("your parent")
    named = [str(f["label"]).lower() for f in feelings.describe(rupture.feelings)]
    feeling_words = f" ({', '.join(named)})" if named else ""
    band = rupture.child.age_band() if rupture.child else AgeBand.UNKNOWN
    return [
        {
            "step": code,
            "title": title.format(name=name),
            "guidance": guidance.format(name=name, feelings=feeling_words),
        }
        for code, title, guidance in _child_words(get_language(), child_wording(band))
    ]


# The steps' words are translated once per language and process (a rupture's page shows them
# all, and the catalogue does not change while the process runs): (code, title, guidance).
@cache
def _parent_words(language: str | None) -> tuple[tuple[str, str, str], ...]:
    return tuple((code, str(label), str(GUIDANCE[code])) for code, label in RepairStep.Code.choices)


@cache
def _child_words(language: str | None, wording: str) -> tuple[tuple[str, str, str], ...]:
    words = CHILD_GUIDANCE[wording]
    return tuple((code, str(words[code][0]), str(words[code][1])) for code in CHILD_STEPS)
