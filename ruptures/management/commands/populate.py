"""Build a realistic population in PostgreSQL, fast, for the benchmarks.

    manage.py populate --families 100000   # ~400,000 users, ~1,000,000 ruptures, a few minutes

Rows go in with ``COPY`` (psycopg) in batches of families, one transaction each, with ids assigned
here so relations need no round trip; after each batch every sequence is moved past them, and at
the end the tables are analysed. A fixed seed makes two runs at the same size identical. It adds
to what is there (the ids continue after the tables' highest), so it can run on a database in use,
but not while anything else writes to it. It writes rows, not behaviour: no prompt is delivered,
no task enqueued, no email sent.

Per family: one or two parents (with verified emails), one to three children (teens with an email,
younger ones on a paired device, no email), about ten ruptures over the past year in every state,
their timeline events, messages, prompts (sent, cancelled or pending) and, for each sent prompt,
its in-app notification. One verified therapist per thousand families holds a caseload of care
team grants (one family in fifty, half of them with ``details`` scope).

Sign-in: every account has an unusable password; the benchmarks set one on the few they use.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import CareScope, CareTeamGrant, Family, Membership, Role, User
from ruptures import feelings as feeling_vocabulary
from ruptures.models import (
    EventKind,
    Message,
    Need,
    Notification,
    Party,
    Prompt,
    PromptKind,
    PromptStatus,
    Rupture,
    RuptureEvent,
    Size,
    Status,
)

EMAIL_DOMAIN = "population.invalid"
UNUSABLE_PASSWORD = "!population"  # noqa: S105  # Django's marker for "no password": nobody signs in with it
RUPTURES_PER_FAMILY = (4, 16)  # uniform: about ten on average
FAMILIES_PER_THERAPIST = 1000
CASELOAD_EVERY = 50  # one family in fifty has a therapist on its care team
MESSAGES = (
    "I'm sorry I shouted.",
    "Can we talk after dinner?",
    "I didn't like how that went.",
    "I'm ready to try again.",
    "Thank you for listening.",
    "I felt left out.",
)
SIZES = (*Size.values, "")
NEEDS = (*Need.values, "")
TITLES = {kind.value: str(kind.label) for kind in PromptKind}
# status: weight; most ruptures in a year-old family are long closed.
STATUS_WEIGHTS = {
    Status.RECONNECTED: 62,
    Status.FLAGGED: 12,
    Status.ACKNOWLEDGED: 12,
    Status.AWAITING_CONFIRMATION: 5,
    Status.WITHDRAWN: 8,
    Status.SAFETY_REVIEW: 1,
}


@dataclass
class Table:
    """One model's rows for COPY, in its concrete column order, with the model's defaults."""

    model: type[models.Model]
    next_id: int = 0
    rows: list[list[Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    template: list[Any] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    count: int = 0

    def __post_init__(self) -> None:
        fields = list(self.model._meta.concrete_fields)
        self.columns = [f.attname for f in fields]
        self.template = [_default(f) for f in fields]
        self.index = {column: n for n, column in enumerate(self.columns)}

    def add(self, **values: Any) -> int:
        """Appends a row (the model's defaults, overridden by ``values``); returns its id."""
        row = self.template.copy()
        index = self.index
        for column, value in values.items():
            row[index[column]] = value
        pk: int = values.get("id") or self.take_id()
        row[index["id"]] = pk
        self.rows.append(row)
        self.count += 1
        return pk

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def db_columns(self) -> list[str]:
        by_attname = {f.attname: f.column or f.attname for f in self.model._meta.concrete_fields}
        return [by_attname[column] for column in self.columns]


def _default(model_field: models.Field[Any, Any]) -> Any:
    if model_field.primary_key:
        return None
    value = model_field.get_default()
    if isinstance(model_field, models.JSONField):
        return json.dumps(value)
    return value


class Population:
    """Generates the rows for ``families`` families into one Table per model, then copies them.

    The class attributes shape a family; a benchmark can subclass with other values (a long
    history, every family on one therapist's caseload)."""

    ruptures_per_family: tuple[int, int] = RUPTURES_PER_FAMILY
    family_age_days: tuple[int, int] = (30, 365)
    caseload_every = CASELOAD_EVERY

    def __init__(self, *, families: int, seed: int, now: dt.datetime) -> None:
        self.families = families
        self.random = random.Random(seed)  # noqa: S311  # reproducible rows, not secrets
        self.now = now
        models_in_order: Sequence[type[models.Model]] = (
            User,
            EmailAddress,
            Family,
            Membership,
            CareTeamGrant,
            Rupture,
            RuptureEvent,
            Message,
            Prompt,
            Notification,
        )
        self.tables = {model: Table(model) for model in models_in_order}
        self.feeling_codes = [f["code"] for f in feeling_vocabulary.vocabulary()]
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())
        self.made = 0

    def start_ids_after(self, existing: dict[type[models.Model], int]) -> None:
        for model, table in self.tables.items():
            table.next_id = existing.get(model, 0)

    # --- people ---------------------------------------------------------------------------------

    def user(self, **values: Any) -> int:
        joined = self.now - dt.timedelta(days=self.random.randint(30, 720))
        values.setdefault("date_joined", joined)
        return self.tables[User].add(password=UNUSABLE_PASSWORD, **values)

    def email(self, user_id: int, address: str) -> None:
        self.tables[EmailAddress].add(user_id=user_id, email=address, verified=True, primary=True)

    def therapists(self) -> list[int]:
        count = max(1, self.families // FAMILIES_PER_THERAPIST)
        ids = []
        for _ in range(count):
            user_id = self.tables[User].take_id()
            address = f"therapist{user_id}@{EMAIL_DOMAIN}"
            self.user(
                id=user_id,
                email=address,
                display_name=f"Dr {user_id}",
                is_therapist=True,
                therapist_verified_at=self.now - dt.timedelta(days=90),
                therapist_share_code=f"T{user_id:09d}",
                quiet_hours_start=None,
                quiet_hours_end=None,
            )
            self.email(user_id, address)
            ids.append(user_id)
        return ids

    # --- a family -------------------------------------------------------------------------------

    def family(self, therapists: Sequence[int]) -> None:
        rnd = self.random
        family_id = self.tables[Family].take_id()
        parents: list[int] = []
        children: list[int] = []
        for n in range(2 if rnd.random() < 0.8 else 1):
            user_id = self.tables[User].take_id()
            address = f"p{family_id}.{n}@{EMAIL_DOMAIN}"
            self.user(
                id=user_id,
                email=address,
                display_name=rnd.choice(("Mum", "Dad", "Mama", "Papa", "Sam", "Alex")),
                birth_year=rnd.randint(1970, 1995),
            )
            self.email(user_id, address)
            parents.append(user_id)
        for n in range(rnd.choice((1, 2, 2, 3, 3))):
            user_id = self.tables[User].take_id()
            birth_year = self.now.year - rnd.randint(5, 17)
            teen = self.now.year - birth_year >= 13
            child_address = f"c{family_id}.{n}@{EMAIL_DOMAIN}" if teen else None
            self.user(
                id=user_id,
                email=child_address,
                display_name=rnd.choice(("Kit", "Robin", "Jo", "Max", "Ali", "Noor", "Ben")),
                birth_year=birth_year,
                is_child_profile=not teen,
            )
            if child_address:
                self.email(user_id, child_address)
            children.append(user_id)
        created = self.now - dt.timedelta(days=rnd.randint(*self.family_age_days))
        self.tables[Family].add(
            id=family_id, name=f"Family {family_id}", created_by_id=parents[0], created_at=created
        )
        for user_id in parents:
            self.tables[Membership].add(
                family_id=family_id, user_id=user_id, role=Role.PARENT, joined_at=created
            )
        for user_id in children:
            self.tables[Membership].add(
                family_id=family_id,
                user_id=user_id,
                role=Role.CHILD,
                joined_at=created,
                details_opt_out=rnd.random() < 0.1,
            )
        self.made += 1
        every = self.caseload_every
        if therapists and self.made % every == 1 % every:
            self.tables[CareTeamGrant].add(
                family_id=family_id,
                therapist_id=therapists[self.made // every % len(therapists)],
                scope=CareScope.DETAILS if self.made // every % 2 else CareScope.METRICS,
                granted_by_id=parents[0],
                granted_at=created + dt.timedelta(days=1),
            )
        for _ in range(rnd.randint(*self.ruptures_per_family)):
            self.rupture(family_id, rnd.choice(parents), rnd.choice(children), since=created)

    # --- a rupture and everything it left behind --------------------------------------------------

    def rupture(self, family_id: int, parent_id: int, child_id: int, *, since: dt.datetime) -> None:
        rnd = self.random
        span = max(60.0, (self.now - since).total_seconds() - 3600)
        flagged = since + dt.timedelta(seconds=rnd.uniform(0, span))
        status = rnd.choices(self.statuses, self.status_weights)[0]
        started_by = Party.PARENT if rnd.random() < 0.2 else Party.CHILD
        if status in (Status.FLAGGED, Status.SAFETY_REVIEW):
            started_by = Party.CHILD  # a parent's own flag starts acknowledged
        rupture_id = self.tables[Rupture].take_id()
        by = {Party.CHILD: child_id, Party.PARENT: parent_id}
        other = Party.PARENT if started_by == Party.CHILD else Party.CHILD
        clock = flagged

        def later(low: int, high: int) -> dt.datetime:
            nonlocal clock
            clock = min(self.now, clock + dt.timedelta(seconds=rnd.randint(low, high)))
            return clock

        events = self.tables[RuptureEvent]
        first_status = Status.SAFETY_REVIEW if status == Status.SAFETY_REVIEW else Status.FLAGGED
        if started_by == Party.PARENT:
            first_status = Status.ACKNOWLEDGED
        events.add(
            rupture_id=rupture_id,
            kind=EventKind.FLAGGED,
            actor_id=by[started_by],
            to_status=first_status,
            created_at=flagged,
        )
        values: dict[str, Any] = {}
        self.prompt(by[other], rupture_id, PromptKind.HEADS_UP, flagged, status)
        if status not in (Status.FLAGGED, Status.SAFETY_REVIEW, Status.WITHDRAWN) or (
            status == Status.WITHDRAWN and rnd.random() < 0.5
        ):
            acknowledged = flagged if started_by == Party.PARENT else later(60, 6 * 3600)
            values["acknowledged_at"] = acknowledged
            if started_by == Party.CHILD:
                events.add(
                    rupture_id=rupture_id,
                    kind=EventKind.ACKNOWLEDGED,
                    actor_id=parent_id,
                    from_status=Status.FLAGGED,
                    to_status=Status.ACKNOWLEDGED,
                    created_at=acknowledged,
                )
                self.prompt(child_id, rupture_id, PromptKind.ACKNOWLEDGED, acknowledged, status)
            for _ in range(rnd.choice((0, 0, 1, 1, 2))):
                author = rnd.choice((child_id, parent_id))
                sent_at = later(30, 3600)
                self.tables[Message].add(
                    rupture_id=rupture_id,
                    author_id=author,
                    body=rnd.choice(MESSAGES),
                    created_at=sent_at,
                )
                events.add(
                    rupture_id=rupture_id,
                    kind=EventKind.MESSAGE,
                    actor_id=author,
                    from_status=Status.ACKNOWLEDGED,
                    to_status=Status.ACKNOWLEDGED,
                    created_at=sent_at,
                )
                recipient = parent_id if author == child_id else child_id
                self.prompt(recipient, rupture_id, PromptKind.MESSAGE, sent_at, status)
        if status in (Status.AWAITING_CONFIRMATION, Status.RECONNECTED):
            first = rnd.choice((Party.CHILD, Party.PARENT))
            confirmed = later(600, 2 * 86400)
            values[f"{first}_confirmed_at"] = confirmed
            events.add(
                rupture_id=rupture_id,
                kind=EventKind.CONFIRMED,
                actor_id=by[first],
                from_status=Status.ACKNOWLEDGED,
                to_status=Status.AWAITING_CONFIRMATION,
                created_at=confirmed,
            )
            second = Party.PARENT if first == Party.CHILD else Party.CHILD
            self.prompt(by[second], rupture_id, PromptKind.CONFIRM_PROMPT, confirmed, status)
            if status == Status.RECONNECTED:
                reconnected = later(60, 86400)
                values[f"{second}_confirmed_at"] = reconnected
                values["reconnected_at"] = reconnected
                values["closed_at"] = reconnected
                events.add(
                    rupture_id=rupture_id,
                    kind=EventKind.RECONNECTED,
                    actor_id=by[second],
                    from_status=Status.AWAITING_CONFIRMATION,
                    to_status=Status.RECONNECTED,
                    created_at=reconnected,
                )
                follow_up_due = reconnected + dt.timedelta(days=3)
                self.prompt(
                    child_id, rupture_id, PromptKind.FOLLOW_UP, follow_up_due, status, lasting=True
                )
        elif status == Status.WITHDRAWN:
            withdrawn = later(60, 86400)
            values["closed_at"] = withdrawn
            events.add(
                rupture_id=rupture_id,
                kind=EventKind.WITHDRAWN,
                actor_id=by[started_by],
                to_status=Status.WITHDRAWN,
                created_at=withdrawn,
            )
        elif status in (Status.FLAGGED, Status.ACKNOWLEDGED):
            self.prompt(parent_id, rupture_id, PromptKind.REMINDER, later(3600, 86400), status)
        self.tables[Rupture].add(
            id=rupture_id,
            family_id=family_id,
            child_id=child_id,
            parent_id=parent_id,
            started_by=started_by,
            status=status,
            feelings=json.dumps(rnd.sample(self.feeling_codes, rnd.randint(1, 3))),
            intensity=rnd.randint(1, 5),
            size=rnd.choice(SIZES),
            need=rnd.choice(NEEDS),
            note=rnd.choice(("", "", "You didn't listen.", "It wasn't fair.")),
            occurred_at=flagged - dt.timedelta(minutes=rnd.randint(1, 120)),
            unsafe=status == Status.SAFETY_REVIEW,
            created_at=flagged,
            updated_at=clock,
            **values,
        )

    def prompt(
        self,
        recipient_id: int,
        rupture_id: int,
        kind: PromptKind,
        due_at: dt.datetime,
        status: Status,
        *,
        lasting: bool = False,
    ) -> None:
        """A prompt as the policy would have left it: sent when due in the past (with its
        notification), pending when still due, cancelled when the rupture moved on unsent."""
        if status == Status.SAFETY_REVIEW and kind == PromptKind.HEADS_UP:
            return  # a parent is never told of a rupture held for safety review
        due = due_at if lasting else min(due_at, self.now - dt.timedelta(minutes=1))
        if due > self.now:
            self.tables[Prompt].add(
                recipient_id=recipient_id, rupture_id=rupture_id, kind=kind, due_at=due
            )
            return
        if kind == PromptKind.REMINDER and self.random.random() < 0.5:
            self.tables[Prompt].add(
                recipient_id=recipient_id,
                rupture_id=rupture_id,
                kind=kind,
                due_at=due,
                status=PromptStatus.CANCELLED,
                cancelled_reason="acknowledged",
            )
            return
        sent_at = due + dt.timedelta(seconds=self.random.randint(1, 20))
        prompt_id = self.tables[Prompt].add(
            recipient_id=recipient_id,
            rupture_id=rupture_id,
            kind=kind,
            due_at=due,
            status=PromptStatus.SENT,
            attempts=1,
            sent_at=sent_at,
            created_at=due,
        )
        self.tables[Notification].add(
            recipient_id=recipient_id,
            prompt_id=prompt_id,
            rupture_id=rupture_id,
            kind=kind,
            title=TITLES[kind],
            body="Open FamilyRepair to see it.",
            url=f"/ruptures/{rupture_id}",
            created_at=sent_at,
            read_at=sent_at + dt.timedelta(hours=2) if self.random.random() < 0.7 else None,
        )

    def generate(self, batch: int) -> Iterator[int]:
        """Families in batches; yields the number done after each, with the rows to copy ready."""
        therapists = self.therapists()
        for done in range(1, self.families + 1):
            self.family(therapists)
            if done % batch == 0 or done == self.families:
                yield done


def _copy(table: Table) -> None:
    if not table.rows:
        return
    columns = ", ".join(f'"{column}"' for column in table.db_columns())
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        with raw.copy(f'COPY "{table.db_table}" ({columns}) FROM STDIN') as copy:
            for row in table.rows:
                copy.write_row(row)
    table.rows.clear()


def _skip_foreign_key_checks() -> bool:
    """Foreign keys are checked by a trigger per row, which makes COPY several times slower; the
    rows here are consistent by construction (every id is assigned above). A superuser can turn
    the triggers off for this transaction (``session_replication_role``, as pg_restore does);
    anyone else gets the checks, only slower."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def _restore_foreign_key_checks() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _move_sequences(tables: Iterable[Table]) -> None:
    """Each id sequence past the rows copied, so an interrupted run leaves a usable database."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [table.db_table, max(table.next_id, 1)],
            )


def _max_ids(tables: Sequence[type[models.Model]]) -> dict[type[models.Model], int]:
    found = {}
    for model in tables:
        found[model] = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
    return found


def copy_population(
    population: Population, *, batch: int = 2000, progress: Callable[[int], None] | None = None
) -> None:
    """Generate and COPY the population batch by batch (one transaction each, ids continuing
    after the tables' highest), then analyse the tables."""
    population.start_ids_after(_max_ids(list(population.tables)))
    for done in population.generate(batch=max(1, batch)):
        with transaction.atomic():
            skip_checks = _skip_foreign_key_checks()
            for table in population.tables.values():
                _copy(table)
            if skip_checks:
                _restore_foreign_key_checks()
            _move_sequences(population.tables.values())
        if progress is not None:
            progress(done)
    with connection.cursor() as cursor:
        for table in population.tables.values():
            cursor.execute(f'ANALYZE "{table.db_table}"')


class Command(BaseCommand):
    help = "Build a realistic population (families, users, ruptures and their rows) with COPY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=1000, help="default 1000")
        parser.add_argument("--seed", type=int, default=12, help="the same seed, the same rows")
        parser.add_argument(
            "--batch", type=int, default=2000, help="families per COPY round (default 2000)"
        )

    def handle(self, *args: Any, families: int, seed: int, batch: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("populate writes with COPY: it needs PostgreSQL (DATABASE_URL).")
        if families < 1:
            raise CommandError("--families must be at least 1.")
        started = time.monotonic()
        population = Population(families=families, seed=seed, now=timezone.now())

        def progress(done: int) -> None:
            if options["verbosity"] >= 1:
                elapsed = time.monotonic() - started
                self.stderr.write(f"  {done:,} of {families:,} families ({elapsed:.0f} s)")

        copy_population(population, batch=batch, progress=progress)
        counts = ", ".join(
            f"{table.count:,} {table.model._meta.verbose_name_plural}"
            for table in population.tables.values()
        )
        elapsed = time.monotonic() - started
        if options["verbosity"] >= 1:
            self.stdout.write(f"populated in {elapsed:.0f} s: {counts}")
