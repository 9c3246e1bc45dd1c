"""Old home of the command line, now :mod:`skemotion.cli`.

Kept so that ``skemotion`` console scripts installed before the move (they import
``skemotion._cli:main`` until the package is installed again) keep working.
"""

from .cli import main

__all__ = ["main"]
