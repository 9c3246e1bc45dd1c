"""Plots: the ``plot_*`` helpers and the image gallery Display objects (matplotlib is
imported lazily).

Private modules; the public names are re-exported by :mod:`skemotion`.
"""
