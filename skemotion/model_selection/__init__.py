"""Subject-grouped evaluation, emotion-subset searches and difficult images, the scikit-learn way.

Public names (implementations live in private modules):

- :class:`StratifiedGroupShuffleSplit`: repeated random splits, subjects apart, classes balanced.
- :func:`evaluate` / :class:`EvaluationResult`: several models on identical splits under the
  tutorial's protocol and the subject-grouped one; :func:`make_protocol`, :data:`PROTOCOLS`.
- :class:`EvaluationReport`: an evaluation and its data as a Markdown and JSON report.
- :class:`EmotionSubset` / :func:`make_subset_scorer`: emotion subsets as a grid-search dimension.
- :func:`find_difficult_images` / :func:`write_difficult_images` / :class:`DifficultImages`.
- :func:`dask_backend`: run searches and evaluations on a Dask cluster.
"""

from ._split import StratifiedGroupShuffleSplit
from ._evaluate import PROTOCOLS, EvaluationResult, evaluate, make_protocol
from ._report import EvaluationReport
from ._subset import EmotionSubset, make_subset_scorer
from ._cluster import dask_backend
from ._difficult import (
    DIFFICULT_COLUMNS,
    DifficultImages,
    find_difficult_images,
    write_difficult_images,
)

__all__ = [
    "dask_backend",
    "DIFFICULT_COLUMNS",
    "DifficultImages",
    "find_difficult_images",
    "write_difficult_images",
    "PROTOCOLS",
    "EmotionSubset",
    "EvaluationReport",
    "EvaluationResult",
    "StratifiedGroupShuffleSplit",
    "evaluate",
    "make_protocol",
    "make_subset_scorer",
]
