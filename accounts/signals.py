"""Hooks other domain apps connect to, so accounts never imports them (dependencies point one way).

- ``account_exporting(sender=User, user=...)``: each receiver returns ``{section_name: data}`` of
  JSON values; ``user_export`` merges them into the export.
- ``account_deleting(sender=User, user=..., now=...)``: sent inside the deletion's transaction
  before the user row goes; receivers anonymise what the other party must keep (ruptures).
- ``details_opted_out(sender=Membership, membership=...)``: sent inside the transaction when a
  member opts out of ``details`` therapists; receivers withhold what that member already wrote.
"""

from __future__ import annotations

from django.dispatch import Signal

account_exporting = Signal()
account_deleting = Signal()
details_opted_out = Signal()
