"""The one table of emotion names and CK+ codes used everywhere in skemotion."""

import math
import re

#: CK+ emotion codes, in code order (``Emotion/Sxxx/yyy/*_emotion.txt`` holds the code
#: as a float such as ``3.0000000e+00``). Code 0 is never written in CK+ label files:
#: neutral images are the first frames of labelled sequences.
CKPLUS_EMOTIONS = (
    "neutral",
    "anger",
    "contempt",
    "disgust",
    "fear",
    "happy",
    "sadness",
    "surprise",
)

#: Other spellings that users' folders and other datasets use for the same emotion.
EMOTION_ALIASES = {
    "neutrality": "neutral",
    "calm": "neutral",
    "angry": "anger",
    "contemptuous": "contempt",
    "disgusted": "disgust",
    "afraid": "fear",
    "fearful": "fear",
    "scared": "fear",
    "happiness": "happy",
    "smile": "happy",
    "smiling": "happy",
    "joy": "happy",
    "sad": "sadness",
    "surprised": "surprise",
}


def canonical_emotion(name):
    """Return the canonical emotion name for ``name``.

    Parameters
    ----------
    name : str
        An emotion name in any case, canonical (``"happy"``) or an alias
        (``"happiness"``, ``"Smiling"``).

    Returns
    -------
    str
        One of :data:`CKPLUS_EMOTIONS`.

    Raises
    ------
    ValueError
        If the name is not a known emotion; the message lists the known names.

    Examples
    --------
    >>> from skemotion import canonical_emotion
    >>> canonical_emotion("Happiness")
    'happy'
    """
    key = str(name).strip().lower()
    if key in CKPLUS_EMOTIONS:
        return key
    if key in EMOTION_ALIASES:
        return EMOTION_ALIASES[key]
    raise ValueError(
        f"Unknown emotion {name!r}. Known emotions: {', '.join(CKPLUS_EMOTIONS)} "
        f"(aliases: {', '.join(sorted(EMOTION_ALIASES))})."
    )


def parse_emotions(emotions):
    """Turn ``"anger, happy"`` or a sequence of names into a tuple of canonical names.

    Parameters
    ----------
    emotions : str or sequence of str or None
        Comma-separated names, or a sequence of names. ``None`` is returned as is.

    Returns
    -------
    tuple of str or None
        Canonical names in the given order, duplicates removed.

    Examples
    --------
    >>> from skemotion import parse_emotions
    >>> parse_emotions("Happiness, neutral")
    ('happy', 'neutral')
    """
    parts = _split_names(emotions)
    if parts is None:
        return None
    if not parts:
        raise ValueError("The emotion list is empty.")
    return tuple(_dedupe(canonical_emotion(p) for p in parts))


def _split_names(emotions):
    """``"a, b c"`` -> ``["a", "b", "c"]``; a sequence -> a list; ``None`` -> ``None``."""
    if emotions is None:
        return None
    if isinstance(emotions, str):
        return [p for p in re.split(r"[,\s]+", emotions) if p]
    return list(emotions)


def _dedupe(values):
    """The values in first-seen order, each once (works for unhashable values too)."""
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def emotion_from_ckplus_code(code, *, source=None):
    """Map a CK+ label value (float or string such as ``' 3.0000000e+00'``) to its name.

    ``source`` (a file name) is used in the error message.
    """
    where = f" in {source}" if source is not None else ""
    try:
        value = float(str(code).strip().lstrip("\ufeff").strip())  # a BOM from an editor
    except ValueError:
        raise ValueError(f"CK+ label{where} is not a number: {str(code).strip()!r}") from None
    if not math.isfinite(value) or value != int(value) or not 0 <= value < len(CKPLUS_EMOTIONS):
        raise ValueError(
            f"CK+ label{where} is {value!r}; expected a whole number from 0 to "
            f"{len(CKPLUS_EMOTIONS) - 1} ({', '.join(f'{i} {n}' for i, n in enumerate(CKPLUS_EMOTIONS))})."
        )
    return CKPLUS_EMOTIONS[int(value)]
