"""Merging dataset Bunches from different sources (CK+ plus a folder of web images...)."""

import hashlib
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from .._emotions import canonical_emotion
from ._base import make_dataset_bunch

# Fields concat_datasets builds itself; any other per-sample field present in every
# input (CK+'s sequences and frames...) is concatenated as is.
_HANDLED = {"images", "filenames", "target", "target_names", "groups", "DESCR",
            "skipped", "n_skipped", "source"}


def _per_sample_fields(bunch, n):
    return {
        key
        for key, value in bunch.items()
        if key not in _HANDLED
        and not isinstance(value, (str, bytes, dict))
        and hasattr(value, "__len__")
        and len(value) == n
    }


def _as_array(values):
    """Numbers stay a numeric array; images (e.g. ``references``) stay a list of arrays;
    anything else becomes an object array."""
    if values and all(isinstance(v, np.ndarray) and v.ndim >= 2 for v in values):
        return list(values)
    if values and all(isinstance(v, (int, float, np.integer, np.floating))
                      and not isinstance(v, bool) for v in values):
        return np.asarray(values)
    return np.asarray(values, dtype=object)


def _image_key(image):
    """A content key of one image (an array; a path is keyed by its resolved name)."""
    if isinstance(image, (str, Path)):
        return "path:" + str(Path(image).resolve())
    array = np.ascontiguousarray(image)
    digest = hashlib.sha256(repr((array.shape, array.dtype.str)).encode())
    digest.update(array.data)
    return digest.hexdigest()


def _cross_dataset_duplicates(samples):
    """Images found, pixel for pixel, in two datasets (images given as paths: the same
    file). ``samples`` yields ``(dataset, image, filename)``; returns a list of
    ``((dataset, filename), (dataset, filename))`` pairs, the first copy first. Repeats
    within one dataset are that dataset's business."""
    first_seen, pairs = {}, []
    for dataset, image, filename in samples:
        seen = first_seen.setdefault(_image_key(image), (dataset, filename))
        if seen[0] != dataset:
            pairs.append((seen, (dataset, filename)))
    return pairs


def _refuse_duplicates(bunches, names):
    """ValueError naming images that appear, pixel for pixel, in two of the datasets."""
    pairs = _cross_dataset_duplicates(
        (name, image, filename) for name, bunch in zip(names, bunches)
        for image, filename in zip(bunch["images"], bunch["filenames"]))
    if pairs:
        (name_a, file_a), (name_b, file_b) = pairs[0]
        raise ValueError(
            f"{len(pairs)} image(s) of one dataset are also in another, e.g. {file_a} "
            f"(dataset {name_a!r}) and {file_b} (dataset {name_b!r}) are the same image. "
            "Merged, each copy would get its own subject id, so a subject-grouped split "
            "could put the same photo in training and in test. Give each source once (for "
            "example not CK+ together with a folder that organize_ckplus made from it), or "
            "pass duplicates='keep' if that is what you want."
        )


