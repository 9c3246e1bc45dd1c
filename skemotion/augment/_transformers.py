"""One seeded, stateless scikit-learn transformer per capture perturbation.

Each transformer applies its plain function (``_perturbations.py``) to every image, with
parameters drawn per image from a range (or fixed), from ``random_state``. They take:

- face crops as :class:`~skemotion.FaceCropper` returns them, ``(n, height * width)``
  (square, or with ``image_shape``) or ``(n, height, width)`` float arrays - the result
  has the same layout and dtype;
- a list of images of any sizes, gray ``(h, w)`` or colour ``(h, w, 3|4)``, uint8 or
  float 0..255, or image file paths (read with :func:`~skemotion.read_image`) - the
  result is a list of arrays, ready for FaceCropper; a ``(n, h, w, channels)`` array
  gives an array back.

In a Pipeline a transformer perturbs at fit *and* at predict time, which is what a
robustness test wants (perturbed test images). To train on perturbed copies only, give
the transformers to :class:`~skemotion.augment.AugmentedClassifier`.
"""

import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from ..features._base import _validate_images
from ..utils._image_io import read_image
from ._perturbations import (
    _check_image,
    add_noise,
    adjust_gamma,
    gaussian_blur,
    jpeg_compress,
    mirror,
    reduce_resolution,
    rotate,
    shift_box,
)

__all__ = [
    "HorizontalFlip",
    "RandomBlur",
    "RandomBoxJitter",
    "RandomDownscale",
    "RandomGamma",
    "RandomJPEG",
    "RandomNoise",
    "RandomRotation",
]


def _value_or_range(kind, lower, upper):
    """Constraint list for a parameter that is a number or a ``(low, high)`` pair."""
    closed = "both" if upper is not None else "left"
    return [Interval(kind, lower, upper, closed=closed), tuple, list]


def _is_image_list(X):
    """A list/tuple of image arrays or paths (not a table written as nested lists)."""
    if not isinstance(X, (list, tuple)) or not X:
        return False
    first = X[0]
    return isinstance(first, (str, bytes, os.PathLike)) or (
        isinstance(first, np.ndarray) and first.ndim >= 2
    )


_SHARED_DOCS = """probability : float, default=1.0
        Chance, 0..1, that an image is perturbed (drawn per image); the others come back
        unchanged. Below 1 it makes a milder augmentation chain, as
        ``capture_augmentations(probability=0.5)`` does.
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one crop in flat ``(n, height * width)`` input. ``None``: taken from
        3-D input, else square crops are assumed.
    random_state : int, RandomState instance or None, default=None
        Seed of the per-image draws (and of the noise, for RandomNoise). An int gives
        the same perturbation of the same images at every call (reproducible test
        sets); ``None`` a new one each call.

    Attributes
    ----------
    n_features_in_ : int
        Pixels per crop seen in :meth:`fit` (flat or 3-D input only)."""


#: The parameters every perturbation has (see ``_SHARED_DOCS``).
_SHARED_CONSTRAINTS = {
    "probability": [Interval(numbers.Real, 0, 1, closed="both")],
    "image_shape": [tuple, list, None],
    "random_state": ["random_state"],
}


