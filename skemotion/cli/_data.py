"""Loading the data the options name, and the steps that commands share between parsing
and the library call: pipelines by name, face cropping with a progress bar, the splits."""

import contextlib
import functools
import inspect
import os
import re
from pathlib import Path

from ..datasets._summary import plural as _plural
from ..pipelines import DEFAULT_PIPELINE
from ._base import (_bars_enabled, _info, _listing, _one_line, _print_warning, progress_bar,
                    UsageError)
from ._paths import _check_dir


def _subset(data, mask):
    """The samples of a dataset Bunch where ``mask`` is true (every per-sample field)."""
    import numpy as np
    from sklearn.utils import Bunch

    mask = np.asarray(mask, dtype=bool)
    n = len(data.images)
    index = np.flatnonzero(mask)
    out = Bunch()
    for key, value in data.items():
        if (key in ("target_names", "skipped", "n_skipped") or isinstance(value, (str, bytes))
                or value is None):  # dataset-level fields, even if their length happens to be n
            out[key] = value
        elif isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == n:
            out[key] = value[index]
        elif isinstance(value, (list, tuple)) and len(value) == n:
            out[key] = [value[i] for i in index]
        else:
            out[key] = value
    out["target_names"] = np.asarray(sorted(set(np.asarray(out.target).tolist())), dtype=object)
    return out


def _select_emotions(data, emotions, neutral=None):
    """Keep only the emotions of ``--emotions``; errors name what is missing (and point
    at ``--neutral`` when it left CK+'s neutral images out)."""
    import numpy as np

    from .._emotions import parse_emotions

    if emotions is None:
        return data
    try:
        wanted = parse_emotions(emotions)
    except ValueError as exc:
        raise UsageError(f"--emotions: {_one_line(exc)}") from None
    present = sorted(set(np.asarray(data.target).tolist()))
    missing = [e for e in wanted if e not in present]
    if missing:
        hint = ("; --neutral none leaves out CK+'s neutral images: use --neutral first or "
                "per_subject" if "neutral" in missing and neutral == "none" else "")
        raise UsageError(
            f"--emotions: no images labelled {', '.join(missing)} in the data "
            f"(it has: {', '.join(present)}){hint}"
        )
    return _subset(data, np.isin(np.asarray(data.target), wanted))


def _load_folder(folder, pattern, on_error="raise", references=False):
    from ..datasets import load_image_folder

    kwargs = {"on_error": on_error, "references": references}
    if pattern is not None:
        try:
            kwargs["subject_pattern"] = None if pattern.lower() == "none" else re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"--subject-pattern: {pattern!r} is not a regular expression: "
                             f"{exc}") from None
    try:
        return load_image_folder(folder, **kwargs)
    except ValueError as exc:
        if "subject_pattern" in str(exc):
            raise UsageError(f"{_one_line(exc)} (on the command line: --subject-pattern REGEX, "
                             "or --subject-pattern none)") from None
        raise