@validate_params(
    {
        "names": [list, tuple, None],
        "ungrouped": [StrOptions({"raise", "per_image"})],
        "duplicates": [StrOptions({"raise", "keep"})],
    },
    prefer_skip_nested_validation=True,
)
def concat_datasets(*bunches, names=None, ungrouped="raise", duplicates="raise"):
    """Merge dataset Bunches into one, keeping subject ids of different sources apart.

    Subject ids are prefixed with the source name (``"ckplus:S005"``), so two
    sources that both number their subjects from 1 never share a group in a
    subject-grouped split. Labels are put in canonical form through the one
    emotion table (``happiness`` and ``happy`` become ``happy``).

    Parameters
    ----------
    *bunches : Bunch
        Datasets as returned by the loaders (``images``, ``filenames``, ``target``,
        ``groups``).
    names : list of str, default=None
        One distinct name per dataset, used as the subject-id prefix and in
        ``source``. Default: ``"d0"``, ``"d1"``, ...
    ungrouped : {"raise", "per_image"}, default="raise"
        What to do with a dataset without subject ids (``groups=None``) when
        others have them: raise, or treat every one of its images as its own
        subject (``"d1:#0"``, ``"d1:#1"``... - only right if no person appears
        twice). If no dataset has subject ids, ``groups`` is None.
    duplicates : {"raise", "keep"}, default="raise"
        What to do when an image of one dataset is, pixel for pixel, also in
        another (the same folder given twice, or CK+ together with a folder sorted
        from it by :func:`organize_ckplus`; images given as file paths are compared
        by path, not content): each copy would get its own subject
        id, so a subject-grouped split could put the same photo in training and
        in test. ``"raise"`` names the first such pair; ``"keep"`` merges anyway.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images``, ``filenames``, ``target`` (canonical names), ``target_names``,
        ``groups`` (prefixed subject ids), ``source`` (the name of each image's
        dataset), ``skipped`` and ``n_skipped`` (of all inputs), ``DESCR`` (the
        inputs' titles), and every other per-image field that all inputs have
        (e.g. ``sequences`` and ``frames`` when merging CK+ loads).

    Raises
    ------
    ValueError
        If no dataset is given, ``names`` has the wrong length or repeats a name,
        a label is not a known emotion (the message names the dataset and file),
        a dataset lacks subject ids with ``ungrouped="raise"``, or an image is in
        two datasets with ``duplicates="raise"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from skemotion.datasets import concat_datasets, load_frl_london
    >>> london = load_frl_london()
    >>> photos = np.random.default_rng(0).integers(0, 256, (2, 48, 48), dtype=np.uint8)
    >>> web = Bunch(images=list(photos), filenames=["a.png", "b.png"],
    ...             target=["happiness", "calm"], groups=["7", "7"])
    >>> both = concat_datasets(london, web, names=["london", "web"])
    >>> len(both.images), both.groups[0], both.groups[-1], list(both.target[-2:])
    (206, 'london:001', 'web:7', ['happy', 'neutral'])
    """
    if not bunches:
        raise ValueError("concat_datasets needs at least one dataset.")
    if names is None:
        names = [f"d{i}" for i in range(len(bunches))]
    names = [str(n) for n in names]
    if len(names) != len(bunches):
        raise ValueError(f"names has {len(names)} entries for {len(bunches)} datasets.")
    if len(set(names)) != len(names):
        raise ValueError(f"names must be distinct, got {names}.")
    for i, bunch in enumerate(bunches):
        missing = [k for k in ("images", "filenames", "target") if k not in bunch]
        if missing:
            raise ValueError(
                f"Dataset {names[i]!r} (argument {i}) is not a dataset Bunch: it lacks "
                f"{', '.join(missing)}."
            )
    if duplicates == "raise" and len(bunches) > 1:
        _refuse_duplicates(bunches, names)
    has_groups = [b.get("groups") is not None for b in bunches]
    if any(has_groups) and not all(has_groups) and ungrouped == "raise":
        lacking = [n for n, g in zip(names, has_groups) if not g]
        raise ValueError(
            f"Dataset(s) {', '.join(map(repr, lacking))} have no subject ids (groups=None) "
            "while others have: pass ungrouped='per_image' to treat each of their images "
            "as its own subject, or load them with a subject_pattern."
        )

    images, filenames, target, groups, source, skipped, titles = [], [], [], [], [], [], []
    lengths = [len(b["images"]) for b in bunches]
    extra_keys = set.intersection(*(_per_sample_fields(b, n) for b, n in zip(bunches, lengths)))
    extra = {key: [] for key in sorted(extra_keys)}
    for name, bunch, n in zip(names, bunches, lengths):
        for j, label in enumerate(bunch["target"]):
            try:
                target.append(canonical_emotion(label))
            except ValueError as exc:
                raise ValueError(
                    f"Dataset {name!r}, sample {j} ({bunch['filenames'][j]}): {exc}"
                ) from None
        images.extend(bunch["images"])
        filenames.extend(str(f) for f in bunch["filenames"])
        source.extend([name] * n)
        if bunch.get("groups") is not None:
            groups.extend(f"{name}:{g}" for g in bunch["groups"])
        else:
            groups.extend(f"{name}:#{j}" for j in range(n))
        skipped.extend(bunch.get("skipped", []) or [])
        for key in extra:
            extra[key].extend(list(bunch[key]))
        descr = str(bunch.get("DESCR", "")).strip().splitlines()
        titles.append(f"- {name}: {descr[0] if descr else 'untitled'} ({n} images)")
    extra = {key: _as_array(values) for key, values in extra.items()}
    return make_dataset_bunch(
        images=images,
        filenames=filenames,
        target=target,
        groups=groups if any(has_groups) else None,
        descr="Merged dataset (skemotion.datasets.concat_datasets)\n\n" + "\n".join(titles) + "\n",
        source=np.asarray(source, dtype=object),
        skipped=skipped,
        n_skipped=len(skipped),
        **extra,
    )

