"""``manage.py load_demo_ruptures``: a few ruptures in the demo family (run after ``load_demo``),
so a newcomer sees a repair celebrated, one waiting, and a parent starting one. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.management.commands.load_demo import DEMO_FAMILY
from accounts.models import Family, Membership, Role, User
from ruptures import services
from ruptures.models import RepairStep, Rupture


class Command(BaseCommand):
    help = "Add demo ruptures to the demo family made by load_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        family = Family.objects.filter(name=DEMO_FAMILY).order_by("id").first()
        if family is None:
            raise CommandError("Run `manage.py load_demo` first.")
        if Rupture.objects.filter(family=family).exists():
            self.stdout.write("Demo ruptures already there.")
            return
        members = Membership.objects.filter(family=family).select_related("user").order_by("id")
        parents = [m.user for m in members if m.role == Role.PARENT]
        children = [m.user for m in members if m.role == Role.CHILD]
        teen = next(c for c in children if c.email)
        young = next(c for c in children if not c.email)
        now = timezone.now()
        self.repaired(family, teen, parents[0], now - dt.timedelta(days=5))
        services.rupture_flag(
            actor=young,
            flag=services.FlagInput(
                family_id=family.pk,
                parent_id=parents[-1].pk,
                feelings=["sad", "ignored"],
                intensity=3,
                size="medium",
                need="comfort",
            ),
            now=now - dt.timedelta(hours=1),
        )
        services.rupture_flag(
            actor=parents[0],
            flag=services.FlagInput(
                family_id=family.pk,
                child_id=young.pk,
                feelings=["scared"],
                intensity=2,
                note="I raised my voice at bedtime. I want to make it right.",
            ),
            now=now - dt.timedelta(minutes=20),
        )
        self.stdout.write(self.style.SUCCESS("Demo ruptures ready: one repaired, two open."))

    def repaired(self, family: Family, child: User, parent: User, when: dt.datetime) -> None:
        rupture = services.rupture_flag(
            actor=child,
            flag=services.FlagInput(
                family_id=family.pk,
                parent_id=parent.pk,
                feelings=["embarrassed", "angry"],
                intensity=4,
                size="big",
                note="You told me off in front of my friends.",
            ),
            now=when,
        )
        step = dt.timedelta(minutes=30)
        services.rupture_acknowledge(actor=parent, rupture_id=rupture.pk, now=when + step)
        services.rupture_repair_steps_update(
            actor=parent,
            rupture_id=rupture.pk,
            changes=[services.StepChange(step=code, done=True) for code in RepairStep.Code.values],
            now=when + 2 * step,
        )
        services.rupture_message_post(
            actor=parent,
            rupture_id=rupture.pk,
            now=when + 3 * step,
            body="I'm sorry I embarrassed you. That was mine to handle privately. Next time I'll "
            "ask you to step aside with me.",
        )
        services.rupture_message_post(
            actor=child,
            rupture_id=rupture.pk,
            body="Thanks. That means a lot.",
            now=when + 4 * step,
        )
        services.rupture_confirm(actor=parent, rupture_id=rupture.pk, now=when + 5 * step)
        services.rupture_confirm(actor=child, rupture_id=rupture.pk, now=when + 6 * step)
