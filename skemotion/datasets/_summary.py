"""A printable summary of a dataset Bunch: classes, subjects, image sizes."""

from collections import Counter

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params


@validate_params({"data": [dict]}, prefer_skip_nested_validation=True)
def summarize_dataset(data):
    """Count what a dataset Bunch holds.

    Parameters
    ----------
    data : Bunch
        A Bunch returned by one of the loaders (``images``, ``target``, ``groups``).

    Returns
    -------
    summary : Bunch
        ``n_images``, ``class_counts`` (dict label -> count, sorted by label),
        ``n_subjects`` (None without groups), ``images_per_subject`` (min, median,
        max, or None), ``subjects_per_class`` (dict label -> number of distinct
        subjects, or None), ``image_sizes`` (Counter of ``(h, w)`` shapes),
        ``channels`` (Counter of channel counts) and ``n_skipped`` (files the loader
        skipped, 0 when it skipped none).

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london, summarize_dataset
    >>> summarize_dataset(load_frl_london()).class_counts
    {'happy': 102, 'neutral': 102}
    """
    target = [str(t) for t in data.target]
    class_counts = dict(sorted(Counter(target).items()))
    groups = data.get("groups")
    if groups is not None:
        per_subject = np.array(list(Counter(groups).values()))
        n_subjects = len(per_subject)
        images_per_subject = (
            int(per_subject.min()),
            float(np.median(per_subject)),
            int(per_subject.max()),
        )
        subjects_per_class = {
            label: len({g for g, t in zip(groups, target) if t == label}) for label in class_counts
        }
    else:
        n_subjects = images_per_subject = subjects_per_class = None
    sizes = Counter(tuple(np.shape(im)[:2]) for im in data.images)
    channels = Counter(1 if np.ndim(im) == 2 else np.shape(im)[2] for im in data.images)
    return Bunch(
        n_images=len(target),
        class_counts=class_counts,
        n_subjects=n_subjects,
        images_per_subject=images_per_subject,
        subjects_per_class=subjects_per_class,
        image_sizes=sizes,
        channels=channels,
        n_skipped=len(data.get("skipped", []) or []),
    )


def plural(count, word):
    """``1 image``, ``2 images``, ``1 class``, ``3 classes`` (also used by the CLI)."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {word}{'es' if word.endswith('s') else 's'}"


@validate_params({"data": [dict], "name": [str, None]}, prefer_skip_nested_validation=True)
def describe_dataset(data, *, name=None):
    """Return a short multi-line text describing a dataset Bunch.

    Parameters
    ----------
    data : Bunch
        A Bunch returned by one of the loaders.
    name : str, optional
        A title for the first line.

    Returns
    -------
    str

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london, describe_dataset
    >>> print(describe_dataset(load_frl_london(), name="London"))  # doctest: +NORMALIZE_WHITESPACE
    London: 204 images, 2 classes, 102 subjects
      happy    102 images, 102 subjects
      neutral  102 images, 102 subjects
    images per subject: min 2, median 2, max 2
    image sizes (width x height): 350x350 (204)
    channels: 3 (204)
    """
    s = summarize_dataset(data)
    head = f"{name}: " if name else ""
    subjects = (f", {plural(s.n_subjects, 'subject')}" if s.n_subjects is not None
                else ", no subject ids")
    lines = [f"{head}{plural(s.n_images, 'image')}, "
             f"{plural(len(s.class_counts), 'class')}{subjects}"]
    width = max((len(k) for k in s.class_counts), default=0)
    digits = len(str(max(s.class_counts.values(), default=0)))
    for label, count in s.class_counts.items():
        line = f"  {label:<{width}}  {count:>{digits}} {'image' if count == 1 else 'images'}"
        if s.subjects_per_class is not None:
            line += f", {plural(s.subjects_per_class[label], 'subject')}"
        lines.append(line)
    if s.images_per_subject is not None:
        lo, med, hi = s.images_per_subject
        lines.append(f"images per subject: min {lo}, median {med:g}, max {hi}")
    # width x height, as image sizes are usually given (CK+'s 640x490 frames)
    sizes = ", ".join(f"{w}x{h} ({c})" for (h, w), c in s.image_sizes.most_common(5))
    more = len(s.image_sizes) - 5
    lines.append(f"image sizes (width x height): {sizes}"
                 + (f", and {more} more" if more > 0 else ""))
    lines.append("channels: " + ", ".join(f"{k} ({c})" for k, c in sorted(s.channels.items())))
    if s.n_skipped:
        lines.append(f"skipped files: {s.n_skipped}")
    return "\n".join(lines)
