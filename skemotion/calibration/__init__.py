"""Recognition relative to each person's own neutral face.

:class:`ReferenceCalibratedClassifier` classifies ``(image, reference)`` pairs by a named
pipeline's features of the face beside their difference to the features of the same
person's neutral face; ``make_named_pipeline(name, calibrated=True)`` builds one, and the
loaders give the references with ``references=True``. ``with_reference`` fixes one
person's reference for predicting plain images (live video).

Examples
--------
>>> from skemotion.pipelines import make_named_pipeline
>>> model = make_named_pipeline("hog_logreg_flip", calibrated=True)
>>> type(model).__name__, type(model.estimator).__name__
('ReferenceCalibratedClassifier', 'Pipeline')
"""

from ._classifier import ReferenceCalibratedClassifier, ReferencePinnedClassifier

__all__ = ["ReferenceCalibratedClassifier", "ReferencePinnedClassifier"]
