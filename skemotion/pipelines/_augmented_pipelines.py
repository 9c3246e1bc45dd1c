"""Pipelines trained with capture augmentation (README, "Choosing a model"): a named
pipeline's steps after the face cropper, wrapped in :class:`~skemotion.AugmentedClassifier`
(perturbed copies of the training crops in ``fit`` only).

Examples
--------
>>> from skemotion.pipelines import DEFAULT_PIPELINE, make_named_pipeline
>>> DEFAULT_PIPELINE
'hog_logreg_augmented_mild'
>>> type(make_named_pipeline(DEFAULT_PIPELINE).steps[-1][1]).__name__
'AugmentedClassifier'
"""

from ..augment._pipelines import augmented_pipeline
from ._registry import PIPELINES, register_pipeline
from . import _feature_pipelines  # noqa: F401  (the plain pipelines must be registered first)

#: lowerface_hog_logreg trained on its crops plus perturbed copies.
register_pipeline("lowerface_hog_logreg_augmented")(
    augmented_pipeline(PIPELINES["lowerface_hog_logreg"]))

#: hog_logreg (whole face) trained on its crops plus two copies, each perturbation of the
#: capture chain applied with probability 0.5: the default pipeline.
register_pipeline("hog_logreg_augmented_mild")(
    augmented_pipeline(PIPELINES["hog_logreg"], probability=0.5))
