"""gpuarray._aliases - names CuPy still carries from NumPy 1 (cumproduct,
product, alltrue, sometrue, round_, trapz, row_stack, msort) and NumPy's
constants and pure-Python helpers that CuPy re-exports (Inf, NaN, s_,
ndindex, isscalar, printoptions, ...): each is the gpuarray function or
the NumPy object of the same meaning, so CuPy code written against either
NumPy runs."""

import math

import numpy


def cumproduct(a, axis=None, dtype=None, out=None):
    """cumprod (NumPy 1's name)."""
    from gpuarray._scan import cumprod
    return cumprod(a, axis=axis, dtype=dtype, out=out)


def product(a, axis=None, dtype=None, out=None, keepdims=False):
    """prod (NumPy 1's name)."""
    from gpuarray._reduction import prod
    return prod(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def alltrue(a, axis=None, out=None, keepdims=False):
    """all (NumPy 1's name)."""
    from gpuarray._reduction import all as all_
    return all_(a, axis=axis, out=out, keepdims=keepdims)


def sometrue(a, axis=None, out=None, keepdims=False):
    """any (NumPy 1's name)."""
    from gpuarray._reduction import any as any_
    return any_(a, axis=axis, out=out, keepdims=keepdims)


def round_(a, decimals=0, out=None):
    """round (NumPy 1's name)."""
    from gpuarray._rounding import around
    return around(a, decimals=decimals, out=out)


def trapz(y, x=None, dx=1.0, axis=-1):
    """trapezoid (NumPy 1's name)."""
    from gpuarray._differences import trapezoid
    return trapezoid(y, x=x, dx=dx, axis=axis)


def row_stack(tup, *, dtype=None, casting='same_kind'):
    """vstack (NumPy 1's name)."""
    from gpuarray._joining import vstack
    return vstack(tup, dtype=dtype, casting=casting)


def fromDlpack(dltensor):
    """from_dlpack (CuPy's older name)."""
    from gpuarray._interop import from_dlpack
    return from_dlpack(dltensor)


def msort(a):
    """A copy of `a` sorted along its first axis (NumPy 1's msort)."""
    from gpuarray._sorting import sort
    return sort(a, axis=0)


# NumPy's constants under their NumPy 1 names (NumPy 2 keeps only inf, nan,
# pi, e, euler_gamma, newaxis)
Inf = Infinity = PINF = infty = math.inf
NINF = -math.inf
NaN = NAN = math.nan
PZERO = 0.0
NZERO = -0.0

# NumPy's pure-Python helpers: they touch no array data
s_ = numpy.s_
index_exp = numpy.index_exp
ndindex = numpy.ndindex
iterable = numpy.iterable
typename = numpy.typename
mintypecode = numpy.mintypecode
isscalar = numpy.isscalar
base_repr = numpy.base_repr
binary_repr = numpy.binary_repr
min_scalar_type = numpy.min_scalar_type
get_printoptions = numpy.get_printoptions
set_printoptions = numpy.set_printoptions
printoptions = numpy.printoptions
