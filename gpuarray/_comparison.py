"""gpuarray._comparison - whole-array comparisons: ``isclose``, ``allclose``,
``array_equal`` and ``array_equiv``, NumPy's definitions composed from the
elementwise ufuncs and reductions. As in CuPy, ``allclose``,
``array_equal`` and ``array_equiv`` return a 0-d bool array (``bool()`` of
it reads the one value back)."""

import numpy

from gpuarray import _core
from gpuarray import _ufuncs as _u

__all__ = ['isclose', 'allclose', 'array_equal', 'array_equiv']

_ndarray = _core.ndarray


def _as_device(x):
    return x if isinstance(x, _ndarray) else _core.asarray(x)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |a - b| <= atol + rtol * |b| (numpy.isclose): infinities
    are close only to themselves, NaN to nothing unless equal_nan."""
    a, b = _as_device(a), _as_device(b)
    dt = numpy.result_type(a.dtype, b.dtype, 1.0)
    x, y = a.astype(dt, copy=False), b.astype(dt, copy=False)
    finite = _u.isfinite(x) & _u.isfinite(y)
    close = _u.absolute(x - y) <= atol + rtol * _u.absolute(y)
    r = _u.where(finite, close, x == y)
    if equal_nan:
        r |= _u.isnan(x) & _u.isnan(y)
    return r


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of a is close to b's (numpy.allclose), as a 0-d
    bool array."""
    return isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


def array_equal(a1, a2, equal_nan=False):
    """Same shape and equal elements (numpy.array_equal), as a 0-d bool array."""
    a1, a2 = _as_device(a1), _as_device(a2)
    if a1.shape != a2.shape:
        return _core.asarray(numpy.bool_(False))
    eq = a1 == a2
    if equal_nan and numpy.result_type(a1.dtype, a2.dtype).kind in 'fc':
        eq |= _u.isnan(a1) & _u.isnan(a2)
    return eq.all()


def array_equiv(a1, a2):
    """Equal elements after broadcasting (numpy.array_equiv), as a 0-d bool
    array; False when the shapes do not broadcast."""
    a1, a2 = _as_device(a1), _as_device(a2)
    try:
        numpy.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        return _core.asarray(numpy.bool_(False))
    return (a1 == a2).all()
