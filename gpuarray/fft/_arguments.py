"""NumPy 2's argument rules for numpy.fft, shared by both backends' paths:
n / s, axis / axes, norm, out, and the dtypes of the results.

The messages and exception classes are NumPy's own (numpy/fft/_pocketfft.py)
so that code catching NumPy's errors catches gpuarray's too.
"""

import operator
import warnings

import numpy

try:
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index

NORMS = ('backward', 'ortho', 'forward')
_SWAP = {'backward': 'forward', 'ortho': 'ortho', 'forward': 'backward'}


def check_norm(norm):
    """The norm as one of NORMS (None is 'backward'); ValueError otherwise."""
    if norm is None:
        return 'backward'
    if isinstance(norm, str) and norm in NORMS:
        return norm
    raise ValueError('Invalid norm value {}; should be "backward",'
                     '"ortho" or "forward".'.format(norm))


def swap_norm(norm):
    """hfft/ihfft are irfft/rfft with the other direction's scaling."""
    return _SWAP[check_norm(norm)]


def check_n(n, default):
    """A transform length: `default` when None; an int (TypeError for a
    float, as operator.index); ValueError below 1."""
    n = default if n is None else operator.index(n)
    if n < 1:
        raise ValueError('Invalid number of FFT data points ({}) specified.'.format(n))
    return n


def check_axis(axis, ndim):
    """axis normalized to 0..ndim-1 (numpy.exceptions.AxisError, an
    IndexError, when out of range, as for a 0-d input)."""
    return normalize_axis_index(operator.index(axis), ndim)


def cook_nd(shape, s, axes, invreal=False):
    """(s, axes) of an n-d transform as numpy.fft's _cook_nd_args makes
    them (with its DeprecationWarnings), axes normalized; s entries may be
    None (the 1-D default) or -1 (the whole axis)."""
    ndim = len(shape)
    if s is None:
        shapeless = True
        if axes is None:
            s = list(shape)
        else:
            axes = [check_axis(a, ndim) for a in axes]
            s = [shape[a] for a in axes]
    else:
        shapeless = False
        s = list(s) if not isinstance(s, int) else [s]
    if axes is None:
        if not shapeless:
            warnings.warn(
                '`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). '
                'In a future version of NumPy, this will raise an error and `s[i]` will '
                'correspond to the size along the transformed axis specified by `axes[i]`. '
                'To retain current behaviour, pass a sequence [0, ..., k-1] to `axes` for '
                'an array of dimension k.', DeprecationWarning, stacklevel=5)
        axes = list(range(-len(s), 0))
    axes = [check_axis(a, ndim) for a in axes]
    if len(s) != len(axes):
        raise ValueError('Shape and axes have different lengths.')
    if invreal and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    if any(v is None for v in s):
        warnings.warn(
            'Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 '
            'and will raise an error in a future version of NumPy. To use the default '
            'behaviour of the corresponding 1-D transform, pass the value matching the '
            'default for its `n` parameter. To use the default behaviour for every axis, '
            'the `s` argument can be omitted.', DeprecationWarning, stacklevel=5)
    s = [shape[a] if v == -1 else v for v, a in zip(s, axes)]
    return s, axes


def complex_dtype(dtype):
    """The complex dtype NumPy 2's pocketfft computes in for `dtype`:
    complex64 for float16/float32/complex64, else complex128."""
    dtype = numpy.dtype(dtype)
    if dtype.kind not in 'biufc':
        raise TypeError('gpuarray.fft: dtype {} is not supported'.format(dtype))
    if dtype in (numpy.float16, numpy.float32, numpy.complex64):
        return numpy.dtype(numpy.complex64)
    return numpy.dtype(numpy.complex128)


def real_dtype(dtype, fname):
    """The real dtype a real-input transform (rfft, ihfft) computes in; a
    TypeError for complex input, which NumPy 2 refuses too."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == 'c':
        raise TypeError("{}: complex input is not supported (NumPy's {} takes real input; "
                        "pass a.real or use fft)".format(fname, fname))
    return numpy.dtype(numpy.float32 if complex_dtype(dtype) == numpy.complex64 else numpy.float64)


def c2r_result_dtype(dtype):
    """irfft's output dtype in NumPy 2: the input's real part's dtype
    promoted with a Python float (float16 stays float16)."""
    dtype = numpy.dtype(dtype)
    real = numpy.empty(0, dtype).real.dtype
    return numpy.result_type(real, 1.0)


def check_out(out, shape, dtype, fname):
    """Check `out=` as NumPy's ufunc does: its shape (ValueError) and that
    the result casts to its dtype under same_kind (TypeError)."""
    from gpuarray._core import ndarray
    if not isinstance(out, ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray, not {}'.format(fname, type(out).__name__))
    if tuple(out.shape) != tuple(shape):
        raise ValueError('output array has wrong shape.')
    if not numpy.can_cast(dtype, out.dtype, 'same_kind'):
        raise TypeError("Cannot cast ufunc '{}' output from {!r} to {!r} with casting rule "
                        "'same_kind'".format(fname, numpy.dtype(dtype), out.dtype))
