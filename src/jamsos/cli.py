"""The ``jamsos`` console script: Django's ``manage.py`` under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamsos.config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jamsos", *sys.argv[1:]])


if __name__ == "__main__":
    main()
