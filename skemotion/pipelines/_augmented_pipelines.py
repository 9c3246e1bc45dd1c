"""Pipelines trained with capture augmentation (README, "Choosing a model"): a named
pipeline's steps after the face cropper, wrapped in :class:`~skemotion.AugmentedClassifier`
(perturbed copies of the training crops in ``fit`` only).

Examples
--------
>>> from skemotion.pipelines import DEFAULT_PIPELINE, make_named_pipeline
>>> DEFAULT_PIPELINE
'hog_logreg_augmented_mild_perface'
>>> type(make_named_pipeline(DEFAULT_PIPELINE).steps[-1][1]).__name__
'AugmentedClassifier'
"""

from ..augment._pipelines import _N_COPIES, augmented_pipeline
from ._registry import PIPELINES, register_pipeline
from . import _feature_pipelines  # noqa: F401  (the plain pipelines must be registered first)

#: lowerface_hog_logreg trained on its crops plus perturbed copies.
register_pipeline("lowerface_hog_logreg_augmented")(
    augmented_pipeline(PIPELINES["lowerface_hog_logreg"]))

_HOG_LOGREG_MILD = augmented_pipeline(PIPELINES["hog_logreg"], probability=0.5)


@register_pipeline("hog_logreg_augmented_mild_perface")
def hog_logreg_augmented_mild_perface(*, detect=True, output_size=None, cropper_params=None,
                                      **params):
    """hog_logreg (whole face) trained on its crops plus two copies, each perturbation of
    the capture chain applied with probability 0.5, with the L2 penalty per face of
    hog_logreg: the default pipeline.

    hog_logreg's C=0.01 was fixed for one image per face; with three images per face
    scikit-learn's penalty is three times weaker per face, so C is 0.01 / 3 here (the
    same as weighting each image 1/3). ``**params`` as for ``hog_logreg`` (``C`` too).
    """
    params.setdefault("C", 0.01 / (1 + _N_COPIES))
    return _HOG_LOGREG_MILD(detect=detect, output_size=output_size,
                            cropper_params=cropper_params, **params)