def _load_data(args):
    """The dataset the data options name (London by default), as a Bunch, and its name."""
    ckplus, folders = getattr(args, "ckplus", None), getattr(args, "folder", None) or []
    on_error = getattr(args, "on_error", "raise")
    if getattr(args, "neutral", None) is not None and ckplus is None:
        raise UsageError("--neutral chooses CK+ neutral images: it needs --ckplus")
    if getattr(args, "subject_pattern", None) is not None and not folders:
        raise UsageError("--subject-pattern reads subject ids from --folder file names: it "
                         "needs --folder")
    from .. import datasets

    # --calibrated: each sample with the same person's neutral face (see load_ckplus)
    references = getattr(args, "calibrated", False)
    parts, names = [], []
    try:
        if ckplus is not None:
            _check_dir(ckplus, "--ckplus")
            parts.append(datasets.load_ckplus(ckplus, neutral=args.neutral or "first",
                                              on_error=on_error, references=references))
            names.append(f"CK+ ({ckplus})")
        for folder in folders:
            _check_dir(folder, "--folder")
            parts.append(_load_folder(folder, getattr(args, "subject_pattern", None),
                                      on_error, references))
            names.append(f"folder {folder}")
        if not parts or getattr(args, "london", False):
            parts.append(datasets.load_frl_london(references=references))
            names.append("Face Research Lab London Set")
        data = (parts[0] if len(parts) == 1  # duplicates: checked below, after --emotions
                else datasets.concat_datasets(*parts, names=[f"d{i}" for i in range(len(parts))],
                                              duplicates="keep"))
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    if not len(data.images):  # --on-error skip skipped every file
        skipped = list(data.get("skipped") or [])
        raise UsageError(f"no image could be read from {' + '.join(names)}: all "
                         f"{len(skipped)} image files were unreadable and skipped (first: "
                         f"{skipped[0] if skipped else '-'})")
    data = _select_emotions(data, getattr(args, "emotions", None),
                            getattr(args, "neutral", None))
    if len(parts) > 1:
        data["source_names"] = names  # of data.source's "d0", "d1"...
        _check_cross_dataset_duplicates(args, data, names)
    return data, " + ".join(names)


#: Commands that split the data into training and test sets.
_SPLITTING = ("evaluate", "search", "difficult")


def _check_cross_dataset_duplicates(args, data, names):
    """Images found pixel for pixel in two of the merged datasets (after --emotions): an
    error for the commands that split the data, a warning for the others."""
    from ..datasets._concat import _cross_dataset_duplicates

    # datasets by position ("d0", "d1"... in the order of `names`): a --folder given twice
    # has the same name both times
    pairs = _cross_dataset_duplicates(zip(data.source, data.images, data.filenames))
    if not pairs:
        return

    def named(source):
        return names[int(str(source)[1:])]

    shown = "; ".join(f"{a} ({named(da)}) and {b} ({named(db)})"
                      for (da, a), (db, b) in pairs[:3])
    more = f"; and {len(pairs) - 3} more" if len(pairs) > 3 else ""
    text = (f"{len(pairs)} image(s) are in two of the datasets given, each copy with its own "
            f"subject id: {shown}{more}. A subject-grouped split could put such a photo in "
            "training and in test: remove one copy of each (the command line has no option "
            "to keep them).")
    if args.command in _SPLITTING:
        raise UsageError(text)
    _print_warning(args.command, text)


def _check_enough(data, *, grouped=True):
    """Refuse data that cannot be cross-validated: one class, or classes of 1 sample."""
    from collections import Counter

    counts = Counter(data.target.tolist() if hasattr(data.target, "tolist") else data.target)
    if len(counts) < 2:
        raise UsageError(
            f"too few classes: need at least two emotions, the data has only "
            f"{', '.join(counts) or 'none'} ({sum(counts.values())} images)"
        )
    small = {k: v for k, v in counts.items() if v < 2}
    if small:
        raise UsageError(
            "too few samples: "
            + ", ".join(f"{k} has {v} image" for k, v in small.items())
            + "; every emotion needs at least 2 images"
        )
    if grouped and data.get("groups") is None:
        raise UsageError(
            "the data has no subject ids, so subject-grouped splits are impossible "
            "(--subject-pattern REGEX finds them in --folder file names, e.g. the default "
            "for S005_001_00000011.png)"
        )


def _for_foreign_crops(factories, args):
    """With ``--no-detect`` the crops come from elsewhere: landmark pipelines find the
    face in each crop (``face_box="detect"``) instead of assuming FaceCropper's framing."""
    if not getattr(args, "no_detect", False):
        return factories
    return {name: (functools.partial(factory, face_box="detect")
                   if "face_box" in inspect.signature(factory).parameters else factory)
            for name, factory in factories.items()}


