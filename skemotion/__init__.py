"""skemotion: facial emotion recognition with classical computer vision, as scikit-learn estimators."""

__version__ = "0.1.0"

from ._emotions import CKPLUS_EMOTIONS, canonical_emotion, parse_emotions
from .faces._cropper import FaceCropper, FaceDetection, detect_faces
from ._meta_estimators import FlipAugmentedClassifier
from .features._gabor import GaborTransformer
from .features._hog import HOGTransformer
from .features._lbp import LBPTransformer
from .features._region import FaceRegion
from ._fisherface import FisherFaceClassifier
from .plotting._gallery import FisherfaceGalleryDisplay, ImageGalleryDisplay
from .utils._image_io import read_image
from .features._landmarks import LandmarkAligner, LandmarkShape, face_landmarks, landmark_model_path
from ._pca_lda import ImageFlattener, make_pca_lda
from ._persistence import load_model, save_model, trusted_types
from .plotting._plots import plot_confusion_matrix, plot_difficult_images, plot_learning_curve
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
]
