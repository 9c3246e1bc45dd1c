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


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_frl_london(*, return_X_y=False):
    """Load the embedded Face Research Lab London Set (neutral vs happy).

    The default dataset of skemotion, shipped inside the package so that
    everything runs on a fresh machine: 204 front photos of 102 people, one
    neutral and one smiling (``"happy"``) each, 350x350 colour, uncropped.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (list of 350x350x3 uint8 BGR arrays), ``filenames`` (absolute
        paths inside the package), ``target`` (``"neutral"`` or ``"happy"``),
        ``target_names``, ``groups`` (subject ids such as ``"001"``), ``gender``,
        ``age`` (None where unknown) and ``ethnicity`` (per image, from the set's metadata) and
        ``DESCR`` (source, licence and what was changed).
    (images, target) : tuple
        With ``return_X_y=True``.

    Notes
    -----
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
    )
