"""Capture perturbations and training-time augmentation (robustness to webcam capture).

Plain functions of one image (:func:`reduce_resolution`, :func:`adjust_gamma`,
:func:`rotate`, :func:`shift_box`, :func:`gaussian_blur`, :func:`jpeg_compress`,
:func:`add_noise`, :func:`mirror`), one seeded stateless transformer per perturbation
(``Random*``, :class:`HorizontalFlip`) for photos and face crops, and
:class:`AugmentedClassifier`, which trains on perturbed copies of the training crops
inside ``fit`` only.

Examples
--------
>>> import numpy as np
>>> from skemotion.augment import RandomJPEG, jpeg_compress
>>> crop = np.random.default_rng(0).uniform(0, 255, size=(32, 32))
>>> out = RandomJPEG(quality=40).fit_transform(crop[None])[0]
>>> bool(np.array_equal(out, jpeg_compress(crop, quality=40)))
True
"""

from ._augmented import AugmentedClassifier, capture_augmentations
from ._perturbations import (
    add_noise,
    adjust_gamma,
    gaussian_blur,
    jpeg_compress,
    mirror,
    reduce_resolution,
    rotate,
    shift_box,
)
from ._transformers import (
    HorizontalFlip,
    RandomBlur,
    RandomBoxJitter,
    RandomDownscale,
    RandomGamma,
    RandomJPEG,
    RandomNoise,
    RandomRotation,
)

__all__ = [
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
    "add_noise",
    "adjust_gamma",
    "gaussian_blur",
    "jpeg_compress",
    "mirror",
    "reduce_resolution",
    "rotate",
    "shift_box",
]
