"""gpuarray._differences - differences and integrals along an axis: diff,
ediff1d, gradient, unwrap and trapezoid, NumPy's algorithms composed from
device views and ufuncs (every step runs on the device; views make the
shifted operands, so nothing is copied beyond the results).
"""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
    from numpy.lib.array_utils import normalize_axis_tuple as _normalize_axis_tuple
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index
    from numpy.core.numeric import normalize_axis_tuple as _normalize_axis_tuple

__all__ = ['diff', 'ediff1d', 'gradient', 'unwrap', 'trapezoid']

_ndarray = _core.ndarray
_NoValue = getattr(numpy, '_NoValue', object())



def _along(nd, axis, s):
    key = [slice(None)] * nd
    key[axis] = s
    return tuple(key)


def diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    """The n-th discrete difference along `axis` (numpy.diff): a[i+1] -
    a[i], repeated n times; bools give a[i+1] != a[i]. `prepend` and
    `append` are joined to `a` first."""
    from gpuarray import _ufuncs
    from gpuarray._manipulation import concatenate
    n = operator.index(n)
    if n == 0:
        return _as_array(a, 'diff')
    if n < 0:
        raise ValueError('order must be non-negative but got ' + repr(n))
    a = _as_array(a, 'diff')
    nd = a.ndim
    if nd == 0:
        raise ValueError('diff requires input that is at least one dimensional')
    axis = _normalize_axis_index(operator.index(axis), nd)
    parts = []
    for value in (prepend, append):
        if value is _NoValue:
            parts.append(None)
            continue
        v = _as_array(value, 'diff')
        if v.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            full = _core.empty(tuple(shape), v.dtype)
            full[...] = v
            v = full
        parts.append(v)
    if parts[0] is not None or parts[1] is not None:
        a = concatenate([x for x in (parts[0], a, parts[1]) if x is not None], axis=axis)
    op = _ufuncs.not_equal if a.dtype.kind == 'b' else _ufuncs.subtract
    for _ in range(n):
        a = op(a[_along(nd, axis, slice(1, None))], a[_along(nd, axis, slice(None, -1))])
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences between consecutive elements of the flattened array,
    with `to_begin` and `to_end` around them (numpy.ediff1d)."""
    from gpuarray import _ufuncs
    ary = _as_array(ary, 'ediff1d').reshape(-1)
    dt = ary.dtype
    pieces = []
    for name, v in (('to_begin', to_begin), ('to_end', to_end)):
        if v is None:
            pieces.append(None)
            continue
        v = _as_array(v, 'ediff1d')
        if not numpy.can_cast(v.dtype, dt, casting='same_kind'):
            raise TypeError('dtype of `{}` must be compatible with input `ary` under the '
                            '`same_kind` rule.'.format(name))
        pieces.append(v.reshape(-1))
    nb = 0 if pieces[0] is None else pieces[0].size
    ne = 0 if pieces[1] is None else pieces[1].size
    m = max(ary.size - 1, 0)
    out = _core.empty((nb + m + ne,), dt)
    if nb:
        out[:nb] = pieces[0]
    if m:
        _ufuncs.subtract(ary[1:], ary[:-1], out=out[nb:nb + m])
    if ne:
        out[nb + m:] = pieces[1]
    return out


def gradient(f, *varargs, axis=None, edge_order=1):
    """The gradient of `f` by second-order central differences inside and
    first- or second-order (edge_order) one-sided differences at the
    boundaries (numpy.gradient). Spacings: none (1), one scalar for all
    axes, or one scalar or 1-D coordinate array per axis. Returns one array
    per axis (a tuple when there are several)."""
    from gpuarray import _ufuncs as u
    f = _as_array(f, 'gradient')
    N = f.ndim
    if axis is None:
        axes = tuple(range(N))
    else:
        axes = _normalize_axis_tuple(axis, N)
    len_axes = len(axes)
    n = len(varargs)
    if n == 0:
        dx = [1.0] * len_axes
    elif n == 1 and numpy.ndim(varargs[0]) == 0 and not (
            isinstance(varargs[0], _ndarray) and varargs[0].ndim):
        dx = [_scalar(varargs[0])] * len_axes
    elif n == len_axes:
        dx = list(varargs)
        for i, distances in enumerate(dx):
            if isinstance(distances, _ndarray) or numpy.ndim(distances) != 0:
                distances = _as_array(distances, 'gradient')
                if distances.ndim == 0:
                    dx[i] = _scalar(distances)
                    continue
                if distances.ndim != 1:
                    raise ValueError('distances must be either scalars or 1d')
                if len(distances) != f.shape[axes[i]]:
                    raise ValueError('when 1d, distances must match the length of the '
                                     'corresponding dimension')
                if distances.dtype.kind in 'iub':
                    distances = distances.astype(numpy.float64)
                diffx = diff(distances)
                # uniform coordinates: the scalar formulas (NumPy does the same)
                if diffx.size and bool((diffx == diffx[0]).all()):
                    diffx = _scalar(diffx[0])
                dx[i] = diffx
            else:
                dx[i] = _scalar(distances)
    else:
        raise TypeError('invalid number of arguments')
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if f.dtype.kind in 'iu':
        f = f.astype(numpy.float64)
    otype = f.dtype
    outvals = []

    def sl(ax, s):
        return _along(N, ax, s)

    for ax, ax_dx in zip(axes, dx):
        if f.shape[ax] < edge_order + 1:
            raise ValueError('Shape of array too small to calculate a numerical gradient, at '
                             'least (edge_order + 1) elements are required.')
        out = _core.empty(f.shape, otype)
        uniform = not isinstance(ax_dx, _ndarray)
        if uniform:
            out[sl(ax, slice(1, -1))] = u.true_divide(
                u.subtract(f[sl(ax, slice(2, None))], f[sl(ax, slice(None, -2))]), 2.0 * ax_dx)
        else:
            dx1 = ax_dx[0:-1]
            dx2 = ax_dx[1:]
            a = -(dx2) / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            shape = [1] * N
            shape[ax] = -1
            a, b, c = a.reshape(shape), b.reshape(shape), c.reshape(shape)
            out[sl(ax, slice(1, -1))] = a * f[sl(ax, slice(None, -2))] + \
                b * f[sl(ax, slice(1, -1))] + c * f[sl(ax, slice(2, None))]
        if edge_order == 1:
            dx_0 = ax_dx if uniform else ax_dx[0]
            out[sl(ax, 0)] = (f[sl(ax, 1)] - f[sl(ax, 0)]) / dx_0
            dx_n = ax_dx if uniform else ax_dx[-1]
            out[sl(ax, -1)] = (f[sl(ax, -1)] - f[sl(ax, -2)]) / dx_n
        else:
            if uniform:
                a, b, c = -1.5 / ax_dx, 2.0 / ax_dx, -0.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[0], ax_dx[1]
                a = -(2. * dx1 + dx2) / (dx1 * (dx1 + dx2))
                b = (dx1 + dx2) / (dx1 * dx2)
                c = - dx1 / (dx2 * (dx1 + dx2))
            out[sl(ax, 0)] = a * f[sl(ax, 0)] + b * f[sl(ax, 1)] + c * f[sl(ax, 2)]
            if uniform:
                a, b, c = 0.5 / ax_dx, -2.0 / ax_dx, 1.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[-2], ax_dx[-1]
                a = (dx2) / (dx1 * (dx1 + dx2))
                b = - (dx2 + dx1) / (dx1 * dx2)
                c = (2. * dx2 + dx1) / (dx2 * (dx1 + dx2))
            out[sl(ax, -1)] = a * f[sl(ax, -3)] + b * f[sl(ax, -2)] + c * f[sl(ax, -1)]
        outvals.append(out)
    if len_axes == 1:
        return outvals[0]
    return tuple(outvals)


def _scalar(x):
    """A spacing given as a scalar (a 0-d device array is read once: it is
    one number of the caller's, not data)."""
    if isinstance(x, _ndarray):
        return x.get()[()]
    return x


def unwrap(p, discont=None, axis=-1, *, period=2 * numpy.pi):
    """Unwrap phases (numpy.unwrap): where consecutive values jump by more
    than max(discont, period/2), shift the rest by multiples of period."""
    from gpuarray import _ufuncs as u
    from gpuarray._scan import cumsum
    p = _as_array(p, 'unwrap')
    nd = p.ndim
    axis = _normalize_axis_index(operator.index(axis), nd)
    dd = diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    dtype = numpy.result_type(dd.dtype, period)
    if numpy.issubdtype(dtype, numpy.integer):
        interval_high, rem = divmod(period, 2)
        boundary_ambiguous = rem == 0
    else:
        interval_high = period / 2
        boundary_ambiguous = True
    interval_low = -interval_high
    ddmod = u.add(u.remainder(u.subtract(dd, interval_low), period), interval_low)
    if boundary_ambiguous:
        ddmod = u.where(u.logical_and(u.equal(ddmod, interval_low), u.greater(dd, 0)),
                        interval_high, ddmod).astype(ddmod.dtype, copy=False)
    ph_correct = u.subtract(ddmod, dd)
    ph_correct = u.where(u.less(u.absolute(dd), discont), 0, ph_correct).astype(
        ph_correct.dtype, copy=False)
    up = p.astype(dtype, copy=True)
    s1 = _along(nd, axis, slice(1, None))
    if up[s1].size:
        up[s1] = u.add(p[s1], cumsum(ph_correct, axis=axis))
    return up


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral along `axis` by the trapezoidal rule (numpy.trapezoid):
    samples `y` at points `x` (or spaced `dx`)."""
    from gpuarray import _ufuncs as u
    from gpuarray import _reduction
    y = _as_array(y, 'trapezoid')
    nd = y.ndim
    axis = _normalize_axis_index(operator.index(axis), nd)
    if x is None:
        d = dx
    else:
        x = _as_array(x, 'trapezoid')
        if x.ndim == 1:
            d = diff(x)
            shape = [1] * nd
            shape[axis] = d.shape[0]
            d = d.reshape(shape)
        else:
            d = diff(x, axis=axis)
    s1 = _along(nd, axis, slice(1, None))
    s2 = _along(nd, axis, slice(None, -1))
    terms = u.true_divide(u.multiply(d, u.add(y[s1], y[s2])), 2.0)
    return _reduction.sum(terms, axis=axis)
