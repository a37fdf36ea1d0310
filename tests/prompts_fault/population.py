"""A thousand due prompts for parents with every mix of channels, written straight to the tables,
and what each one must end as; then what the push and SMTP servers saw, traced back to prompts.

Per parent: one child, five ruptures the child flagged, a heads-up and a repair prompt on each
(ten prompts, all due now). Parents come in kinds:

- push: one browser subscription (every third parent two); email allowed but never needed;
- push_off: a subscription but push turned off, email on: email only, and no push may arrive;
- email: no subscription, email on;
- in_app: no subscription, email off: the inbox only;
- quiet: push and email, inside their quiet hours now (in zones around the world): in the inbox
  at once, push and email deferred to the window's end;
- held: push and email, and the child also made an unsafe flag about them, held for safety review.
  The hold holds that flag only: their ordinary prompts go out as anyone's would, while a prompt
  about the held flag itself ends cancelled, nothing of it delivered anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Family, Membership, Role, User
from ruptures.models import (
    Party,
    Prompt,
    PromptKind,
    PushSubscription,
    Rupture,
    Status,
)
from ruptures.quiet_hours import quiet_until
from tests.support.push_server import PushServer
from tests.support.smtp_server import SmtpServer

RUPTURES_PER_PARENT = 5
KINDS = (PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT)
QUIET_ZONES = (
    "Asia/Tokyo",
    "America/New_York",
    "Europe/London",
    "Australia/Adelaide",
    "America/St_Johns",
)
# Out of every 20 parents: 9 push, 4 push_off, 4 email, 1 in_app, 1 quiet, 1 held.
MIX = ("push",) * 9 + ("push_off",) * 4 + ("email",) * 4 + ("in_app", "quiet", "held")
LINK = re.compile(r"/#/ruptures/(\d+)")

type Key = tuple[int, int, str]  # (recipient, rupture, kind): one prompt each


@dataclass
class Population:
    prompt_ids: list[int] = field(default_factory=list)
    sent: set[int] = field(default_factory=set)  # must end sent
    deferred: dict[int, dt.datetime] = field(default_factory=dict)  # pending until this instant
    held: set[int] = field(default_factory=set)  # about a held flag: cancelled, never delivered
    by_key: dict[Key, int] = field(default_factory=dict)
    recipient_of: dict[int, int] = field(default_factory=dict)
    kind_of_parent: dict[int, str] = field(default_factory=dict)
    subscription_owner: dict[str, int] = field(default_factory=dict)  # push server id -> user
    user_by_email: dict[str, int] = field(default_factory=dict)

    def expects_push(self, prompt_id: int) -> bool:
        return prompt_id in self.sent and self._kind(prompt_id) in {"push", "held"}

    def expects_email(self, prompt_id: int) -> bool:
        return prompt_id in self.sent and self._kind(prompt_id) in {"push_off", "email"}

    def _kind(self, prompt_id: int) -> str:
        return self.kind_of_parent[self.recipient_of[prompt_id]]


def build(
    push_server: PushServer, *, parents: int = 100, now: dt.datetime | None = None
) -> Population:
    """Rows for ``parents`` parents (ten due prompts each), committed in one go."""
    now = now or timezone.now()
    population = Population()
    kinds = [MIX[i % len(MIX)] for i in range(parents)]
    families = Family.objects.bulk_create(
        Family(name=f"Fault {i}", calm_down_minutes=0) for i in range(parents)
    )
    parent_rows, child_rows = [], []
    for i, kind in enumerate(kinds):
        zone, start, end = "UTC", None, None
        if kind == "quiet":
            zone = QUIET_ZONES[(i // len(MIX)) % len(QUIET_ZONES)]
            local = now.astimezone(zoneinfo.ZoneInfo(zone))
            start = (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
            end = (local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
        parent_rows.append(
            User(
                email=f"parent{i}@fault.familyrepair.localhost",
                display_name=f"Parent {i}",
                password="!",  # unusable: they never sign in here
                time_zone=zone,
                quiet_hours_start=start,
                quiet_hours_end=end,
                notify_push=kind != "push_off",
                notify_email=kind != "in_app",
            )
        )
        child_rows.append(
            User(
                email=None,
                display_name=f"Kid{i}",
                password="!",
                is_child_profile=True,
                quiet_hours_start=None,
                quiet_hours_end=None,
            )
        )
    parent_users = User.objects.bulk_create(parent_rows)
    child_users = User.objects.bulk_create(child_rows)
    Membership.objects.bulk_create(
        [
            Membership(family=f, user=p, role=Role.PARENT)
            for f, p in zip(families, parent_users, strict=True)
        ]
        + [
            Membership(family=f, user=c, role=Role.CHILD)
            for f, c in zip(families, child_users, strict=True)
        ]
    )

    ruptures: list[Rupture] = []
    held_flags: list[Rupture] = []
    pushing = 0  # parents with push so far
    for family, parent, child, kind in zip(families, parent_users, child_users, kinds, strict=True):
        population.kind_of_parent[parent.pk] = kind
        population.user_by_email[str(parent.email)] = parent.pk
        for _ in range(RUPTURES_PER_PARENT):
            ruptures.append(
                Rupture(
                    family=family,
                    child=child,
                    parent=parent,
                    started_by=Party.CHILD,
                    feelings=["hurt"],
                    intensity=3,
                    occurred_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
        if kind == "held":
            held_flags.append(
                Rupture.objects.create(
                    family=family,
                    child=child,
                    parent=parent,
                    started_by=Party.CHILD,
                    status=Status.SAFETY_REVIEW,
                    unsafe=True,
                    feelings=["scared"],
                    intensity=5,
                )
            )
        if kind in {"push", "push_off", "quiet", "held"}:
            # Every third parent with push has two devices. Counted here, not by primary key: the
            # keys a test gets depend on the tests before it (a flush keeps the sequences).
            two_devices = kind == "push" and pushing % 3 == 2
            if kind == "push":
                pushing += 1
            for _ in range(2 if two_devices else 1):
                browser = push_server.subscribe()
                PushSubscription.objects.create(
                    user=parent, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
                )
                population.subscription_owner[browser.id] = parent.pk
    ruptures = Rupture.objects.bulk_create(ruptures)

    due = now - dt.timedelta(seconds=1)
    prompts = Prompt.objects.bulk_create(
        Prompt(recipient_id=r.parent_id or 0, rupture=r, kind=k, due_at=due, created_at=due)
        for r in ruptures
        for k in KINDS
    )
    parents_by_id = {p.pk: p for p in parent_users}
    for prompt in prompts:
        assert prompt.recipient_id is not None
        assert prompt.rupture_id is not None  # this population's prompts are all about a rupture
        population.prompt_ids.append(prompt.pk)
        population.by_key[(prompt.recipient_id, prompt.rupture_id, prompt.kind)] = prompt.pk
        population.recipient_of[prompt.pk] = prompt.recipient_id
        kind = population.kind_of_parent[prompt.recipient_id]
        if kind == "quiet":
            parent = parents_by_id[prompt.recipient_id]
            until = quiet_until(
                at=now,
                time_zone=parent.time_zone,
                start=parent.quiet_hours_start,
                end=parent.quiet_hours_end,
            )
            assert until is not None
            assert until > now + dt.timedelta(minutes=30)
            population.deferred[prompt.pk] = until
        else:
            population.sent.add(prompt.pk)
    # A prompt about the held flag itself, as a stale row would be: it must never go out.
    for flag in Prompt.objects.bulk_create(
        Prompt(
            recipient_id=r.parent_id or 0,
            rupture=r,
            kind=PromptKind.HEADS_UP,
            due_at=due,
            created_at=due,
        )
        for r in held_flags
    ):
        assert flag.recipient_id is not None
        assert flag.rupture_id is not None
        population.prompt_ids.append(flag.pk)
        population.by_key[(flag.recipient_id, flag.rupture_id, flag.kind)] = flag.pk
        population.recipient_of[flag.pk] = flag.recipient_id
        population.held.add(flag.pk)
    return population


@dataclass(frozen=True)
class Seen:
    """What reached the outside, per prompt: counts per push subscription, and emails."""

    pushes: dict[int, Counter[str]]
    emails: Counter[int]
    strays: list[str]  # anything that could not be traced to one of our prompts


def seen(population: Population, push_server: PushServer, smtp_server: SmtpServer) -> Seen:
    pushes: dict[int, Counter[str]] = {}
    emails: Counter[int] = Counter()
    strays: list[str] = []
    for request in push_server.delivered():
        owner = population.subscription_owner.get(request.subscription_id)
        payload = request.payload or {}
        key = (owner or 0, int(payload.get("rupture", 0)), str(payload.get("kind", "")))
        prompt_id = population.by_key.get(key)
        if prompt_id is None:
            strays.append(f"push {request.subscription_id}: {payload}")
            continue
        pushes.setdefault(prompt_id, Counter())[request.subscription_id] += 1
    for message in smtp_server.messages:
        text = message.text()
        match = LINK.search(text)
        kind = (
            PromptKind.REPAIR_PROMPT
            if message.subject.startswith("Ready to make it right")
            else PromptKind.HEADS_UP
        )
        for address in message.rcpt_tos:
            user = population.user_by_email.get(address, 0)
            prompt_id = population.by_key.get((user, int(match.group(1)) if match else 0, kind))
            if prompt_id is None:
                strays.append(f"email to {address}: {message.subject}")
            else:
                emails[prompt_id] += 1
    return Seen(pushes=pushes, emails=emails, strays=strays)
