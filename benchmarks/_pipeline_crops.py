"""What the accuracy benchmarks share: which named pipelines to run, and their crops.

``bench_accuracy.py``, ``bench_evaluation.py`` and ``bench_ceiling.py`` evaluate named
pipelines as ``factory(detect=False)`` on crops made once per distinct FaceCropper
setting (FaceCropper is stateless, so cropping before cross-validation leaks nothing).
"""

import time

from skemotion import FaceCropper
from skemotion.faces._cropper import _crop_settings_key
from skemotion.pipelines import PIPELINES, missing_requirements


def add_pipelines_option(parser, default=None):
    """``--pipelines``: comma-separated names, read with :func:`pipeline_names` (give it
    the same ``default``: the names run without the option, None for all)."""
    parser.add_argument("--pipelines", default=None,
                        help="comma-separated pipeline names (default: "
                             f"{','.join(default) if default else 'all'})")


def pipeline_names(parser, requested, default=None):
    """The pipelines to run: the comma-separated ``requested`` names, else ``default``,
    else all. Unknown or no names are a usage error (``parser.error``); a pipeline whose
    extra is missing is left out with a ``# left out`` line, an error if none is left."""
    names = ([n for n in requested.split(",") if n] if requested is not None
             else list(default or PIPELINES))
    unknown = [n for n in names if n not in PIPELINES]
    if unknown:
        parser.error(f"unknown pipeline(s) {', '.join(unknown)}; available: "
                     f"{', '.join(PIPELINES)}")
    if not names:
        parser.error("--pipelines names no pipeline")
    kept = []
    for name in dict.fromkeys(names):
        problem = missing_requirements(name)
        if problem:
            print(f"# left out {problem}")
        else:
            kept.append(name)
    if not kept:
        parser.error("none of the requested pipelines can run here (see above)")
    return kept


def crops_per_setting(names, images):
    """Crops for each pipeline, computed once per distinct cropper setting.

    Every image is kept: where no face is found the whole photo is used
    (``on_missing="full_image"``; none on London with the default cascades).

    Returns
    -------
    crops : dict
        Pipeline name -> crops ``(n_images, n_pixels)``.
    settings : dict
        Cropper key -> ``(cropper, seconds, names)``: the cropper, the time its
        ``transform`` took, and the pipelines using its crops, in order.
    """
    by_key, crops, settings = {}, {}, {}
    for name in names:
        cropper = PIPELINES[name](detect=True).steps[0][1]
        assert isinstance(cropper, FaceCropper), name
        cropper = cropper.set_params(on_missing="full_image")
        key = _crop_settings_key(cropper)
        if key not in by_key:
            start = time.perf_counter()
            by_key[key] = cropper.transform(images)
            settings[key] = (cropper, time.perf_counter() - start, [])
        settings[key][2].append(name)
        crops[name] = by_key[key]
    return crops, settings
