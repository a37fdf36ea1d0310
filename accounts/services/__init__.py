"""Writes for people, families, child devices, invites and care teams, one module per noun.

Each service takes an explicit ``actor`` and an injectable ``now``, checks access through
``accounts.selectors`` (404 outside the actor's families, 403 inside), opens its own transaction
(``@transaction.atomic``; callers need none) and raises ``familyrepair.errors`` with a stable
``code``. Import from the module that owns the noun (``accounts.services.invites``); this
package re-exports nothing.
"""
