"""gpuarray - GPU arrays for Python over a C core, under CuPy's names.

    import gpuarray as cp

    x = cp.ones(1000000, dtype=cp.float32)
    kernel = cp.RawKernel(source, 'saxpy')
    kernel(grid, block, (n, 2.0, x, y))
    print(y[0])

Importing touches no driver: CUDA is loaded on first use, and where it is
missing, what needs it raises gpuarray.cuda.CUDAUnavailableError saying why
(``gpuarray.cuda.is_available()`` asks without raising).
"""

from numpy import (  # noqa: F401  dtypes and constants are NumPy's, as in CuPy
    bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
    float16, float32, float64, complex64, complex128,
    byte, ubyte, short, ushort, intc, uintc, int_, uint, intp, uintp,
    longlong, ulonglong, half, single, double, csingle, cdouble,
    dtype, e, euler_gamma, inf, nan, pi, newaxis,
)

try:
    from gpuarray import _core
except ImportError as _e:   # as NumPy does: say what to do, not "circular import"
    import os as _os
    _here = _os.path.dirname(_os.path.abspath(__file__))
    if _os.path.exists(_os.path.join(_os.path.dirname(_here), 'setup.py')):
        raise ImportError(
            'gpuarray is imported from its source tree (%s), where the extension '
            'gpuarray._core has not been built: run `make build` there (or '
            '`python setup.py build_ext --inplace`), or install gpuarray-core and import it '
            'from another directory. (%s)' % (_os.path.dirname(_here), _e)) from None
    raise
from gpuarray._core import (  # noqa: F401
    ndarray,
    empty, zeros, ones, full, arange,
    empty_like, zeros_like, ones_like, full_like,
    asarray, array, ascontiguousarray, asnumpy,
    get_default_memory_pool, empty_pinned, zeros_pinned,
)
from gpuarray import cuda  # noqa: F401
from gpuarray.cuda.memory import get_default_pinned_memory_pool  # noqa: F401
from gpuarray._kernel import RawKernel, RawModule  # noqa: F401
from gpuarray._config import show_config  # noqa: F401
from gpuarray._elementwise import ElementwiseKernel  # noqa: F401
from gpuarray._reduction import (  # noqa: F401
    ReductionKernel, sum, prod, mean, var, std, amin, amax, min, max, argmin, argmax, any, all,
)
from gpuarray._ufuncs import (  # noqa: F401
    ufunc, add, subtract, multiply, divide, true_divide, floor_divide, remainder, mod, power,
    negative, positive, absolute, abs, sqrt, square, exp, log, log2, log10, sin, cos, tan, tanh,
    arcsin, arccos, arctan, floor, ceil, minimum, maximum, equal, not_equal, less, less_equal,
    greater, greater_equal, bitwise_and, bitwise_or, bitwise_xor, invert, bitwise_not,
    left_shift, right_shift, logical_and, logical_or, logical_xor, logical_not, where, clip,
    isnan, isinf, isfinite, sign, sinh, cosh, arcsinh, arccosh, arctanh, log1p, expm1, exp2, cbrt,
    trunc, rint, fabs, arctan2, hypot, copysign, fmod, fmax, fmin,
)
from gpuarray import _ufuncs
from gpuarray._linalg import matmul, dot  # noqa: F401
from gpuarray._interop import from_dlpack  # noqa: F401
from gpuarray import _linalg
from gpuarray._manipulation import (  # noqa: F401
    reshape, ravel, transpose, swapaxes, moveaxis, squeeze, expand_dims, concatenate, stack,
)
from gpuarray import _manipulation
from gpuarray._searching import nonzero, flatnonzero, argwhere, count_nonzero  # noqa: F401
from gpuarray import _searching
from gpuarray._comparison import isclose, allclose, array_equal, array_equiv  # noqa: F401
from gpuarray._unravel import unravel_index, ravel_multi_index  # noqa: F401
from gpuarray._properties import ndim, shape, size  # noqa: F401
from gpuarray._index_tricks import (  # noqa: F401
    ix_, r_, c_, tril_indices, triu_indices, tril_indices_from, triu_indices_from, diag_indices,
    diag_indices_from, mask_indices, fill_diagonal, select, extract, place, putmask, vander,
)
from gpuarray._aliases import (  # noqa: F401
    cumproduct, product, alltrue, sometrue, round_, trapz, row_stack, msort, fromDlpack, Inf,
    Infinity, PINF, infty, NINF, NaN, NAN, PZERO, NZERO, s_, index_exp, ndindex, iterable,
    typename, mintypecode, isscalar, base_repr, binary_repr, min_scalar_type, get_printoptions,
    set_printoptions, printoptions,
)
from gpuarray._type_tests import (  # noqa: F401
    iscomplex, isreal, iscomplexobj, isrealobj, isfortran, isposinf, isneginf, may_share_memory,
    shares_memory, byte_bounds,
)
from gpuarray._apply import apply_along_axis, apply_over_axes  # noqa: F401
from gpuarray._complex import real_if_close  # noqa: F401
from gpuarray._dtypes import common_type  # noqa: F401
from gpuarray._convolve import correlate  # noqa: F401
from gpuarray._windows import bartlett, blackman, hamming, hanning  # noqa: F401
from gpuarray._kind import (  # noqa: F401
    copyto, require, asfarray, asarray_chkfinite, rollaxis, trim_zeros,
)
from gpuarray._io import (  # noqa: F401
    save, savez, savez_compressed, load, savetxt, array2string, array_repr, array_str,
    format_float_positional, format_float_scientific,
)
from gpuarray import exceptions  # noqa: F401
from gpuarray.exceptions import (  # noqa: F401
    AxisError, ComplexWarning, ModuleDeprecationWarning, RankWarning, TooHardError,
    VisibleDeprecationWarning,
)
# sorting, searching, sets and order statistics (over the radix sort, _radix.py)
from gpuarray._sorting import (  # noqa: F401
    sort, argsort, lexsort, partition, argpartition, searchsorted, sort_complex,
)
from gpuarray import _sorting
from gpuarray._sets import (  # noqa: F401
    unique, unique_values, unique_counts, unique_inverse, unique_all,
    isin, in1d, union1d, intersect1d, setdiff1d, setxor1d,
)
from gpuarray._quantiles import median, nanmedian, percentile, quantile  # noqa: F401

