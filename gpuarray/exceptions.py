"""gpuarray.exceptions - NumPy's exception and warning classes, the same
objects (as cupy.exceptions re-exports them): code that catches
numpy.exceptions.AxisError catches gpuarray's."""

from numpy.exceptions import (  # noqa: F401
    AxisError, ComplexWarning, ModuleDeprecationWarning, RankWarning, TooHardError,
    VisibleDeprecationWarning,
)
