"""Face finding and cropping: YuNet and Haar cascades, :class:`~skemotion.FaceCropper`,
:func:`~skemotion.detect_faces`, and :func:`find_faces` for video frames.

Private modules; the public names are re-exported by :mod:`skemotion`.
"""

from ._find import find_faces

__all__ = ["find_faces"]