def _pipelines(names, args=None):
    """``{name: factory}`` of the named pipelines; errors list the known.

    ``names=None``: every pipeline that can run here; those needing a missing optional
    extra are left out with a note on stderr. A pipeline named explicitly whose extra
    is missing is an error saying what to install.
    """
    return _for_foreign_crops(_named_factories(names, args), args)


def _named_factories(names, args):
    from ..pipelines import PIPELINES, missing_requirements

    if names is None:
        factories = {}
        for name, factory in PIPELINES.items():
            problem = missing_requirements(name)
            if problem is None:
                factories[name] = factory
            else:
                _info(args, f"skipped: {problem}")
        return factories
    unknown = [n for n in names if n not in PIPELINES]
    if unknown:
        raise UsageError(
            f"unknown pipeline {', '.join(map(repr, unknown))}; known pipelines: "
            f"{', '.join(PIPELINES)}"
        )
    if not names:
        raise UsageError("--pipelines: the list is empty")
    for name in names:
        problem = missing_requirements(name)
        if problem is not None:
            raise UsageError(problem)
    return {n: PIPELINES[n] for n in names}


def _pipeline(args):
    name = args.pipeline or DEFAULT_PIPELINE
    return name, _pipelines([name], args)[name]


def _full_pipeline(args, factory):
    """A named pipeline with its FaceCropper, built for ``--crop-size`` when given.

    The size goes to the factory (not only to the cropper) because later steps may
    be built for it (e.g. a classifier's ``image_shape``).
    """
    size = getattr(args, "crop_size", None)
    return factory(detect=True, **({"output_size": tuple(size)} if size else {}))


def _crop_step(pipe, name):
    """The FaceCropper step of a detect=True pipeline (its first step)."""
    from ..faces._cropper import FaceCropper

    first = pipe.steps[0][1]
    if not isinstance(first, FaceCropper):
        raise UsageError(f"pipeline {name!r} does not start with a FaceCropper")
    return first


def _make_cropper(args, template=None):
    """A FaceCropper with the command line's crop options (based on ``template``)."""
    from sklearn.base import clone

    from ..faces._cropper import FaceCropper

    cropper = FaceCropper() if template is None else clone(template)
    params = {}
    if getattr(args, "crop_size", None):
        params["output_size"] = tuple(args.crop_size)
    if getattr(args, "cache", None) is not None:
        params["memory"] = str(args.cache)
    if "n_jobs" in cropper.get_params():
        params["n_jobs"] = args.n_jobs
    return _with_detector(cropper.set_params(**params), getattr(args, "detector", None))


def _detector_of(model, args):
    """``--detector`` applied to the model's FaceCropper (its first step); the model."""
    steps = getattr(model, "steps", None)
    if steps:
        _with_detector(steps[0][1], getattr(args, "detector", None))
    return model


def _with_detector(cropper, detector):
    """The FaceCropper with ``--detector`` applied (None, or not a FaceCropper: as it is)."""
    from ..faces._cropper import FaceCropper

    if detector is None or not isinstance(cropper, FaceCropper):
        return cropper
    params = {"detector": detector}
    if detector == "haar" and cropper.align == "five_points":
        params["align"] = "eyes"  # the cascades find no five points
    return cropper.set_params(**params)


def _chunk_size(args):
    """Images per progress-bar step: enough to keep every cropping thread busy."""
    from joblib import effective_n_jobs

    return 8 * max(2, effective_n_jobs(getattr(args, "n_jobs", 1) or 1))


