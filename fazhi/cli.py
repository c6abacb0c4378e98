"""The ``fazhi`` console script: fronts the Django management commands.

``fazhi audit verify`` is ``manage.py audit verify``; ``fazhi`` alone lists the commands.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fazhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
