"""The embedded default dataset: the Face Research Lab London Set (CC BY 4.0)."""

import csv

from sklearn.utils._param_validation import validate_params

from ._base import DATA_HOME, make_dataset_bunch
from ..utils._image_io import read_image

LONDON_HOME = DATA_HOME / "frl_london"

_DESCR = """\
Face Research Lab London Set (front neutral and smiling), as shipped in skemotion
===============================================================================

102 adults photographed from the front, one neutral and one smiling photo each:
204 colour images of 350x350 pixels, labels ``neutral`` and ``happy``, subject ids
``001`` ... ``173`` (numbers as in the original set). Images are not cropped to the face.

Source: DeBruine, L., & Jones, B. (2017). Face Research Lab London Set (Version 5).
figshare. https://doi.org/10.6084/m9.figshare.5047666.v5
Licence: Creative Commons Attribution 4.0 International (CC BY 4.0); the full text
ships beside the images (``LICENSE.md``).

Changes made for skemotion: images resized from 1350x1350 to 350x350 (INTER_AREA)
and re-encoded as JPEG quality 90; "smiling_front" renamed to the label "happy" and
"neutral_front" to "neutral"; landmark (.tem) files dropped; ``labels.csv`` added
(file, label, subject, gender, age, ethnicity from the set's london_info.csv).
"""


#: The stand-in "second take" of each person's neutral photo (``references=True``): a
#: slightly different capture of the same photo, with ranges fixed in advance: the photo
#: shifted by up to 4% and rescaled by up to 4%, rotated by up to 4 degrees, gamma 0.8-1.25
#: with gain 0.85-1.1, blur sigma up to 0.8 px, noise up to 4 grey levels, JPEG 60-95.
def _second_take(images, random_state):
    from sklearn.utils import check_random_state

    from ..augment import (RandomBlur, RandomBoxJitter, RandomGamma, RandomJPEG, RandomNoise,
                           RandomRotation)

    rng = check_random_state(random_state)
    chain = [RandomBoxJitter(shift=(-0.04, 0.04), scale=(0.96, 1.04)),
             RandomRotation(angle=(-4.0, 4.0)), RandomGamma(gamma=(0.8, 1.25), gain=(0.85, 1.1)),
             RandomBlur(sigma=(0.0, 0.8)), RandomNoise(sigma=(0.0, 4.0)),
             RandomJPEG(quality=(60, 95))]
    out = list(images)
    for step in chain:
        out = step.set_params(random_state=int(rng.randint(0, 2**31 - 1))).fit_transform(out)
    return out


@validate_params({"return_X_y": ["boolean"], "references": ["boolean"],
                  "random_state": ["random_state"]}, prefer_skip_nested_validation=True)
def load_frl_london(*, references=False, random_state=0, return_X_y=False):
    """Load the embedded Face Research Lab London Set (neutral vs happy).

    The default dataset of skemotion, shipped inside the package so that
    everything runs on a fresh machine: 204 front photos of 102 people, one
    neutral and one smiling (``"happy"``) each, 350x350 colour, uncropped.

    Parameters
    ----------
    references : bool, default=False
        Add ``references``: for every photo, a stand-in second take of the same person's
        neutral photo (see Notes).
    random_state : int, RandomState instance or None, default=0
        Seed of the stand-in second takes (``references=True`` only).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (list of 350x350x3 uint8 BGR arrays), ``filenames`` (absolute
        paths inside the package), ``target`` (``"neutral"`` or ``"happy"``),
        ``target_names``, ``groups`` (subject ids such as ``"001"``), ``gender``,
        ``age`` (None where unknown) and ``ethnicity`` (per image, from the set's metadata) and
        ``DESCR`` (source, licence and what was changed); with ``references=True`` also
        ``references`` (one 350x350x3 image per sample, the same array object for the two
        photos of a person).
    (images, target) : tuple
        With ``return_X_y=True``.

    Notes
    -----
    The set has one neutral photo per person, so no sample has a real second neutral
    take. With ``references=True`` each person's reference is a perturbed copy of their
    neutral photo (shifted, rotated, re-exposed, blurred, noisy and re-compressed by a
    few percent; seeded by ``random_state``): a stand-in. For the neutral samples that
    reference is a distorted copy of the sample itself, so a calibrated model's London
    score is optimistic (a real second take also differs in pose, hair, lighting and the
    face's resting state). Honest calibrated scores need two neutral takes per person, as
    CK+ (first frames of other recordings) and JAFFE (several neutral photos) have.

    CC BY 4.0: credit DeBruine, L., & Jones, B. (2017). Face Research Lab London
    Set. https://doi.org/10.6084/m9.figshare.5047666.v5 when you publish results.

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london
    >>> london = load_frl_london()
    >>> len(london.images), list(london.target_names), len(set(london.groups))
    (204, ['happy', 'neutral'], 102)
    """
    with open(LONDON_HOME / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    filenames = [LONDON_HOME / row["file"] for row in rows]
    images = [read_image(path) for path in filenames]
    extra = {}
    if references:
        neutral = {}
        for i, row in enumerate(rows):
            if row["label"] == "neutral":
                neutral.setdefault(row["subject"], i)
        subjects = sorted(neutral, key=lambda g: neutral[g])
        takes = dict(zip(subjects, _second_take([images[neutral[g]] for g in subjects],
                                                random_state)))
        missing = [str(path) for path, row in zip(filenames, rows) if row["subject"] not in takes]
        if missing:  # pragma: no cover - the shipped set has a neutral photo per person
            raise ValueError(f"No neutral photo for the subject of {', '.join(missing)}.")
        extra["references"] = [takes[row["subject"]] for row in rows]
    return make_dataset_bunch(
        images=images,
        filenames=filenames,
        target=[row["label"] for row in rows],
        groups=[row["subject"] for row in rows],
        descr=_DESCR,
        return_X_y=return_X_y,
        gender=[row["gender"] for row in rows],
        age=[None if row["age"] in ("", "NA") else int(row["age"]) for row in rows],
        ethnicity=[row["ethnicity"] for row in rows],
        **extra,
    )