def _chunks(n, size):
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _crop_faces(args, cropper, images, names, *, desc="cropping faces"):
    """Crop ``images`` with a progress bar, handling images without a face per ``--on-missing``.

    Returns ``(X, kept, whole)``: the crops as (n_kept, h, w) float32 in [0, 255], the
    indices of the images they come from, and (with ``--on-missing full_image``) the
    indices of the images without a face, whose whole image was used. Faces are
    detected once per image, except in the (rare) chunks that hold an image without a
    face.
    """
    import joblib
    import numpy as np
    from sklearn.base import clone

    n = len(images)
    if getattr(args, "no_detect", False):
        return (*_resize_only(args, cropper, images, names, desc=desc), [])
    on_missing = getattr(args, "on_missing", "drop")
    cropper = clone(cropper).set_params(on_missing="full_image" if on_missing == "full_image"
                                 else "raise")
    chunk = _chunk_size(args)
    h, w = _output_shape(cropper)
    parts, kept, missing, whole = [], [], [], []
    # FaceCropper's threads stay local, also inside --scheduler's Dask backend
    with joblib.parallel_config(backend="threading"), \
            progress_bar(n, desc, enabled=_bars_enabled(args)) as bar:
        for part in _chunks(n, chunk):
            index = list(range(part.start, part.stop))
            batch = [images[i] for i in index]
            try:
                crops, detections = cropper._run(batch, crop=True)  # transform + detections
                parts.append(crops)
                kept += index
                whole += [i for i, d in zip(index, detections) if not d.found]
            except ValueError as exc:
                if on_missing == "full_image":
                    raise UsageError(_one_line(exc)) from None
                found = [d.found for d in cropper.detect(batch)]
                if all(found):  # not a missing face: a bad image
                    raise UsageError(_one_line(exc)) from None
                lost = [i for i, ok in zip(index, found) if not ok]
                if on_missing == "raise":
                    raise UsageError(
                        f"no face found in {names[lost[0]]} (--on-missing drop leaves such "
                        "images out, full_image uses the whole image)"
                    ) from None
                missing += lost
                ok = [i for i, f in zip(index, found) if f]
                if ok:
                    parts.append(cropper.transform([images[i] for i in ok]))
                    kept += ok
            bar.update(len(index))
    for lost, what in ((missing, "left out"), (whole, "whole image used")):
        if lost:
            _info(args, f"no face found in {len(lost)} of {n} images, {what}: "
                        f"{_listing(names[i] for i in lost)}")
    if not kept:
        raise UsageError(f"no face found in any of the {n} images")
    return np.concatenate(parts).reshape(-1, h, w), np.asarray(kept), whole


def _resize_only(args, cropper, images, names, *, desc):
    """``--no-detect``: every image, gray, resized to the cropper's output size."""
    import cv2
    import numpy as np

    from ..utils._validation import to_gray

    h, w = _output_shape(cropper)
    X = np.empty((len(images), h, w), dtype=np.float32)
    with progress_bar(len(images), desc.replace("cropping", "resizing"),
                      enabled=_bars_enabled(args)) as bar:
        for i, image in enumerate(images):
            try:
                gray = to_gray(image, source=names[i])
            except ValueError as exc:
                raise UsageError(_one_line(exc)) from None
            X[i] = cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA)
            bar.update()
    return X, np.arange(len(images))


def _output_shape(cropper):
    size = cropper.output_size
    return tuple(size) if isinstance(size, (tuple, list)) else (int(size), int(size))


def _splits(args, protocol, X, y, groups):
    """The protocol's splitter with its splits drawn once; too-few-samples -> UsageError."""
    from ..model_selection import make_protocol

    cv = make_protocol(protocol, n_splits=args.splits, test_size=args.test_size,
                       random_state=args.seed)
    try:
        splits = list(cv.split(X, y, groups if protocol == "grouped" else None))
    except ValueError as exc:
        raise UsageError(f"too few samples for {_plural(args.splits, protocol + ' split')} "
                         f"with test size "
                         f"{args.test_size:g}: {_one_line(exc)}") from None
    for train, test in splits:
        if len(set(y[train].tolist())) < 2:
            raise UsageError(
                f"too few samples: a {protocol} training split holds only one emotion "
                f"({y[train][0]}); use more data or a larger --test-size"
            )
    return cv, splits


