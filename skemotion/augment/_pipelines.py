"""Named pipelines trained with capture augmentation, registered in
``skemotion.pipelines``: any feature pipeline with its steps after the cropper wrapped
in :class:`~skemotion.augment.AugmentedClassifier`."""

from sklearn.pipeline import Pipeline

from ._augmented import AugmentedClassifier, capture_augmentations

__all__ = ["augmented_pipeline"]

#: Fixed in advance (not tuned): two perturbed copies per training crop, fixed seed.
_N_COPIES = 2
_SEED = 0


def augmented_pipeline(factory, *, probability=1.0):
    """A pipeline factory: ``factory``'s pipeline trained with capture augmentation.

    The returned factory has the ``skemotion.pipelines`` contract
    (``*, detect=True, output_size=..., cropper_params=None, **params``). It builds
    ``factory``'s pipeline and wraps every step after the cropper in
    ``AugmentedClassifier(steps, augmentations=capture_augmentations(probability),
    n_copies=2, random_state=0)``: the classifier sees the training crops plus two
    perturbed copies of each (mirror, box jitter, rotation, resolution, blur, exposure,
    noise, JPEG); prediction is unchanged. ``**params`` go to ``factory`` (its classifier), so in a
    search they are ``classifier__estimator__classifier__...``.

    Parameters
    ----------
    factory : callable
        A registered pipeline factory, e.g. ``PIPELINES["hog_logreg"]``.
    probability : float, default=1.0
        Chance that each perturbation of the chain is applied to a copy (see
        :func:`~skemotion.augment.capture_augmentations`); below 1 the factory's name
        ends in ``_augmented_mild`` instead of ``_augmented``.

    Returns
    -------
    augmented_factory : callable
        The new factory.

    Examples
    --------
    >>> from skemotion.augment._pipelines import augmented_pipeline
    >>> from skemotion.pipelines import PIPELINES
    >>> pipe = augmented_pipeline(PIPELINES["hog_logreg"])(C=0.1)
    >>> [name for name, _ in pipe.steps]
    ['crop', 'classifier']
    >>> pipe.get_params()["classifier__estimator__classifier__C"]
    0.1
    """

    def make(*, detect=True, output_size=None, cropper_params=None, **params):
        if output_size is not None:
            params["output_size"] = output_size
        base = factory(detect=detect, cropper_params=cropper_params, **params)
        steps = base.steps[1:] if detect else base.steps
        shape = None
        if detect:
            height, width = base.steps[0][1].output_size
            shape = (height, width) if height != width else None
        augmented = AugmentedClassifier(Pipeline(steps),
                                        augmentations=capture_augmentations(probability),
                                        n_copies=_N_COPIES, image_shape=shape,
                                        random_state=_SEED)
        classifier = [("classifier", augmented)]
        return Pipeline(base.steps[:1] + classifier if detect else classifier)

    capture_augmentations(probability)  # a bad probability fails here, not at fit
    mild = probability < 1
    make.__name__ = f"{factory.__name__}_augmented" + ("_mild" if mild else "")
    make.__doc__ = (f"``{factory.__name__}`` trained on its crops plus two perturbed copies "
                    "of each" + (f" (each perturbation applied with probability {probability:g})"
                                 if mild else "")
                    + " (see :func:`augmented_pipeline`).")
    return make
