"""Recognition relative to each person's own neutral face.

:class:`ReferenceCalibratedClassifier` classifies ``(image, reference)`` pairs by a named
pipeline's features of the face and their difference to the features of the same
person's neutral face; ``make_named_pipeline(name, calibrated=True)`` builds one, and the
loaders give the references with ``references=True``. :meth:`~ReferenceCalibratedClassifier.
with_reference` fixes one person's reference for predicting plain images (live video).
"""

from ._classifier import ReferenceCalibratedClassifier, ReferencePinnedClassifier

__all__ = ["ReferenceCalibratedClassifier", "ReferencePinnedClassifier"]