@contextlib.contextmanager
def _fit_errors(name, splits=(), test_size=None):
    """A pipeline that cannot be fitted on the user's data (too few images for its number
    of components, crops too small for its features...) is reported in one line; with the
    ``splits`` it was fitted on, the line says how small their training sets get."""
    try:
        yield
    except ValueError as exc:
        where = ""
        if len(splits):
            smallest = min(len(train) for train, _ in splits)
            where = (f" (its smallest training split holds {_plural(smallest, 'image')}, "
                     f"with --test-size {test_size:g})")
        raise UsageError(f"cannot fit {name} on this data{where}: {_one_line(exc)}") from None


def _prepare(args, *, grouped=True, template=None, templates=None):
    """Load the data named on the command line and crop its faces once per cropper setting.

    ``templates`` maps names (pipelines) to the FaceCropper each wants; pipelines
    wanting the same crops share one cropping pass. Images where some cropper
    finds no face are left out for all, so every pipeline sees the same samples.

    Returns a Bunch: ``X`` (n, h, w) crops (of ``template``, or of the first of
    ``templates``), ``Xs`` (name -> crops), ``y``, ``groups`` (None without subject
    ids), ``filenames``, ``data`` (the loaded Bunch), ``name``, ``cropper``,
    ``croppers`` (name -> FaceCropper), ``source`` (merged data: each crop's data option,
    else None), ``dropped`` (files without a face, left out)
    and ``whole_image`` (files without a face used whole, ``--on-missing full_image``);
    ``R`` and ``Rs``, the crops of the references in the same way (``--calibrated``: data
    loaded with references; else None; a sample whose reference has no face is left out).
    """
    import numpy as np
    from sklearn.utils import Bunch

    from ..faces._cropper import _crop_settings_key

    data, name = _load_data(args)
    _check_enough(data, grouped=grouped)
    if hasattr(args, "splits"):  # refuse impossible splits before the slow cropping
        y = np.asarray(data.target, dtype=object)
        groups = None if data.get("groups") is None else np.asarray(data.groups, dtype=object)
        for protocol in ["tutorial"] + (["grouped"] if groups is not None else []):
            _splits(args, protocol, np.zeros((len(y), 1)), y, groups)
    _info(args, f"{name}: {len(data.images)} images")
    templates = templates if templates is not None else {"": template}
    croppers = {label: _make_cropper(args, t) for label, t in templates.items()}
    distinct = {}
    for label, cropper in croppers.items():
        distinct.setdefault(_crop_settings_key(cropper), cropper)
    names = np.asarray([str(f) for f in data.filenames], dtype=object)
    crops, ref_crops = {}, {}
    for i, (key, cropper) in enumerate(distinct.items()):
        desc = "cropping faces" + (f" ({i + 1}/{len(distinct)})" if len(distinct) > 1 else "")
        crops[key] = _crop_faces(args, cropper, data.images, names, desc=desc)
        if data.get("references") is not None:  # --calibrated: the same crops of each
            ref_names = np.asarray([f"{f} (its reference: {r})" for f, r in zip(
                names, data.get("reference_filenames", ["a stand-in second take"] * len(names)))],
                dtype=object)
            ref_crops[key] = _crop_faces(args, cropper, data.references, ref_names,
                                         desc=desc.replace("faces", "references"))
    kept = sorted(set.intersection(*(set(k.tolist()) for _, k, _ in
                                     [*crops.values(), *ref_crops.values()])))
    if not kept:
        raise UsageError("no image has a face found by every pipeline's face cropper")
    whole = sorted(set().union(*(w for _, _, w in crops.values())) & set(kept))
    kept = np.asarray(kept)
    Xs, Rs = {}, {}
    for label, cropper in croppers.items():
        X, k, _ = crops[_crop_settings_key(cropper)]
        Xs[label] = X[np.searchsorted(k, kept)]
        if ref_crops:
            R, k, _ = ref_crops[_crop_settings_key(cropper)]
            Rs[label] = R[np.searchsorted(k, kept)]
    y = np.asarray(data.target, dtype=object)[kept]
    groups = None if data.get("groups") is None else np.asarray(data.groups, dtype=object)[kept]
    dropped = sorted(set(names.tolist()) - set(names[kept].tolist()))
    first = next(iter(croppers))
    out = Bunch(X=Xs[first], Xs=Xs, y=y, groups=groups, filenames=names[kept], data=data,
                name=name, cropper=croppers[first], croppers=croppers, dropped=dropped,
                whole_image=[str(names[i]) for i in whole],
                R=Rs.get(first), Rs=Rs or None)
    out.source = (None if data.get("source") is None else  # as named on the command line
                  np.asarray([data.source_names[int(s[1:])] for s in data.source])[kept])
    _check_enough(Bunch(images=out.X, target=y, groups=groups), grouped=grouped)
    if getattr(args, "no_detect", False):
        for label, X in Xs.items():
            pipeline = label or getattr(args, "pipeline", None) or DEFAULT_PIPELINE
            _landmark_fallbacks(args, pipeline, X, out.filenames)
    return out