class _RandomPerturbation(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Shared behaviour: input dispatch, per-image draws, validation, tags.

    Subclasses define ``_parameter_constraints``, an ``__init__`` storing the parameters,
    ``_ranges`` (parameter name -> (bounds, integer?) for the value-or-range parameters)
    and ``_apply(image, draws, rng)``: the perturbed image for the drawn values.
    """

    _ranges = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:  # the parameters and attributes every perturbation shares
            cls.__doc__ = cls.__doc__.replace("{shared_parameters_and_attributes}",
                                              _SHARED_DOCS)

    def _checked_ranges(self):
        """Parameter -> (low, high), checked; a ValueError names the parameter."""
        out = {}
        for name, ((lower, upper), integer) in self._ranges.items():
            value = getattr(self, name)
            kind = numbers.Integral if integer else numbers.Real
            pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
            ok = (len(pair) == 2 and all(isinstance(v, kind) and not isinstance(v, bool)
                                         for v in pair))
            if ok:
                low, high = pair
                ok = (lower is None or low >= lower) and (upper is None or high <= upper)
                ok = ok and low <= high
            if not ok:
                bounds = f"{lower if lower is not None else '-inf'}.." \
                         f"{upper if upper is not None else 'inf'}"
                raise ValueError(
                    f"{type(self).__name__}: {name}={value!r} must be a "
                    f"{'whole number' if integer else 'number'} in {bounds} or a pair "
                    "(low, high) of them with low <= high."
                )
            out[name] = pair
        return out

    def _draw(self, ranges, rng):
        draws = {}
        for name, (low, high) in ranges.items():
            if self._ranges[name][1]:
                draws[name] = int(low) if low == high else int(rng.randint(low, high + 1))
            else:
                draws[name] = float(low) if low == high else float(rng.uniform(low, high))
        return draws

    def _perturb(self, images, names):
        """Perturb an iterable of images (``names[i]`` for messages); list out."""
        ranges = self._checked_ranges()
        rng = check_random_state(self.random_state)
        out = []
        for image, name in zip(images, names):
            image = _check_image(image, name=f"{type(self).__name__}: {name}")
            draws = self._draw(ranges, rng)
            # probability 1 draws nothing more, so seeded results stay what they were
            if self.probability < 1 and rng.uniform() >= self.probability:
                out.append(image.copy())
            else:
                out.append(self._apply(image, draws, rng))
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` and the parameters; return self (nothing is learnt).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width), \
                or list of images or paths
            Face crops or photos (see the module docstring).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._checked_ranges()
        if _is_image_list(X) or (isinstance(X, np.ndarray) and X.ndim == 4):
            return self
        _validate_images(self, X, reset=True)
        return self

    def transform(self, X):
        """The perturbed images, in the layout they came in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width), \
                or list of images or paths
            Face crops or photos (see the module docstring), intensities 0..255.

        Returns
        -------
        X_perturbed : ndarray or list of ndarray
            Same layout, shapes and dtypes as ``X`` (paths come back as the images read).
        """
        self._validate_params()  # stateless: transform may be called without fit
        if _is_image_list(X):
            images = [read_image(item) if isinstance(item, (str, bytes, os.PathLike))
                      else item for item in X]
            return self._perturb(images, [f"sample {i}" for i in range(len(images))])
        if isinstance(X, np.ndarray) and X.ndim == 4:
            return np.stack(self._perturb(X, [f"sample {i}" for i in range(len(X))]))
        three_d = np.ndim(X) == 3
        X2d, _, shape = _validate_images(self, X, reset=False)
        images = X2d.reshape(-1, *shape)
        out = np.stack(self._perturb(images, [f"sample {i}" for i in range(len(images))]))
        return out if three_d else out.reshape(X2d.shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class RandomDownscale(_RandomPerturbation):
    """Lower each image's resolution: shrink to ``width`` px wide and enlarge back.

    See :func:`~skemotion.augment.reduce_resolution`. On face crops the width is the
    face's width; widths at least the image's own leave it unchanged.

    Parameters
    ----------
    width : int or tuple of int (low, high), default=(40, 80)
        Width of the shrunken image (>= 2): fixed, or drawn per image uniformly from the
        whole numbers ``low..high``.
    {shared_parameters_and_attributes}

    See Also
    --------
    reduce_resolution : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomDownscale
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(4, 64 * 64))
    >>> low = RandomDownscale(width=(16, 32), random_state=0).fit_transform(crops)
    >>> low.shape, bool(low.std() < crops.std())
    ((4, 4096), True)
    """

    _parameter_constraints = {
        "width": _value_or_range(numbers.Integral, 2, None),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"width": ((2, None), True)}

    def __init__(self, width=(40, 80), *, probability=1.0, image_shape=None,
                 random_state=None):
        self.width = width
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return reduce_resolution(image, draws["width"])


class RandomGamma(_RandomPerturbation):
    """Change each image's exposure: ``255 * gain * (image / 255) ** gamma``.

    See :func:`~skemotion.augment.adjust_gamma`.

    Parameters
    ----------
    gamma : float or tuple of float (low, high), default=(0.5, 2.0)
        Exponent (> 0; 0.01..100): fixed, or drawn per image uniformly from the range.
    gain : float or tuple of float (low, high), default=1.0
        Brightness factor (0..10), fixed or drawn per image.
    {shared_parameters_and_attributes}

    See Also
    --------
    adjust_gamma : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomGamma
    >>> crops = np.full((2, 4, 4), 64.0)
    >>> round(float(RandomGamma(gamma=0.5).fit_transform(crops)[0, 0, 0]), 2)  # 255*sqrt(64/255)
    127.75
    """

    _parameter_constraints = {
        "gamma": _value_or_range(numbers.Real, 0.01, 100),
        "gain": _value_or_range(numbers.Real, 0, 10),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"gamma": ((0.01, 100), False), "gain": ((0, 10), False)}

    def __init__(self, gamma=(0.5, 2.0), gain=1.0, *, probability=1.0, image_shape=None,
                 random_state=None):
        self.gamma = gamma
        self.gain = gain
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return adjust_gamma(image, draws["gamma"], draws["gain"])


class RandomRotation(_RandomPerturbation):
    """Rotate each image in its plane about its centre by an angle in degrees.

    See :func:`~skemotion.augment.rotate` (counter-clockwise positive, edges repeated).

    Parameters
    ----------
    angle : float or tuple of float (low, high), default=(-10.0, 10.0)
        Degrees (-360..360): fixed, or drawn per image uniformly from the range.
    {shared_parameters_and_attributes}

    See Also
    --------
    rotate : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomRotation
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(3, 8, 8))
    >>> turn = RandomRotation(angle=(-15, 15), random_state=0)
    >>> bool(np.array_equal(turn.fit_transform(crops), turn.transform(crops)))  # seeded
    True
    """

    _parameter_constraints = {
        "angle": _value_or_range(numbers.Real, -360, 360),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"angle": ((-360, 360), False)}

    def __init__(self, angle=(-10.0, 10.0), *, probability=1.0, image_shape=None,
                 random_state=None):
        self.angle = angle
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return rotate(image, draws["angle"])


class RandomBoxJitter(_RandomPerturbation):
    """Move and resize each image's face box as an unsteady face detector would.

    See :func:`~skemotion.augment.shift_box`: the box moves by ``dx`` and ``dy``
    (fractions of the image's width and height, each drawn from ``shift``) and its
    sides are multiplied by a factor drawn from ``scale``. Apply it to face crops.

    Parameters
    ----------
    shift : float or tuple of float (low, high), default=(-0.1, 0.1)
        Range of ``dx`` and of ``dy`` (each drawn on its own), -1..1.
    scale : float or tuple of float (low, high), default=(0.9, 1.1)
        Box size factor (0.1..10), fixed or drawn per image.
    {shared_parameters_and_attributes}

    See Also
    --------
    shift_box : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomBoxJitter
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(2, 16, 16))
    >>> RandomBoxJitter(shift=0.0, scale=1.0).fit_transform(crops).shape  # no change
    (2, 16, 16)
    """

    _parameter_constraints = {
        "shift": _value_or_range(numbers.Real, -1, 1),
        "scale": _value_or_range(numbers.Real, 0.1, 10),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"shift": ((-1, 1), False), "scale": ((0.1, 10), False)}

    def __init__(self, shift=(-0.1, 0.1), scale=(0.9, 1.1), *, probability=1.0,
                 image_shape=None, random_state=None):
        self.shift = shift
        self.scale = scale
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _draw(self, ranges, rng):
        draws = super()._draw(ranges, rng)  # dx (as "shift") and scale
        draws["dy"] = super()._draw({"shift": ranges["shift"]}, rng)["shift"]
        return draws

    def _apply(self, image, draws, rng):
        return shift_box(image, (draws["shift"], draws["dy"]), draws["scale"])


class RandomBlur(_RandomPerturbation):
    """Blur each image with a Gaussian of standard deviation ``sigma`` pixels.

    See :func:`~skemotion.augment.gaussian_blur`.

    Parameters
    ----------
    sigma : float or tuple of float (low, high), default=(0.0, 1.5)
        Standard deviation in pixels (0..100): fixed, or drawn per image.
    {shared_parameters_and_attributes}

    See Also
    --------
    gaussian_blur : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomBlur
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(2, 64))
    >>> bool(RandomBlur(sigma=1.0).fit_transform(crops).std() < crops.std())
    True
    """

    _parameter_constraints = {
        "sigma": _value_or_range(numbers.Real, 0, 100),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"sigma": ((0, 100), False)}

    def __init__(self, sigma=(0.0, 1.5), *, probability=1.0, image_shape=None,
                 random_state=None):
        self.sigma = sigma
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return gaussian_blur(image, draws["sigma"])


class RandomJPEG(_RandomPerturbation):
    """JPEG-compress and decode each image at a quality drawn per image.

    See :func:`~skemotion.augment.jpeg_compress`.

    Parameters
    ----------
    quality : int or tuple of int (low, high), default=(30, 90)
        JPEG quality 0..100: fixed, or drawn per image from the whole numbers low..high.
    {shared_parameters_and_attributes}

    See Also
    --------
    jpeg_compress : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomJPEG
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(2, 16 * 16))
    >>> out = RandomJPEG(quality=20).fit_transform(crops)
    >>> out.dtype, bool(np.abs(out - crops).mean() > 5)
    (dtype('float64'), True)
    """

    _parameter_constraints = {
        "quality": _value_or_range(numbers.Integral, 0, 100),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"quality": ((0, 100), True)}

    def __init__(self, quality=(30, 90), *, probability=1.0, image_shape=None,
                 random_state=None):
        self.quality = quality
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return jpeg_compress(image, draws["quality"])


class RandomNoise(_RandomPerturbation):
    """Add Gaussian sensor noise with a standard deviation drawn per image.

    See :func:`~skemotion.augment.add_noise`.

    Parameters
    ----------
    sigma : float or tuple of float (low, high), default=(0.0, 8.0)
        Noise standard deviation in grey levels (0..255): fixed, or drawn per image.
    {shared_parameters_and_attributes}

    See Also
    --------
    add_noise : the function applied to each image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import RandomNoise
    >>> crops = np.full((1, 100, 100), 128.0)
    >>> round(float(RandomNoise(sigma=4.0, random_state=0).fit_transform(crops).std()))
    4
    """

    _parameter_constraints = {
        "sigma": _value_or_range(numbers.Real, 0, 255),
        **_SHARED_CONSTRAINTS,
    }
    _ranges = {"sigma": ((0, 255), False)}

    def __init__(self, sigma=(0.0, 8.0), *, probability=1.0, image_shape=None,
                 random_state=None):
        self.sigma = sigma
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return add_noise(image, draws["sigma"], random_state=rng)


class HorizontalFlip(_RandomPerturbation):
    """Mirror each image left to right with probability ``probability``.

    With ``probability=1.0`` (default) every image is mirrored: in
    :class:`~skemotion.augment.AugmentedClassifier` ``augmentations=[HorizontalFlip()]``
    with ``n_copies=1`` trains on the images plus their mirror images, as
    :class:`~skemotion.FlipAugmentedClassifier` does.

    Parameters
    ----------
    {shared_parameters_and_attributes}

    See Also
    --------
    mirror : the function applied to each chosen image.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import HorizontalFlip
    >>> HorizontalFlip().fit_transform(np.array([[[0.0, 1.0], [2.0, 3.0]]])).tolist()
    [[[1.0, 0.0], [3.0, 2.0]]]
    """

    _parameter_constraints = dict(_SHARED_CONSTRAINTS)

    def __init__(self, probability=1.0, *, image_shape=None, random_state=None):
        self.probability = probability
        self.image_shape = image_shape
        self.random_state = random_state

    def _apply(self, image, draws, rng):
        return mirror(image)
