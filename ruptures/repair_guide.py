"""The six guided repair steps, in the words a parent sees, naming the child and their feelings.

The order matters: a parent who has not calmed down cannot repair.
"""

from __future__ import annotations

from ruptures import feelings
from ruptures.models import RepairStep, Rupture

GUIDANCE: dict[str, str] = {
    RepairStep.Code.CALM: (
        "Before anything else, settle your own body. Breathe out slowly a few times, unclench "
        "your jaw and shoulders. You can only repair from calm; it is fine to take a minute."
    ),
    RepairStep.Code.ACKNOWLEDGE: (
        "Say plainly what happened, from {name}'s side: \"Earlier I shouted at you when you "
        "were trying to tell me something.\" No minimising, no 'but'."
    ),
    RepairStep.Code.RESPONSIBILITY: (
        'Own your part without excuses: "That was my job to handle, not yours. I\'m sorry." '
        "Tiredness or stress explain; they don't excuse."
    ),
    RepairStep.Code.VALIDATE: (
        'Name what {name} felt{feelings}. Impact matters more than intention: "It makes sense '
        'you felt that way." Listen more than you talk.'
    ),
    RepairStep.Code.RECONNECT: (
        "Reassure and reconnect in the way {name} likes: a hug, sitting together, doing "
        'something side by side. "We\'re OK. I love you, even when I get it wrong."'
    ),
    RepairStep.Code.CHANGE: (
        "Say one concrete thing you will do differently next time, and ask {name} what would "
        "help. Small and real beats big and vague."
    ),
}


def repair_guide(rupture: Rupture) -> list[dict[str, str]]:
    name = (rupture.child.display_name if rupture.child else "") or "your child"
    named = [f["label"].lower() for f in feelings.describe(rupture.feelings)]
    feeling_words = f" ({', '.join(named)})" if named else ""
    return [
        {
            "step": code,
            "title": str(label),
            "guidance": GUIDANCE[code].format(name=name, feelings=feeling_words),
        }
        for code, label in RepairStep.Code.choices
    ]