def _landmark_fallbacks(args, pipeline, X, filenames):
    """With ``--no-detect`` the landmark pipeline finds the face in each crop with dlib's
    detector (``face_box="detect"``). Name the files where it finds none once, here,
    instead of a warning per transformer, split and fit that gives sample numbers within
    a training split. The landmarks are memoised per process, so in a single process
    (``--n-jobs 1``) the fits reuse them; worker processes compute their own."""
    import warnings

    import numpy as np

    from ..pipelines import PIPELINES

    if "face_box" not in inspect.signature(PIPELINES[pipeline]).parameters:
        return  # not a landmark pipeline (the test _for_foreign_crops makes too)
    from ..features._landmarks import _DETECT_FALLBACK, _FALLBACK_WARNING, _landmarks_and_fallbacks

    # float64, as the transformers pass them, so that the memo keys are theirs
    _, undetected = _landmarks_and_fallbacks(np.asarray(X, dtype=np.float64), "detect", None)
    if undetected:
        files = [Path(filenames[i]).name for i in undetected]
        shown = ", ".join(files[:10]) + (", ..." if len(files) > 10 else "")
        _print_warning(args.command, f"{pipeline}: dlib's face detector found no face in "
                                     f"{_plural(len(files), 'crop')} ({shown}); their "
                                     f"landmarks use the rectangle {_DETECT_FALLBACK} inside "
                                     "each edge instead")
    # said once above: not again per transformer and split, here and in the worker
    # processes of --n-jobs, which start with this environment (recent scikit-learn also
    # hands them the filters; 1.6 does not). _one_line_warnings restores the variable.
    warnings.filterwarnings("ignore", message=re.escape(_FALLBACK_WARNING))
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [
        os.environ.get("PYTHONWARNINGS"), "ignore:" + _FALLBACK_WARNING.split(":")[0]]))


def _find_difficult(args, model, X, prep, splits, desc="difficult images"):
    """``find_difficult_images`` over ``splits``, a few splits at a time for the progress bar."""
    import numpy as np
    from joblib import effective_n_jobs

    from ..model_selection import DifficultImages, find_difficult_images

    step = max(1, effective_n_jobs(args.n_jobs))
    parts = []
    with progress_bar(len(splits), desc, enabled=_bars_enabled(args)) as bar:
        for start in range(0, len(splits), step):
            chunk = splits[start:start + step]
            parts.append(find_difficult_images(model, X, prep.y, groups=prep.groups,
                                               filenames=prep.filenames, cv=chunk,
                                               n_jobs=args.n_jobs))
            bar.update(len(chunk))
    first = parts[0]
    offsets = np.cumsum([0] + [p.n_splits for p in parts[:-1]])
    return DifficultImages(
        y_true=first.y_true, groups=first.groups, filenames=first.filenames,
        split=np.concatenate([p.split + off for p, off in zip(parts, offsets)]),
        index=np.concatenate([p.index for p in parts]),
        predicted=np.concatenate([p.predicted for p in parts]),
        n_splits=len(splits),
    )
