"""gpuarray._type_tests - the type and content tests of NumPy's
numpy.lib.type_check family on device arrays: iscomplex, isreal,
iscomplexobj, isrealobj, isfortran, isposinf, isneginf, and the memory
extent and overlap tests byte_bounds, may_share_memory and shares_memory."""

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array

_ndarray = _core.ndarray


def iscomplexobj(x):
    """Whether x's dtype is complex (numpy.iscomplexobj; no data read)."""
    dt = x.dtype if hasattr(x, 'dtype') else numpy.asarray(x).dtype
    return dt.kind == 'c'


def isrealobj(x):
    """Whether x's dtype is not complex (numpy.isrealobj)."""
    return not iscomplexobj(x)


def iscomplex(x):
    """Elementwise: a nonzero imaginary part (numpy.iscomplex)."""
    from gpuarray._complex import imag
    x = as_device_array(x, 'iscomplex')
    if x.dtype.kind == 'c':
        return imag(x) != 0
    return _core.zeros(x.shape, numpy.bool_)


def isreal(x):
    """Elementwise: a zero imaginary part (numpy.isreal)."""
    from gpuarray._complex import imag
    x = as_device_array(x, 'isreal')
    if x.dtype.kind == 'c':
        return imag(x) == 0
    return _core.ones(x.shape, numpy.bool_)


def isfortran(a):
    """Whether `a` is Fortran-contiguous and not C-contiguous (numpy.isfortran)."""
    return bool(a.flags.f_contiguous and not a.flags.c_contiguous)


def _signed_inf(x, out, fname, negative):
    from gpuarray import _ufuncs
    x = as_device_array(x, fname)
    if x.dtype.kind == 'c':
        raise TypeError('This operation is not supported for complex values because it would '
                        'be ambiguous.')
    sign = _ufuncs.signbit(x)
    if not negative:
        sign = _ufuncs.logical_not(sign)
    return _ufuncs.logical_and(_ufuncs.isinf(x), sign, out=out)


def isposinf(x, out=None):
    """Elementwise: positive infinity (numpy.isposinf)."""
    return _signed_inf(x, out, 'isposinf', False)


def isneginf(x, out=None):
    """Elementwise: negative infinity (numpy.isneginf)."""
    return _signed_inf(x, out, 'isneginf', True)


def _byte_range(a):
    """[lo, hi) of the bytes array `a` can touch (its extent, strides included)."""
    lo = hi = a.data.ptr
    for n, s in zip(a.shape, a.strides):
        if n == 0:
            return lo, lo
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + a.itemsize


def may_share_memory(a, b, max_work=None):
    """Whether the memory ranges of a and b overlap (numpy.may_share_memory:
    a bounds check, which may say True for interleaved views that share
    no element)."""
    if not isinstance(a, _ndarray) or not isinstance(b, _ndarray):
        return False
    if a.size == 0 or b.size == 0:
        return False
    (alo, ahi), (blo, bhi) = _byte_range(a), _byte_range(b)
    return alo < bhi and blo < ahi


def shares_memory(a, b, max_work=None):
    """Whether a and b share a byte (numpy.shares_memory), decided by
    NumPy's exact overlap solver on byte views of the two geometries over
    one host buffer that is never filled: only addresses, shapes and
    strides count, no data is read."""
    if not may_share_memory(a, b):
        return False
    base = min(_byte_range(a)[0], _byte_range(b)[0])
    top = max(_byte_range(a)[1], _byte_range(b)[1])
    buf = numpy.empty(top - base, numpy.uint8)

    def proxy(x):
        # one more axis of itemsize bytes, so that partly overlapping
        # elements count as sharing
        return numpy.lib.stride_tricks.as_strided(
            buf[x.data.ptr - base:], x.shape + (x.itemsize,), x.strides + (1,))
    return bool(numpy.shares_memory(proxy(a), proxy(b), max_work=max_work))


def byte_bounds(a):
    """(low, high): the first byte and one past the last that `a` can touch,
    as device addresses (numpy.byte_bounds)."""
    return _byte_range(a)
