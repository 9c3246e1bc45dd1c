"""``python -m skemotion ...``: the same command line as the ``skemotion`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
