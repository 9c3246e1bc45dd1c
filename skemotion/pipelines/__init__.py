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

from ._registry import (  # noqa: F401  (PIPELINE_EXTRAS, _EXTRA_CHECKS: not in __all__)
    _EXTRA_CHECKS,
    DEFAULT_PIPELINE,
    PIPELINE_EXTRAS,
    PIPELINES,
    face_pipeline,
    make_named_pipeline,
    missing_requirements,
    register_pipeline,
)
from ._baseline_pipelines import make_fisherface_pipeline, make_pca_lda_pipeline
from . import _feature_pipelines  # noqa: E402,F401  (registers the HOG/LBP/... pipelines)
from . import _augmented_pipelines  # noqa: E402,F401  (registers the augmented pipelines)

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
