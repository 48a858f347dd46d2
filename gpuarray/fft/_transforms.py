"""gpuarray.fft's transforms under NumPy 2's names, parameters and dtypes.

Each function checks its arguments as NumPy does, then runs on the host
backend through NumPy's pocketfft (_host.py) and on CUDA through cuFFT
plans (_planned.py): the input cast to the computation dtype and cropped
or zero-padded to the transform sizes (a view when cropping), one plan
over up to three axes where cuFFT can address them together, else one
axis after the other in NumPy's order, then the norm's scale.
"""

import math

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray._sorting import as_device
from gpuarray.fft import _arguments as _args
from gpuarray.fft import _planned, config
from gpuarray.fft._planned import C2C, R2C, C2R

__all__ = ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft', 'fft2', 'ifft2', 'rfft2', 'irfft2',
           'fftn', 'ifftn', 'rfftn', 'irfftn']

#: Tests set this to run the plan path on the host backend (with an
#: emulated plan factory in _planned.make_plan).
FORCE_PLANS = False


def _use_numpy():
    return not FORCE_PLANS and _ew.device_info()[1]


# ------------------------------------------------------------ plan path pieces

def _fit(x, axis, n, private):
    """x cropped (a view) or zero-padded (a new array) to n along axis;
    (array, private) with private telling whether it is this call's own."""
    m = x.shape[axis]
    if n == m:
        return x, private
    if n < m:
        return x[(slice(None),) * axis + (slice(0, n),)], private
    shape = list(x.shape)
    shape[axis] = n
    z = _core.zeros(tuple(shape), dtype=x.dtype)
    z[(slice(None),) * axis + (slice(0, m),)] = x
    return z, True


def _cast(a, dtype):
    """(a in dtype, private)."""
    if a.dtype == dtype:
        return a, False
    return a.astype(dtype), True


def _scale(y, norm, n, forward):
    """Scale y in place for `norm` over a transform of n points."""
    if norm == 'ortho':
        f = 1.0 / math.sqrt(n)
    elif (norm == 'forward') == forward:
        f = 1.0 / n
    else:
        return y
    y *= f
    return y


def _nd_order(x, axes):
    """The plan order of distinct C2C axes (outermost first), so that they
    nest in x's memory if they can."""
    return sorted(axes, key=lambda d: (-x.strides[d], d))


def _fits_one_plan(x, axes, real_last):
    if not config.enable_nd_planning or not 1 < len(axes) <= 3 or len(set(axes)) != len(axes):
        return False
    if real_last:
        rest = axes[:-1]
        return all(x.strides[d] > x.strides[axes[-1]] for d in rest if x.shape[d] > 1)
    return True


# ------------------------------------------------------------ one-axis transforms

def _c2c(a, n, axis, norm, inverse, out, fname):
    a = as_device(a, fname)
    norm = _args.check_norm(norm)
    axis = _args.check_axis(axis, a.ndim)
    n = _args.check_n(n, a.shape[axis])
    if _use_numpy():
        from gpuarray.fft import _host
        return _host.run(fname, a, (n, axis, norm), out)
    ct = _args.complex_dtype(a.dtype)
    x, private = _cast(a, ct)
    x, private = _fit(x, axis, n, private)
    if out is not None:
        _args.check_out(out, x.shape, ct, fname)
    y = _planned.execute(x, (axis,), C2C, inverse, n, ct, out=out)
    return _scale(y, norm, n, not inverse)


def _r2c(a, n, axis, norm, out, fname, conj=False):
    a = as_device(a, fname)
    norm = _args.check_norm(norm)
    axis = _args.check_axis(axis, a.ndim)
    n = _args.check_n(n, a.shape[axis])
    rt = _args.real_dtype(a.dtype, fname)
    ct = _args.complex_dtype(rt)
    x, private = _cast(a, rt)
    x, private = _fit(x, axis, n, private)
    if out is not None:
        _args.check_out(out, _planned.out_shape(x, (axis,), R2C, n), ct, fname)
    y = _planned.execute(x, (axis,), R2C, False, n, ct, out=out)
    y = _scale(y, norm, n, True)
    if conj:
        _core_conj(y)
    return y


