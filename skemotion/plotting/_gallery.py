"""Image galleries in scikit-learn's Display style (matplotlib imported lazily)."""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["FisherfaceGalleryDisplay", "ImageGalleryDisplay"]


#: Font size of each image's title (matplotlib's "small": scales with rcParams font.size).
_IMAGE_TITLE_SIZE = "small"


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the test extras
        raise ImportError("Plotting needs matplotlib: pip install 'skemotion[plot]'") from exc
    return plt


def _as_image(image, index):
    image = np.asarray(image)
    if image.ndim == 1:
        side = math.isqrt(image.size)
        if side * side != image.size:
            raise ValueError(
                f"Image {index} is flat with {image.size} pixels, not a square number: "
                "reshape it to (height, width) first."
            )
        image = image.reshape(side, side)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        image = image[..., [2, 1, 0, 3][: image.shape[-1]]]  # OpenCV BGR(A) -> RGB(A)
    elif image.ndim != 2:
        raise ValueError(f"Image {index} has shape {image.shape}; expected (h, w) or (h, w, 3).")
    return image


class ImageGalleryDisplay:
    """A grid of images with optional titles (a montage), in the Display style.

    Create it with :meth:`from_images` (or construct it and call :meth:`plot`).
    Gray images are shown with a gray colormap; colour images are taken in OpenCV's
    BGR order and shown as RGB.

    Parameters
    ----------
    images : sequence of ndarray
        Images of shape ``(h, w)``, ``(h, w, 3)`` (BGR) or flat square images;
        sizes may differ.
    titles : sequence of str or None, default=None
        One title per image.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes holding the gallery (its own frame is hidden).
    axes_ : ndarray of matplotlib Axes
        One inset Axes per image, in order.
    images_ : list of matplotlib AxesImage
        The drawn images.
    figure_ : matplotlib Figure
        The figure.

    See Also
    --------
    FisherfaceGalleryDisplay : The Fisherfaces of a fitted classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import ImageGalleryDisplay
    >>> images = [np.full((8, 8), v, dtype=np.uint8) for v in (0, 128, 255)]
    >>> disp = ImageGalleryDisplay.from_images(images, titles=["a", "b", "c"], n_cols=2)
    >>> len(disp.axes_), disp.axes_[1].get_title()
    (3, 'b')
    """

    def __init__(self, images, *, titles=None):
        self.images = images
        self.titles = titles

    def plot(self, *, ax=None, n_cols=None, cmap="gray", normalize="each", title=None):
        """Draw the gallery.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw the gallery into (inset axes are created inside it); None
            makes a new figure sized to the grid.
        n_cols : int or None, default=None
            Images per row; None picks about ``sqrt(n_images)`` (at most 8).
        cmap : str, default="gray"
            Colormap for single-channel images.
        normalize : {"each", "none"}, default="each"
            ``"each"``: stretch each gray image to its own min..max (right for
            Fisherfaces, whose values are signed and tiny); ``"none"``: show values
            as they are (uint8 0..255, floats 0..1 or 0..255).
        title : str or None, default=None
            Title above the gallery.

        Returns
        -------
        display : ImageGalleryDisplay
            ``self``, with the attributes filled in.
        """
        plt = _pyplot()
        from matplotlib.font_manager import FontProperties

        images = [_as_image(image, i) for i, image in enumerate(self.images)]
        if not images:
            raise ValueError("ImageGalleryDisplay needs at least one image.")
        titles = self.titles
        if titles is not None and len(titles) != len(images):
            raise ValueError(f"Got {len(titles)} titles for {len(images)} images.")
        if normalize not in ("each", "none"):
            raise ValueError(f"normalize must be 'each' or 'none', got {normalize!r}.")
        n = len(images)
        if n_cols is None:
            n_cols = min(8, max(1, math.ceil(math.sqrt(n))))
        if int(n_cols) < 1:
            raise ValueError(f"n_cols must be >= 1, got {n_cols}.")
        n_cols = min(int(n_cols), n)
        n_rows = math.ceil(n / n_cols)
        if ax is None:  # constrained layout keeps the titles inside the figure
            fig, ax = plt.subplots(figsize=(1.8 * n_cols, 2.0 * n_rows + (0.3 if title else 0)),
                                   layout="constrained")
        ax.set_axis_off()
        if title is not None:
            # above the top row's image titles, which stick out of ax by their pad and height
            pad = plt.rcParams["axes.titlepad"]
            if titles is not None:
                pad += 1.5 * FontProperties(size=_IMAGE_TITLE_SIZE).get_size_in_points() + pad
            ax.set_title(title, pad=pad)
        gap = 0.04
        width = (1 - gap * (n_cols - 1)) / n_cols
        height = (1 - gap * 2 * (n_rows - 1)) / n_rows
        axes, drawn = [], []
        for i, image in enumerate(images):
            row, col = divmod(i, n_cols)
            left = col * (width + gap)
            bottom = 1 - (row + 1) * height - row * 2 * gap
            sub = ax.inset_axes([left, bottom, width, height])
            kwargs = {}
            if image.ndim == 2:
                kwargs["cmap"] = cmap
                if normalize == "none":
                    vmax = 255 if image.dtype == np.uint8 or image.max() > 1 else 1
                    kwargs.update(vmin=0, vmax=vmax)
            drawn.append(sub.imshow(image, **kwargs))
            sub.set_xticks([])
            sub.set_yticks([])
            if titles is not None:
                sub.set_title(str(titles[i]), fontsize=_IMAGE_TITLE_SIZE)
            axes.append(sub)
        self.ax_ = ax
        self.axes_ = np.asarray(axes, dtype=object)
        self.images_ = drawn
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_images(cls, images, *, titles=None, n_cols=None, ax=None, **kwargs):
        """Plot a gallery of images.

        Parameters
        ----------
        images : sequence of ndarray
            Images ``(h, w)``, ``(h, w, 3)`` BGR, or flat square images.
        titles : sequence of str or None, default=None
            One title per image.
        n_cols : int or None, default=None
            Images per row.
        ax : matplotlib Axes or None, default=None
            Axes to draw into; None makes a new figure.
        **kwargs
            Passed to :meth:`plot` (``cmap``, ``normalize``, ``title``).

        Returns
        -------
        display : ImageGalleryDisplay
            The plotted display.
        """
        return cls(list(images), titles=titles).plot(ax=ax, n_cols=n_cols, **kwargs)