# math: more ufuncs, ufunc methods, scans, complex parts, rounding, dtype
# helpers, products, nan-functions, differences, statistics, histograms
from gpuarray._ufuncs import (  # noqa: F401
    conjugate, conj, reciprocal, logaddexp, logaddexp2, heaviside, nextafter, spacing, ldexp,
    signbit, float_power, frexp, modf, divmod,
    acos, acosh, asin, asinh, atan, atan2, atanh, bitwise_left_shift, bitwise_right_shift,
    bitwise_invert, pow,
)
from gpuarray import _ufunc_methods, _scan
from gpuarray._scan import (  # noqa: F401
    cumsum, cumprod, nancumsum, nancumprod, cumulative_sum, cumulative_prod,
)
from gpuarray import _complex, _rounding
from gpuarray._complex import real, imag, angle  # noqa: F401
from gpuarray._rounding import around, round, fix  # noqa: F401
from gpuarray._dtypes import (  # noqa: F401
    result_type, can_cast, promote_types, finfo, iinfo, issubdtype, isdtype,
    generic, number, integer, signedinteger, unsignedinteger, inexact, floating, complexfloating,
)
from gpuarray._products import outer, inner, vdot, tensordot, kron, cross, vecdot  # noqa: F401
from gpuarray._einsum import einsum  # noqa: F401
from gpuarray._fusion import fuse, FusionWarning  # noqa: F401
from gpuarray._nanfunctions import (  # noqa: F401
    nansum, nanprod, nanmean, nanvar, nanstd, nanmin, nanmax, nanargmin, nanargmax, nan_to_num,
)
from gpuarray._differences import diff, ediff1d, gradient, unwrap, trapezoid  # noqa: F401
from gpuarray._convolve import convolve  # noqa: F401
from gpuarray._interp import interp  # noqa: F401
from gpuarray._statistics import ptp, average, cov, corrcoef  # noqa: F401
from gpuarray._histograms import histogram, histogram2d, bincount, digitize  # noqa: F401
from gpuarray import _statistics

