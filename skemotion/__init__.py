"""skemotion: facial emotion recognition with classical computer vision, as scikit-learn estimators."""

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
from ._face_cropper import FaceCropper, FaceDetection, detect_faces
from ._features import (
    FaceRegion,
    FlipAugmentedClassifier,
    GaborTransformer,
    HOGTransformer,
    LBPTransformer,
)
from ._fisherface import FisherFaceClassifier
from ._gallery import FisherfaceGalleryDisplay, ImageGalleryDisplay
from ._image_io import read_image
from ._landmarks import LandmarkAligner, LandmarkShape, face_landmarks, landmark_model_path
from ._pca_lda import ImageFlattener, make_pca_lda
from ._persistence import load_model, save_model, trusted_types
from ._plotting import plot_confusion_matrix, plot_difficult_images, plot_learning_curve
from .model_selection import EmotionSubset, StratifiedGroupShuffleSplit, evaluate

__all__ = [
    "__version__",
    "CKPLUS_EMOTIONS",
    "canonical_emotion",
    "parse_emotions",
    "read_image",
    "FaceCropper",
    "FaceDetection",
    "detect_faces",
    "FisherFaceClassifier",
    "FisherfaceGalleryDisplay",
    "ImageGalleryDisplay",
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
