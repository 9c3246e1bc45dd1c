"""Image feature transformers, one module per descriptor family (HOG, LBP, Gabor, face
region, dlib landmarks), on a shared base class.

Private modules; the public names are re-exported by :mod:`skemotion`.
"""
