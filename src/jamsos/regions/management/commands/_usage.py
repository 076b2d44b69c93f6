"""Exit status 2 for every kind of bad usage, from the shell and from ``call_command``.

Django's parser exits 2 on argparse errors from the command line but raises a
``CommandError`` with status 1 under ``call_command``; our commands promise 2 either way
(0 = answer is "yes", 1 = answer is "no", 2 = the question was badly put).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

USAGE_ERROR = 2


class UsageExitMixin(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        argparse_error = parser.error

        def error(message: str) -> NoReturn:
            if parser.called_from_command_line:
                argparse_error(message)  # prints usage and exits 2
            raise CommandError(f"Error: {message}", returncode=USAGE_ERROR)

        parser.error = error  # type: ignore[method-assign]
        return parser


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)
