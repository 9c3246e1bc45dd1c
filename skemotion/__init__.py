"""skemotion: facial emotion recognition with classical computer vision, as scikit-learn estimators."""

__version__ = "0.1.0"

from ._emotions import CKPLUS_EMOTIONS, canonical_emotion, parse_emotions
from ._image_io import read_image
from .model_selection import EmotionSubset, StratifiedGroupShuffleSplit, evaluate
from ._fisherface import FisherFaceClassifier

__all__ = [
    "__version__",
    "CKPLUS_EMOTIONS",
    "canonical_emotion",
    "parse_emotions",
    "read_image",
    "EmotionSubset",
    "StratifiedGroupShuffleSplit",
    "evaluate",
    "FisherFaceClassifier",
]
