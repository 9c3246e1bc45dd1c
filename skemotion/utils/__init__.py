"""Helpers shared by several modules: reading and converting images, warnings.

Private: nothing here is public API (:func:`~skemotion.read_image` is re-exported by
:mod:`skemotion`).
"""
