"""What every command shares: the usage error, messages, progress bars and
:func:`add_command`, which registers a command's subparser."""

import argparse
import os
import sys

from tqdm import tqdm


class UsageError(Exception):
    """A mistake in the command line or its inputs (bad path, unknown emotion...)."""


def _one_line(exc):
    """The text of an exception squeezed onto one line."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError) and text.startswith(("'", '"')):
        text = text[1:-1]
    return " ".join(text.split())


def progress_bar(total, desc, *, enabled=True, stream=None):
    """A tqdm progress bar on stderr; it draws nothing when ``enabled`` is false.

    Returns the ``tqdm`` object (``update(n)``, ``close()``, a context manager).
    """
    stream = sys.stderr if stream is None else stream
    columns, lines = _terminal_size(stream)
    return tqdm(total=total, desc=desc, file=stream, unit="", ncols=columns, nrows=lines,
                disable=not enabled)


def _terminal_size(stream):
    """(columns, lines) of the terminal ``stream`` is on; (80, 24) when unknown or 0.

    tqdm draws nothing on a terminal that reports 0 lines (some CI runners and
    ``pty.openpty()`` do), so the size is passed explicitly.
    """
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError):
        columns = lines = 0
    return (columns if columns > 0 else 80), (lines if lines > 0 else 24)


def _bars_enabled(args):
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _print_warning(command, text):
    """``skemotion COMMAND: warning: TEXT`` on stderr (also with ``--quiet``)."""
    print(f"skemotion {command}: warning: {text}", file=sys.stderr, flush=True)


def _listing(items, limit=5):
    """``a, b, c and 4 more``: the first ``limit`` items, and how many are not shown."""
    items = [str(item) for item in items]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _info(args, message):
    """A progress message on stderr (not with ``--quiet``)."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def add_command(subparsers, name, run, *, help, description, example, parents=()):
    """Add the subparser of command ``name``, which :func:`~skemotion.cli.main` runs
    as ``run(args)``; returns it for the command's own arguments.

    ``example`` (indented command lines) goes into ``--help`` under "example:";
    ``parents`` are option groups from :mod:`._options`.
    """
    p = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog="example:\n" + example,
        formatter_class=_Formatter,
        parents=list(parents),
    )
    p.set_defaults(func=run)
    return p
