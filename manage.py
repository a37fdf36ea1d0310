#!/usr/bin/env python
"""Django's command-line utility; DJANGO_ENV picks the settings mode (local by default)."""

from __future__ import annotations

import sys


def main() -> None:
    from familyrepair.settings import use_settings_from_env

    use_settings_from_env()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
