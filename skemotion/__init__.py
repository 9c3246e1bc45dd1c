"""skemotion: facial emotion recognition with classical computer vision, as scikit-learn estimators.

``__all__`` below is the list of public names; ``skemotion.datasets``,
``skemotion.model_selection`` and ``skemotion.pipelines`` hold the rest. The code lives in
private modules grouped by topic: ``faces/`` (detection and cropping), ``features/`` (one
module per descriptor family), ``pipelines/``, ``model_selection/``, ``datasets/``,
``plotting/``, ``utils/`` (shared helpers) and ``cli/`` (the command line); the README's
"Where things are" maps each folder.
"""

__version__ = "0.1.0"

from .augment import (
    AugmentedClassifier,
    HorizontalFlip,
    RandomBlur,
    RandomBoxJitter,
    RandomDownscale,
    RandomGamma,
    RandomJPEG,
    RandomNoise,
    RandomRotation,
    capture_augmentations,
)
from ._emotions import CKPLUS_EMOTIONS, canonical_emotion, parse_emotions
from ._fisherface import FisherFaceClassifier
from ._meta_estimators import FlipAugmentedClassifier
from ._pca_lda import GramPCA, ImageFlattener, make_pca_lda
from .calibration import ReferenceCalibratedClassifier, ReferencePinnedClassifier
from ._persistence import load_model, save_model, trusted_types
from .faces._cropper import FaceCropper, detect_faces
from .faces._detect import FaceDetection
from .faces._find import find_faces
from .features._gabor import GaborTransformer
from .features._hog import HOGTransformer
from .features._landmarks import LandmarkAligner, LandmarkShape, face_landmarks, landmark_model_path
from .features._lbp import LBPTransformer
from .features._region import FaceRegion
from .model_selection import EmotionSubset, StratifiedGroupShuffleSplit, evaluate
from .plotting._gallery import FisherfaceGalleryDisplay, ImageGalleryDisplay
from .plotting._plots import plot_confusion_matrix, plot_difficult_images, plot_learning_curve
from .utils._image_io import read_image
from .video import VideoEmotionRecognizer

__all__ = [
    "__version__",
    "CKPLUS_EMOTIONS",
    "canonical_emotion",
    "parse_emotions",
    "read_image",
    "FaceCropper",
    "FaceDetection",
    "detect_faces",
    "find_faces",
    "FisherFaceClassifier",
    "FisherfaceGalleryDisplay",
    "ImageGalleryDisplay",
    "GramPCA",
    "ImageFlattener",
    "make_pca_lda",
    "save_model",
    "load_model",
    "trusted_types",
    "HOGTransformer",
    "LBPTransformer",
    "GaborTransformer",
    "FaceRegion",
    "FlipAugmentedClassifier",
    "LandmarkShape",
    "LandmarkAligner",
    "face_landmarks",
    "landmark_model_path",
    "EmotionSubset",
    "StratifiedGroupShuffleSplit",
    "evaluate",
    "plot_confusion_matrix",
    "plot_difficult_images",
    "plot_learning_curve",
    "VideoEmotionRecognizer",
    "ReferenceCalibratedClassifier",
    "ReferencePinnedClassifier",
    "AugmentedClassifier",
    "capture_augmentations",
    "HorizontalFlip",
    "RandomBlur",
    "RandomBoxJitter",
    "RandomDownscale",
    "RandomGamma",
    "RandomJPEG",
    "RandomNoise",
    "RandomRotation",
]
