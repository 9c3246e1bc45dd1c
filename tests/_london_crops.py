"""Face crops of the embedded London set for the Fisherface tests (cached per session).

Crops come from OpenCV's default frontal Haar cascade (scaleFactor 1.1, minNeighbors 10,
minSize 80x80, largest face), independent of skemotion.FaceCropper, so that the
classifier tests compare FisherFaceClassifier with OpenCV on identical inputs.
"""

import functools

import cv2
import numpy as np

from skemotion.utils._validation import to_gray


@functools.lru_cache(maxsize=1)
def _gray_crops():
    from skemotion.datasets import load_frl_london

    london = load_frl_london()
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    crops, target, groups = [], [], []
    for image, label, group in zip(london.images, london.target, london.groups):
        gray = to_gray(image)
        faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=10, minSize=(80, 80))
        if len(faces) == 0:
            continue
        x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
        crops.append(gray[y : y + h, x : x + w])
        target.append(label)
        groups.append(group)
    return crops, np.asarray(target, dtype=object), np.asarray(groups, dtype=object)


@functools.lru_cache(maxsize=4)
def london_crops(size):
    """``(X, y, groups)``: float32 crops of shape (n, size, size), labels, subject ids."""
    crops, target, groups = _gray_crops()
    X = np.stack([cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA) for c in crops])
    X = X.astype(np.float32)
    X.setflags(write=False)
    return X, target, groups


def subject_split(groups, seed, test_fraction=0.25):
    """Boolean train/test masks keeping each subject on one side."""
    rng = np.random.RandomState(seed)
    subjects = np.unique(groups)
    rng.shuffle(subjects)
    test_subjects = set(subjects[: int(len(subjects) * test_fraction)])
    test = np.array([g in test_subjects for g in groups])
    return ~test, test
