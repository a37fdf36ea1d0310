"""The versions of the privacy notice and retention policy the app serves.

A parent's consent to a child's profile records the notice version they saw, so bump the version
whenever ``templates/privacy/notice.html`` changes in substance.
"""

from __future__ import annotations

PRIVACY_NOTICE_VERSION = "2026-11-28"
RETENTION_POLICY_VERSION = "2026-11-28"