class FisherfaceGalleryDisplay(ImageGalleryDisplay):
    """The Fisherfaces (``fisherfaces_``) of a fitted FisherFaceClassifier as images.

    Each Fisherface is a pixel weight map: bright and dark regions are the pixels
    whose difference separates the classes (signs are arbitrary). Each image is
    stretched to its own range.

    Parameters
    ----------
    images : sequence of ndarray
        The Fisherfaces, ``(h, w)`` each.
    titles : sequence of str or None, default=None
        One title per image.

    Attributes
    ----------
    ax_, axes_, images_, figure_
        As in :class:`ImageGalleryDisplay`.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import FisherFaceClassifier, FisherfaceGalleryDisplay
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 8, 8))
    >>> y = np.repeat([0, 1, 2], 10)
    >>> X[y == 1, :2] += 2.0
    >>> clf = FisherFaceClassifier().fit(X, y)
    >>> disp = FisherfaceGalleryDisplay.from_estimator(clf)
    >>> [ax.get_title() for ax in disp.axes_]
    ['Fisherface 1 (eigenvalue ...)', 'Fisherface 2 (eigenvalue ...)']
    """

    @classmethod
    def from_estimator(cls, estimator, *, n_components=None, include_mean=False, n_cols=None,
                       ax=None, **kwargs):
        """Plot the Fisherfaces of a fitted classifier (or of a Pipeline ending in one).

        Parameters
        ----------
        estimator : FisherFaceClassifier or Pipeline
            Fitted; for a Pipeline its last step is used.
        n_components : int or None, default=None
            Show only the first ``n_components`` Fisherfaces.
        include_mean : bool, default=False
            Show the mean training face first.
        n_cols : int or None, default=None
            Images per row.
        ax : matplotlib Axes or None, default=None
            Axes to draw into; None makes a new figure.
        **kwargs
            Passed to :meth:`plot` (``cmap``, ``title``...).

        Returns
        -------
        display : FisherfaceGalleryDisplay
            The plotted display.
        """
        features = []
        if hasattr(estimator, "steps"):
            from ..faces._cropper import FaceCropper
            from .._pca_lda import ImageFlattener

            features = [name for name, step in estimator.steps[:-1]
                        if not isinstance(step, (FaceCropper, ImageFlattener))
                        and step not in (None, "passthrough")]
            estimator = estimator.steps[-1][1]
        check_is_fitted(estimator, "fisherfaces_")
        faces = estimator.fisherfaces_
        if faces.ndim != 3 and features:
            raise ValueError(
                f"{type(estimator).__name__} was fitted on features ({', '.join(features)}), "
                "not on face pixels: its Fisherfaces are not images. Only a classifier fitted "
                "on face crops (such as the 'fisherface' pipeline) has Fisherfaces to plot."
            )
        if faces.ndim != 3:
            raise ValueError(
                f"{type(estimator).__name__} was fitted on flat images of unknown shape "
                f"({faces.shape[1]} pixels, not a square): refit it with "
                "image_shape=(height, width) to plot its Fisherfaces."
            )
        k = len(faces) if n_components is None else min(int(n_components), len(faces))
        images = list(faces[:k])
        titles = [
            f"Fisherface {i + 1} (eigenvalue {ev:.3g})"
            for i, ev in enumerate(estimator.eigenvalues_[:k])
        ]
        if include_mean:
            images.insert(0, estimator.mean_.reshape(faces.shape[1:]))
            titles.insert(0, "mean face")
        return cls(images, titles=titles).plot(ax=ax, n_cols=n_cols, **kwargs)
