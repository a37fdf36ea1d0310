"""Hooks other domain apps connect to, so accounts never imports them (dependencies point one way).

- ``account_exporting(sender=User, user=...)``: each receiver returns ``{section_name: data}`` of
  JSON values; ``user_export`` merges them into the export.
- ``account_deleting(sender=User, user=..., now=...)``: sent inside the deletion's transaction
  before the user row goes; receivers anonymise what the other party must keep (ruptures).
- ``details_opted_out(sender=Membership, membership=...)``: sent inside the transaction when a
  member opts out of ``details`` therapists; receivers withhold what that member already wrote.
- ``child_profile_erasing(sender=User, user=..., now=...)``: sent inside the erasure's transaction
  before a child profile goes; receivers delete what is about the child, except what they hold.
- ``family_holds(sender=Family, family_id=...)``: receivers return True when they hold records of
  the family that must outlive it (a flag under safety review): the family is then dissolved
  (kept, seen by nobody) instead of deleted.
- ``family_releasing(sender=Family, family_id=...)``: sent before a family is dissolved or
  purged; receivers delete what they do not hold, so the deletion can go through.
- ``family_activity(sender=Family, family_ids=..., kind=..., actor_name=..., detail=...,
  user_id=..., now=...)``: a family action that may touch held records (an account deleted, a
  member removed, a child erased, a family deleted, a therapist revoked); receivers record it for
  whoever reviews them. The action itself goes ahead exactly as it would otherwise.
"""

from __future__ import annotations

from django.dispatch import Signal

account_exporting = Signal()
account_deleting = Signal()
details_opted_out = Signal()
child_profile_erasing = Signal()
family_holds = Signal()
family_releasing = Signal()
family_activity = Signal()
