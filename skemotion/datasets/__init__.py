"""Dataset loaders: CK+ as distributed, sorted image folders, and the embedded London set.

Every loader returns a :class:`sklearn.utils.Bunch` with ``images``, ``filenames``,
``target``, ``target_names``, ``groups`` (subject ids) and ``DESCR``.
"""

from ._london import load_frl_london
from ._summary import describe_dataset, summarize_dataset

__all__ = [
    "describe_dataset",
    "load_frl_london",
    "summarize_dataset",
]
