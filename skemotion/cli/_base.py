"""What every command shares: the usage error, messages, progress bars and
:func:`add_command`, which registers a command's subparser."""

import argparse
import os
import sys
import threading
import time

from tqdm import tqdm

#: Seconds between two plain progress lines on a stream that is not a terminal.
PLAIN_PROGRESS_INTERVAL = 15.0


class UsageError(Exception):
    """A mistake in the command line or its inputs (bad path, unknown emotion...)."""


def _one_line(exc):
    """The text of an exception squeezed onto one line."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError) and text.startswith(("'", '"')):
        text = text[1:-1]
    return " ".join(text.split())


def progress_bar(total, desc, *, enabled=True, stream=None, unit=""):
    """Progress on stderr; nothing when ``enabled`` is false (``--quiet``).

    On a terminal, a tqdm bar. On any other stream (a pipe, a log file, CI), where a
    redrawn bar would be one endless line: a plain line ``desc: n/total (elapsed,
    postfix)`` every :data:`PLAIN_PROGRESS_INTERVAL` seconds while the work lasts and a
    last one when it ends; work shorter than that prints nothing. ``total`` may be None
    (a counter). Returns an object with ``update(n)``, ``set_postfix_str(s)`` and
    ``close()`` that is also a context manager.
    """
    stream = sys.stderr if stream is None else stream
    if enabled and not _isatty(stream):
        return _PlainProgress(total, desc, stream, PLAIN_PROGRESS_INTERVAL, unit)
    columns, lines = _terminal_size(stream)
    return tqdm(total=total, desc=desc, file=stream, unit=unit, ncols=columns, nrows=lines,
                disable=not enabled)


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class _PlainProgress:
    """The plain progress lines of :func:`progress_bar` on a stream that is not a terminal.

    A background thread writes the lines, so one long step (a pipeline fitted for
    minutes between two updates) is still reported every ``interval`` seconds.
    """

    def __init__(self, total, desc, stream, interval, unit=""):
        self.total, self.desc, self.stream, self.unit = total, desc, stream, unit
        self.n, self.postfix = 0, ""
        self._start = time.monotonic()
        self._printed = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, args=(interval,), daemon=True)
        self._thread.start()

    def _tick(self, interval):
        while not self._stop.wait(interval):
            self._line()

    def _line(self, end=""):
        with self._lock:
            count = f"{self.n}" if self.total is None else f"{self.n}/{self.total}"
            unit = f" {self.unit}s" if self.unit else ""
            elapsed = _duration(time.monotonic() - self._start)
            postfix = f", {self.postfix}" if self.postfix and not end else ""
            self.stream.write(f"{self.desc}: {count}{unit} ({elapsed}{postfix}{end})\n")
            self.stream.flush()
            self._printed = True

    def update(self, n=1):
        with self._lock:
            self.n += n

    def set_postfix_str(self, s="", refresh=True):
        """What is being worked on (e.g. the pipeline), as tqdm shows it after the bar."""
        with self._lock:
            self.postfix = s

    def close(self):
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        if self._printed:  # the run's last line: where it ended
            self._line(", done" if self.total is None or self.n >= self.total else ", stopped")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _duration(seconds):
    """``42 s``, ``3 min 05 s``."""
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


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
    """Whether to show progress (:func:`progress_bar` chooses a bar or plain lines)."""
    return not getattr(args, "quiet", False)


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
