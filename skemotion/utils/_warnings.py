"""Warnings that point at the user's line, not at skemotion's or scikit-learn's internals."""

import sys
import warnings

#: Modules whose frames a warning skips: ours, and the scikit-learn / joblib layers our
#: functions are called through (``validate_params`` wrappers, ``Pipeline.fit``, ...).
_INTERNAL_PREFIXES = ("skemotion.", "sklearn.", "joblib.")


def _is_internal(frame):
    name = frame.f_globals.get("__name__", "")
    return name == "skemotion" or name.startswith(_INTERNAL_PREFIXES)


def warn_caller(message, category=UserWarning):
    """``warnings.warn`` with the stack level of the first frame outside skemotion.

    A fixed ``stacklevel`` is wrong as soon as a function is reached through another
    layer (scikit-learn's ``validate_params`` wrapper adds one, a ``Pipeline`` several),
    and the warning then names a line in a library the user never wrote. This walks the
    stack instead, so the warning's file and line are the user's call. Where every frame
    is internal (e.g. the command line), the outermost frame is used.
    """
    frame = sys._getframe(1)  # the function that warns: stacklevel 2 (1 is this one)
    level = 2
    while frame.f_back is not None and _is_internal(frame):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
