"""The tutorial's pipelines on raw pixels: ``fisherface`` (FaceCropper + Fisherfaces) and
``pca_lda`` (FaceCropper + PCA + LDA), registered in :data:`PIPELINES`.

Both find faces with the tutorial's four Haar cascades (``detector="haar"``), so they
show the tutorial's method as it was; ``cropper_params={"detector": "yunet"}`` switches.
"""

from .._fisherface import FisherFaceClassifier
from .._pca_lda import ImageFlattener, make_pca_lda
from ._registry import _crop_shape, face_pipeline, register_pipeline

__all__ = ["make_fisherface_pipeline", "make_pca_lda_pipeline"]


def _haar(detect, cropper_params):
    """The tutorial's face finding unless ``cropper_params`` chooses a detector."""
    return {"detector": "haar", **(cropper_params or {})} if detect else cropper_params


@register_pipeline("fisherface")
def make_fisherface_pipeline(
    *, detect=True, output_size=(350, 350), cropper_params=None, **params
):
    """FaceCropper + FisherFaceClassifier: the van Gent tutorial's pipeline.

    Parameters
    ----------
    detect : bool, default=True
        Start with a :class:`~skemotion.FaceCropper`; False for ready crops.
    output_size : int or tuple of (int, int), default=(350, 350)
        Crop size ``(height, width)`` (the tutorial's 350x350).
    cropper_params : dict or None, default=None
        Other FaceCropper parameters (default: the tutorial's Haar cascades,
        ``{"detector": "haar"}``).
    **params
        :class:`~skemotion.FisherFaceClassifier` parameters (``n_components``,
        ``threshold``, ``solver``...).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``crop`` (if ``detect``) and ``classifier``.

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.pipelines import make_fisherface_pipeline
    >>> london = load_frl_london()
    >>> pipe = make_fisherface_pipeline(output_size=(64, 64)).fit(london.filenames[::2],
    ...                                                          london.target[::2])
    >>> pipe.predict(london.filenames[1:3]).shape
    (2,)
    """
    if "image_shape" not in params:  # non-square crops: fisherfaces_ as images
        params["image_shape"] = _crop_shape(detect, output_size)
    clf = FisherFaceClassifier(**params)
    return face_pipeline(
        [("classifier", clf)],
        detect=detect,
        output_size=output_size,
        cropper_params=_haar(detect, cropper_params),
    )


@register_pipeline("pca_lda")
def make_pca_lda_pipeline(*, detect=True, output_size=(350, 350), cropper_params=None, **params):
    """FaceCropper + PCA + LinearDiscriminantAnalysis (see :func:`~skemotion.make_pca_lda`).

    Parameters
    ----------
    detect : bool, default=True
        Start with a :class:`~skemotion.FaceCropper`; False for ready crops.
    output_size : int or tuple of (int, int), default=(350, 350)
        Crop size ``(height, width)``.
    cropper_params : dict or None, default=None
        Other FaceCropper parameters (default: the tutorial's Haar cascades,
        ``{"detector": "haar"}``).
    **params
        :func:`~skemotion.make_pca_lda` parameters.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``crop`` (if ``detect``), ``pca`` and ``classifier``.

    Notes
    -----
    With ``detect=False`` a first ``"flatten"`` step (:class:`~skemotion.ImageFlattener`)
    lets the pipeline take ``(n, h, w)`` crops as well as flat ones.

    Examples
    --------
    >>> from skemotion.pipelines import make_pca_lda_pipeline
    >>> [name for name, _ in make_pca_lda_pipeline(detect=False, n_components=20).steps]
    ['flatten', 'pca', 'classifier']
    """
    base = make_pca_lda(**params)
    steps = [("pca", base.named_steps["pca"]), ("classifier", base.named_steps["lda"])]
    if not detect:
        steps.insert(0, ("flatten", ImageFlattener()))
    return face_pipeline(
        steps, detect=detect, output_size=output_size, cropper_params=_haar(detect, cropper_params)
    )
