"""The ``skemotion`` command line (``skemotion COMMAND`` and ``python -m skemotion COMMAND``)."""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