# creation and manipulation
from gpuarray._creation import copy, asfortranarray, asanyarray, astype  # noqa: F401
from gpuarray._ranges import (  # noqa: F401
    linspace, logspace, geomspace, indices, meshgrid, mgrid, ogrid, fromfunction,
)
from gpuarray._matrices import (  # noqa: F401
    eye, identity, diag, diagflat, diagonal, trace, tri, tril, triu,
)
from gpuarray._broadcasting import (  # noqa: F401
    broadcast_to, broadcast_arrays, broadcast, atleast_1d, atleast_2d, atleast_3d,
)
from gpuarray._joining import (  # noqa: F401
    concat, hstack, vstack, dstack, column_stack, append, split, array_split, hsplit, vsplit,
    dsplit, unstack,
)
from gpuarray._rearranging import (  # noqa: F401
    flip, fliplr, flipud, rot90, roll, permute_dims, matrix_transpose,
)
from gpuarray._tiling import tile, repeat, pad, resize  # noqa: F401
from gpuarray._taking import (  # noqa: F401
    take, take_along_axis, put, put_along_axis, choose, compress, delete, insert,
)
from gpuarray._flatiter import flatiter  # noqa: F401
from gpuarray import _array_methods

__version__ = '0.1.0'

_ufuncs.install(ndarray)
_manipulation.install(ndarray)
_linalg.install(ndarray)
_searching.install(ndarray)
_sorting.install(ndarray)
_ufunc_methods.install(ufunc)
_scan.install(ndarray)
_complex.install(ndarray)
_rounding.install(ndarray)
_statistics.install(ndarray)
_ufuncs.install_more(ndarray)
_array_methods.install(ndarray)
del _ufuncs, _manipulation, _linalg, _searching, _sorting, _ufunc_methods, _scan, _complex
del _rounding, _statistics, _array_methods

from gpuarray import linalg  # noqa: E402,F401  cuSOLVER / NumPy's LAPACK (issue 12)

# NumPy's protocols (NEP 13, 18, 35) and the Array API: last, so that they
# find every function above.
from gpuarray import _numpy_protocols, _array_api, _dask  # noqa: E402
from gpuarray._array_api import (  # noqa: F401,E402
    __array_api_version__, __array_namespace_info__, broadcast_shapes, Device,
)
from numpy import bool_ as bool  # noqa: E402,A001  the Array API's (and NumPy 2's) name
_numpy_protocols.install(ndarray)
_array_api.install(ndarray)
_dask.install()
del _numpy_protocols, _array_api, _dask


def get_array_module(*args):
    """gpuarray if any argument is a gpuarray.ndarray, else numpy (as CuPy's)."""
    for a in args:
        if isinstance(a, ndarray):
            import gpuarray
            return gpuarray
    import numpy
    return numpy


def is_available():
    """Whether a device backend (CUDA, or the host backend) is usable here
    (never raises)."""
    return _core.is_available()


def get_backend():
    """The name of the backend gpuarray runs on: 'cuda' (a usable NVIDIA
    GPU), 'hip' (a usable AMD GPU) or 'host' (the CPU, where no GPU is
    usable), or None when none initialises. ``GPUARRAY_BACKEND=cuda|hip|host`` forces
    one; show_config() says why one is unavailable."""
    c = _core.config()
    return c['backend'] if c['available'] else None
from gpuarray import testing  # noqa: E402,F401  cupy.testing's assertions on device arrays
from gpuarray import fft  # noqa: E402,F401  numpy.fft / cupy.fft (cuFFT on CUDA, pocketfft on the host)
from gpuarray import random  # noqa: E402,F401  Philox4x32-10 kernels, the same on every backend

# Public functions defined as `_name` (to keep a Python builtin's name free
# inside their module) carry their public name, as NumPy's do:
# gpuarray.sum.__name__ == 'sum'.
for _n, _f in list(globals().items()):
    if (not _n.startswith('_') and callable(_f) and not isinstance(_f, type)
            and getattr(_f, '__name__', None) == '_' + _n and hasattr(_f, '__code__')):
        _f.__name__ = _n
        _f.__qualname__ = _n
del _n, _f
