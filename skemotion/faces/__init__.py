"""Face finding and cropping: Haar cascades, :class:`~skemotion.FaceCropper`,
:func:`~skemotion.detect_faces`.

Private modules; the public names are re-exported by :mod:`skemotion`.
"""
