"""Dataset loaders: CK+ as distributed, sorted image folders, and the embedded London set.

Every loader returns a :class:`sklearn.utils.Bunch` with ``images``, ``filenames``,
``target``, ``target_names``, ``groups`` (subject ids) and ``DESCR``.
"""

from ._ckplus import load_ckplus
from ._concat import concat_datasets
from ._folder import DEFAULT_SUBJECT_PATTERN, load_image_folder
from ._london import load_frl_london
from ._organize import organize_ckplus
from ._summary import describe_dataset, summarize_dataset

__all__ = [
    "DEFAULT_SUBJECT_PATTERN",
    "concat_datasets",
    "describe_dataset",
    "load_ckplus",
    "load_frl_london",
    "load_image_folder",
    "organize_ckplus",
    "summarize_dataset",
]
