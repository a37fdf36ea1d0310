"""The embedded default a newcomer runs: debug on, SQLite, a private Redis from the run command."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "local-only-insecure-key-do-not-deploy")
os.environ.setdefault("DJANGO_DEBUG", "true")

from familyrepair.settings.base import *  # noqa: F403  # the mode extends the shared base
from familyrepair.settings.base import ALLOWED_HOSTS, env

# The run command adds this machine's LAN address so a phone on the same network can open it.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, *env.list("EXTRA_ALLOWED_HOSTS", default=[])]
