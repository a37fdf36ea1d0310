"""What each rupture change means for prompts and notifications (scheduled in the same transaction).

Filled in by the prompts work (issue 5); until then every hook records nothing.
"""

from __future__ import annotations

import datetime as dt

from ruptures.models import Message, Party, Rupture


def on_flagged(rupture: Rupture, *, now: dt.datetime) -> None:
    return None


def on_acknowledged(rupture: Rupture, *, now: dt.datetime) -> None:
    return None


def on_message(rupture: Rupture, message: Message, *, now: dt.datetime) -> None:
    return None


def on_confirmed(rupture: Rupture, *, side: Party, now: dt.datetime) -> None:
    return None


def on_not_yet(rupture: Rupture, *, now: dt.datetime) -> None:
    return None


def on_closed(rupture: Rupture, *, now: dt.datetime) -> None:
    return None
