"""Checking and converting images, shared by the estimators, the loaders and the command line
(as scikit-learn keeps its checks in ``sklearn/utils/validation.py``).

- :func:`to_uint8`, :func:`to_gray`: one image to 8-bit (gray);
- ``_flatten_images``: stacks and lists of 2-D gray images to a 2-D array, errors naming
  the first colour or odd-sized sample;
- ``_check_finite``: an error naming the first sample holding NaN or infinity;
- ``_to_uint8_per_image``: a stack of images, each min-max scaled to 0..255.
"""

import cv2
import numpy as np

#: How far (in 0..255 units, 10% of the range) a float image may stray outside [0, 255]
#: (resampling overshoot) before it is an error rather than clipped.
_FLOAT_SLACK = 25.5


def to_uint8(image, *, source=None):
    """Scale an image of any supported dtype to uint8, keeping its channels.

    uint8 is returned as is; uint16 (16-bit image files) is divided by 257; other
    integer types (e.g. int64 from parsed pixel strings) must hold 8-bit values
    0..255 and are taken as they are; floats are taken as [0, 1] when their maximum
    is at most 1.1, else as [0, 255], and clipped (values more than 10% of the range
    outside it, such as 16-bit data as floats, are an error).

    ``source`` (a file name or a sample description) is used in error messages.
    """
    where = f" ({source})" if source is not None else ""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.integer):
        if image.dtype == np.uint16:
            return (image.astype(np.uint32) // 257).astype(np.uint8)
        if image.size and (image.min() < 0 or image.max() > 255):
            raise ValueError(
                f"Image{where} has {image.dtype} values from {image.min()} to {image.max()}; "
                "integer images other than uint16 must hold 8-bit values 0..255 (or pass "
                "uint16 for 16-bit images, or floats in [0, 1] or [0, 255])."
            )
        return image.astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        if not np.all(np.isfinite(image)):
            raise ValueError(f"Image{where} contains NaN or infinite values.")
        # [0, 1] when the maximum is at most 1.1 (overshoot of 10% of the range, as
        # below); a [0, 255] image that dark would be black anyway
        scale = 255.0 if image.size and image.max() <= 1.0 + _FLOAT_SLACK / 255 else 1.0
        if image.size and (image.min() * scale < -_FLOAT_SLACK
                           or image.max() * scale > 255 + _FLOAT_SLACK):
            raise ValueError(
                f"Image{where} has float values from {image.min():g} to {image.max():g}; "
                "float images must hold [0, 1] or [0, 255] (values a little outside, from "
                "resampling, are clipped). Pass 16-bit data as uint16, or scale it first."
            )
        return np.clip(np.rint(image * scale), 0, 255).astype(np.uint8)
    raise ValueError(f"Image{where} has unsupported dtype {image.dtype}.")


def to_gray(image, *, source=None):
    """Return a 2-D uint8 grayscale copy of a gray, BGR or BGRA image.

    Colour images are taken as OpenCV's BGR(A) channel order.
    """
    where = f" ({source})" if source is not None else ""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"Image{where} has shape {image.shape}; expected (h, w) gray, "
            "(h, w, 3) BGR or (h, w, 4) BGRA."
        )
    if min(image.shape[:2]) < 2:
        raise ValueError(f"Image{where} has shape {image.shape}; it must be at least 2x2 pixels.")
    image = to_uint8(image, source=source)
    if image.ndim == 3:
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = cv2.cvtColor(np.ascontiguousarray(image), code)
    return image


#: Array elements checked per block by _check_finite (float32 blocks of 32 MiB).
_BLOCK_ELEMENTS = 2**23


def _flatten_images(X, *, estimator_name):
    """Turn 3-D image stacks or lists of 2-D images into a 2-D array.

    Returns ``(X2d, image_shape)``; other inputs are returned unchanged with
    ``image_shape=None`` so that ``validate_data`` handles them (lists of numbers,
    DataFrames, ...). Raises a ValueError naming the first offending sample for
    colour images and mixed image sizes.
    """
    hint = (
        f"{estimator_name} expects gray images of one size: convert colour images with "
        "skemotion.FaceCropper (on_missing='full_image' for crops) or "
        "cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) first."
    )
    if isinstance(X, np.ndarray):
        if X.ndim >= 4:
            raise ValueError(
                f"X has shape {X.shape}: these look like colour images (n, h, w, channels). {hint}"
            )
        if X.ndim == 3:
            if X.shape[-1] in (3, 4) and X.shape[0] > 4 and X.shape[1] > 4:
                raise ValueError(
                    f"X has shape {X.shape}, which looks like ONE colour image (h, w, "
                    f"{X.shape[-1]}) rather than a stack of gray images. {hint}"
                )
            return X.reshape(X.shape[0], -1), X.shape[1:]
        return X, None
    if isinstance(X, (list, tuple)) and len(X) > 0 and np.ndim(X[0]) >= 2:
        first = np.shape(X[0])
        for i, image in enumerate(X):
            shape = np.shape(image)
            if len(shape) == 3:
                raise ValueError(
                    f"Sample {i} of X has shape {shape}: a colour image. {hint}"
                )
            if len(shape) != 2:
                raise ValueError(
                    f"Sample {i} of X has shape {shape}; expected a 2-D gray image."
                )
            if shape != first:
                raise ValueError(
                    f"Sample {i} of X has shape {shape} but sample 0 has shape {first}: all "
                    "images must have the same size (crop and resize them, e.g. with "
                    "skemotion.FaceCropper(output_size=...))."
                )
        return np.stack([np.asarray(image) for image in X]).reshape(len(X), -1), first
    return X, None


def _check_finite(X):
    """Raise a ValueError naming the first sample holding NaN or infinity."""
    if X.dtype.kind not in "fc":
        return
    rows = max(1, _BLOCK_ELEMENTS // max(1, X.shape[1]))
    for start in range(0, X.shape[0], rows):
        bad = ~np.isfinite(X[start : start + rows]).all(axis=1)
        if bad.any():
            i = start + int(np.flatnonzero(bad)[0])
            kind = "NaN" if np.isnan(X[i]).any() else "infinite (inf)"
            raise ValueError(
                f"X contains NaN or inf values: sample {i} has {kind} pixel values. "
                "Images must hold finite numbers."
            )


def _to_uint8_per_image(images):
    """Min-max scale each image to 0..255 and round to uint8 (constant images -> 0)."""
    lo = images.min(axis=(1, 2), keepdims=True)
    span = images.max(axis=(1, 2), keepdims=True) - lo
    scaled = (images - lo) * np.divide(255.0, span, out=np.zeros_like(span), where=span > 0)
    return np.rint(scaled).astype(np.uint8)
