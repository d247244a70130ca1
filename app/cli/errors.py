"""How every `rolodex` command fails: one line `error: …` on stderr and exit status 2.

`ReportingGroup` is the click group class of the top-level Typer app. Click runs every
sub-command (and sub-group) inside the top group's `invoke`, so catching there covers the whole
CLI in one place: usage mistakes (unknown option, missing file), a `BadParameter` a command
raises, domain errors from the graph layer (`No migration with id 'mig_nope'.`), an unreachable
Neo4j, and anything unexpected — never a traceback. `typer.Exit(code)` passes through, so a
command may still choose its exit status (`rolodex verify` exits 1 when a bundle is refused).
Set `ROLODEX_CLI_TRACEBACK=1` to see the traceback of an unexpected error while debugging.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any, NoReturn

import typer
from pydantic import ValidationError

# Typer ships its own copy of click; its exception and context types are the ones raised here.
from typer._click.core import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

EXIT_ERROR = 2


class CliError(Exception):
    """A failure a command reports as it is (the message is the whole line after `error: `)."""


def fail(message: str) -> NoReturn:
    """Stop the command with `error: message` on stderr and exit status 2."""
    raise CliError(message)


def one_line(text: str) -> str:
    """Collapse a message onto one line (a multi-line error would break `error: …` parsing)."""
    return " ".join(text.split())


def describe(error: BaseException) -> str:
    """The message shown for an exception: its own text, or its kind when it has none."""
    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'settings'}: {item['msg']}"
            for item in error.errors()
        )
        return f"invalid settings: {problems}"
    if isinstance(error, ClickException):
        return error.format_message()
    text = str(error).strip()
    return text if text else type(error).__name__


def report(error: BaseException) -> NoReturn:
    """Print `error: …` on stderr and exit with status 2."""
    if os.environ.get("ROLODEX_CLI_TRACEBACK") == "1":
        traceback.print_exception(error, file=sys.stderr)
    typer.echo(f"error: {one_line(describe(error))}", err=True)
    raise typer.Exit(EXIT_ERROR)


class ReportingGroup(TyperGroup):
    """The top-level group: turns every failure of any command into one line and exit 2."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, NoArgsIsHelpError):
            raise  # a chosen exit status, or help for a bare group: not an error
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except Exception as error:
            report(error)
