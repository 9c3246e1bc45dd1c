"""The ``skemotion`` command line (``skemotion COMMAND`` and ``python -m skemotion COMMAND``):
a thin layer over the library.

One module per command (``_describe``, ``_organize``, ``_evaluate``, ``_crop``,
``_train``, ``_predict``, ``_search``, ``_difficult``), each reading top to bottom as
"parse what I need, call the library, write the outputs", on shared modules:

- ``_base``: :class:`UsageError` (printed as one line, exit code 2), messages, the tqdm
  progress bar and ``add_command``, which registers a command's subparser;
- ``_options``: argument types and the option groups several commands share (data, face
  cropping, running, cross-validation);
- ``_data``: loading the data the options name, pipelines by name, face cropping with a
  progress bar, the splits;
- ``_paths``: path safety (inputs that exist, no output over an input or inside a data
  folder);
- ``_writers``: report, plot, table and PNG writing;
- ``_main``: the parser (``COMMANDS``, the order of ``--help``) and :func:`main`.

Adding a command ``watch``: write ``skemotion/cli/_watch.py`` with

.. code-block:: python

    from ._base import UsageError, add_command
    from ._options import _run_parent

    def add_parser(subparsers):
        p = add_command(subparsers, "watch", run, help="one line for skemotion --help",
                        description="what it does", example="  skemotion watch 0",
                        parents=[_run_parent(cv=False)])
        p.add_argument("source", help="...")

    def run(args):
        ...  # parse what it needs, call the library, write the outputs
        return 0  # the exit code; raise UsageError("...") for a user mistake

and add the module to ``COMMANDS`` in ``_main.py`` (and its name to ``COMMANDS`` in
tests/test_cli.py, whose help tests then check it). Optional dependencies are imported
inside ``run``, so that ``--help`` and the other commands work without them.
"""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