def _c2r(a, n, axis, norm, out, fname, conj=False):
    a = as_device(a, fname)
    norm = _args.check_norm(norm)
    axis = _args.check_axis(axis, a.ndim)
    n = _args.check_n(n, 2 * (a.shape[axis] - 1))
    ct = _args.complex_dtype(a.dtype)
    rt = numpy.dtype(numpy.float32 if ct == numpy.complex64 else numpy.float64)
    x, private = _cast(a, ct)
    if conj:
        from gpuarray import conjugate
        x, private = conjugate(x), True
    x, private = _fit(x, axis, n // 2 + 1, private)
    want = _args.c2r_result_dtype(a.dtype)
    if out is not None:
        _args.check_out(out, _planned.out_shape(x, (axis,), C2R, n), want, fname)
    y = _planned.execute(x, (axis,), C2R, True, n, rt, out=out, x_private=private)
    return _to(_scale(y, norm, n, False), want, out)


def _to(y, dtype, out):
    """NumPy 2's irfft keeps float16 (it computes in float32): cast back."""
    return y if out is not None or y.dtype == dtype else y.astype(dtype)


def _core_conj(y):
    from gpuarray import conjugate
    conjugate(y, out=y)


def _host_1d(fname, a, n, axis, norm, out, half_spectrum, real_input):
    """The host backend's one-axis real/Hermitian transform `fname`: NumPy's
    own, after NumPy's argument checks. half_spectrum: the input is the
    first half of a Hermitian signal (n defaults to 2*(m-1)); real_input:
    the input must be real."""
    a = as_device(a, fname)
    _args.check_norm(norm)
    axis = _args.check_axis(axis, a.ndim)
    m = a.shape[axis]
    n = _args.check_n(n, 2 * (m - 1) if half_spectrum else m)
    if real_input:
        _args.real_dtype(a.dtype, fname)
    from gpuarray.fft import _host
    return _host.run(fname, a, (n, axis, norm), out)


def fft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-D discrete Fourier transform along `axis` (numpy.fft.fft)."""
    return _c2c(a, n, axis, norm, False, out, 'fft')


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-D inverse discrete Fourier transform (numpy.fft.ifft)."""
    return _c2c(a, n, axis, norm, True, out, 'ifft')


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """The 1-D transform of real input, n//2+1 outputs (numpy.fft.rfft)."""
    if _use_numpy():
        return _host_1d('rfft', a, n, axis, norm, out, half_spectrum=False, real_input=True)
    return _r2c(a, n, axis, norm, out, 'rfft')


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """The inverse of rfft: n real outputs, n = 2*(m-1) by default
    (numpy.fft.irfft). The input is never overwritten."""
    if _use_numpy():
        return _host_1d('irfft', a, n, axis, norm, out, half_spectrum=True, real_input=False)
    return _c2r(a, n, axis, norm, out, 'irfft')


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """The transform of a Hermitian-symmetric signal given by its first
    half: n real outputs (numpy.fft.hfft)."""
    if _use_numpy():
        return _host_1d('hfft', a, n, axis, norm, out, half_spectrum=True, real_input=False)
    return _c2r(a, n, axis, _args.swap_norm(norm), out, 'hfft', conj=True)


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """The inverse of hfft: n//2+1 complex outputs of real input
    (numpy.fft.ihfft)."""
    if _use_numpy():
        return _host_1d('ihfft', a, n, axis, norm, out, half_spectrum=False, real_input=True)
    return _r2c(a, n, axis, _args.swap_norm(norm), out, 'ihfft', conj=True)


# ------------------------------------------------------------ n-d transforms

def _prepare_nd(a, s, axes, norm, fname, invreal=False):
    a = as_device(a, fname)
    norm = _args.check_norm(norm)
    s, axes = _args.cook_nd(a.shape, s, axes, invreal=invreal)
    return a, s, axes, norm


def _host_nd(a, s, axes, norm, out, fname):
    """NumPy checks the n-d arguments itself (and warns once, as itself)."""
    from gpuarray.fft import _host
    return _host.run(fname, as_device(a, fname), (s, axes, norm), out)


def _c2cn(a, s, axes, norm, inverse, out, fname):
    if _use_numpy():
        return _host_nd(a, s, axes, norm, out, fname)
    a, s, axes, norm = _prepare_nd(a, s, axes, norm, fname)
    if not axes:
        return _core.asarray(a).copy()      # NumPy returns its input untouched
    ct = _args.complex_dtype(a.dtype)
    x, private = _cast(a, ct)
    sizes = {}
    for v, ax in zip(s, axes):
        sizes[ax] = _args.check_n(v, x.shape[ax])   # NumPy checks each 1-D call
    if len(set(axes)) == len(axes):
        for ax in axes:
            x, private = _fit(x, ax, sizes[ax], private)
        if out is not None:
            _args.check_out(out, x.shape, ct, fname)
        if _fits_one_plan(x, axes, False):
            y = _planned.execute(x, tuple(_nd_order(x, axes)), C2C, inverse, None, ct, out=out)
            return _scale(y, norm, math.prod(sizes.values()), not inverse)
    # NumPy's order: the last axis first, each a 1-D transform of its own
    y = x
    for i in reversed(range(len(axes))):
        ax = axes[i]
        n = _args.check_n(s[i], y.shape[ax])
        y, private = _fit(y, ax, n, private)
        last = i == 0
        if last and out is not None:
            _args.check_out(out, y.shape, ct, fname)
        y = _planned.execute(y, (ax,), C2C, inverse, n, ct, out=out if last else None)
        y = _scale(y, norm, n, not inverse)
        private = True
    return y


def fftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d discrete Fourier transform over `axes` (numpy.fft.fftn)."""
    return _c2cn(a, s, axes, norm, False, out, 'fftn')


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d inverse discrete Fourier transform (numpy.fft.ifftn)."""
    return _c2cn(a, s, axes, norm, True, out, 'ifftn')


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-D discrete Fourier transform (numpy.fft.fft2)."""
    return _c2cn(a, s, axes, norm, False, out, 'fft2')


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-D inverse discrete Fourier transform (numpy.fft.ifft2)."""
    return _c2cn(a, s, axes, norm, True, out, 'ifft2')


def _rfftn(a, s, axes, norm, out, fname):
    if _use_numpy():
        _args.real_dtype(as_device(a, fname).dtype, fname)
        return _host_nd(a, s, axes, norm, out, fname)
    a, s, axes, norm = _prepare_nd(a, s, axes, norm, fname)
    if not axes:
        raise IndexError('list index out of range')      # as NumPy's rfftn
    rt = _args.real_dtype(a.dtype, fname)
    ct = _args.complex_dtype(rt)
    x, private = _cast(a, rt)
    if len(set(axes)) == len(axes):
        sizes = [_args.check_n(v, x.shape[ax]) for v, ax in zip(s, axes)]
        for ax, n in zip(axes, sizes):
            x, private = _fit(x, ax, n, private)
        if _fits_one_plan(x, axes, True):
            taxes = tuple(_nd_order(x, axes[:-1])) + (axes[-1],)
            if out is not None:
                _args.check_out(out, _planned.out_shape(x, taxes, R2C, sizes[-1]), ct, fname)
            y = _planned.execute(x, taxes, R2C, False, sizes[-1], ct, out=out)
            return _scale(y, norm, math.prod(sizes), True)
    # NumPy's order: rfft along the last axis, then fft along the others
    n = _args.check_n(s[-1], x.shape[axes[-1]])
    x, private = _fit(x, axes[-1], n, private)
    only = len(axes) == 1
    if only and out is not None:
        _args.check_out(out, _planned.out_shape(x, (axes[-1],), R2C, n), ct, fname)
    y = _planned.execute(x, (axes[-1],), R2C, False, n, ct, out=out if only else None)
    y = _scale(y, norm, n, True)
    for i in range(len(axes) - 2, -1, -1):
        ax = axes[i]
        n = _args.check_n(s[i], y.shape[ax])
        y, _ = _fit(y, ax, n, True)
        last = i == 0
        if last and out is not None:
            _args.check_out(out, y.shape, ct, fname)
        y = _planned.execute(y, (ax,), C2C, False, n, ct, out=out if last else None)
        y = _scale(y, norm, n, True)
    return y


def _irfftn(a, s, axes, norm, out, fname):
    if _use_numpy():
        return _host_nd(a, s, axes, norm, out, fname)
    a, s, axes, norm = _prepare_nd(a, s, axes, norm, fname, invreal=True)
    if not axes:
        raise IndexError('list index out of range')      # as NumPy's irfftn
    ct = _args.complex_dtype(a.dtype)
    rt = numpy.dtype(numpy.float32 if ct == numpy.complex64 else numpy.float64)
    want = _args.c2r_result_dtype(a.dtype)
    x, private = _cast(a, ct)
    if len(set(axes)) == len(axes):
        sizes = [_args.check_n(v, x.shape[ax]) for v, ax in zip(s[:-1], axes[:-1])]
        n_last = _args.check_n(s[-1], 2 * (x.shape[axes[-1]] - 1))
        for ax, n in zip(axes[:-1], sizes):
            x, private = _fit(x, ax, n, private)
        x, private = _fit(x, axes[-1], n_last // 2 + 1, private)
        if _fits_one_plan(x, axes, True):
            taxes = tuple(_nd_order(x, axes[:-1])) + (axes[-1],)
            if out is not None:
                _args.check_out(out, _planned.out_shape(x, taxes, C2R, n_last), want, fname)
            y = _planned.execute(x, taxes, C2R, True, n_last, rt, out=out, x_private=private)
            return _to(_scale(y, norm, math.prod(sizes) * n_last, False), want, out)
    # NumPy's order: ifft along all axes but the last, then irfft along it
    y = x
    for i in range(len(axes) - 1):
        ax = axes[i]
        n = _args.check_n(s[i], y.shape[ax])
        y, private = _fit(y, ax, n, private)
        y = _planned.execute(y, (ax,), C2C, True, n, ct)
        y = _scale(y, norm, n, False)
        private = True
    n = _args.check_n(s[-1], 2 * (y.shape[axes[-1]] - 1))
    y, private = _fit(y, axes[-1], n // 2 + 1, private)
    if out is not None:
        _args.check_out(out, _planned.out_shape(y, (axes[-1],), C2R, n), want, fname)
    y = _planned.execute(y, (axes[-1],), C2R, True, n, rt, out=out, x_private=private)
    return _to(_scale(y, norm, n, False), want, out)


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """The n-d transform of real input (numpy.fft.rfftn)."""
    return _rfftn(a, s, axes, norm, out, 'rfftn')


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """The inverse of rfftn (numpy.fft.irfftn); the input is never
    overwritten."""
    return _irfftn(a, s, axes, norm, out, 'irfftn')


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The 2-D transform of real input (numpy.fft.rfft2)."""
    return _rfftn(a, s, axes, norm, out, 'rfft2')


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """The inverse of rfft2 (numpy.fft.irfft2)."""
    return _irfftn(a, s, axes, norm, out, 'irfft2')
