"""gpuarray._ranges - arrays of evenly spaced values and coordinate grids:
``linspace``, ``logspace``, ``geomspace``, ``indices``, ``meshgrid``,
``mgrid``, ``ogrid``, ``fromfunction``.

The sequences follow NumPy's own construction step by step (an arange in
the computation dtype, times the step, plus the start, the end point set
exactly), each step a device kernel, so the values are NumPy's to the bit
wherever the device's float arithmetic is IEEE (float16 computes in float
and rounds once per step, as NumPy's loops do; power, log10 and exp may
differ from NumPy's by an ulp). What depends only on scalar parameters
(the step, the logarithms of scalar end points) is computed with NumPy on
the host, as NumPy computes it. With scalar end points the whole sequence
is one kernel (compiled with --fmad=false, so that i * step + start rounds
twice, as NumPy's two operations do, instead of once as a fused
multiply-add would).
"""

import math
import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray._broadcasting import broadcast_arrays
from gpuarray._manipulation import _device_arrays, moveaxis, reshape

__all__ = ['linspace', 'logspace', 'geomspace', 'indices', 'meshgrid', 'mgrid', 'ogrid',
           'fromfunction', 'iota']

_ndarray = _core.ndarray
_view = _core._view

_kernels = {}


def _kernel(key, make):
    k = _kernels.get(key)
    if k is None:
        k = _kernels[key] = make()
    return k


def iota(n, dtype=numpy.int64):
    """0, 1, ..., n-1 in `dtype`, made on the device (numpy.arange(n) as
    values of dtype: float16 rounds above 2048 as NumPy's does)."""
    dt = numpy.dtype(dtype)
    out = _core.empty((n,), dt)
    if n:
        k = _kernel(('iota', dt.kind == 'c'), lambda: _ew.ElementwiseKernel(
            '', 'T y', 'y = (T)(long long)i' if dt.kind != 'c' else
            'typedef decltype(((T*)0)->re) F; y = T((F)(long long)i, (F)0)', 'ga_iota'))
        k(out)
    return out


# The sequence of scalar end points in one launch: x = i (in the compute
# type), then NumPy's arithmetic for `mode` 0 (x * step), 1 (a zero step
# somewhere: x / div * delta) or 2 (no step: x * delta), plus start, the
# last element stop when endpoint. ROUND rounds to float16 after each
# operation where T is float16 (computed in float, as NumPy's loops).
_LINSPACE = """
const long long k = (long long)i;
C x = XFROM;
C v;
if (mode == 0) {
    v = x * (C)step;
} else if (mode == 1) {
    v = x / DIV;
    ROUND(v);
    v = v * (C)delta;
} else {
    v = x * (C)delta;
}
ROUND(v);
v = v + (C)start;
ROUND(v);
y = (endpoint && k == count - 1) ? stop : (T)v
"""


def _linspace_kernel(dt):
    kind = 'half' if dt == numpy.float16 else 'complex' if dt.kind == 'c' else 'real'

    def make():
        if kind == 'complex':
            head = '#define XFROM C((F)k, (F)0)\n#define DIV C((F)div, (F)0)\n'
            ctypes = 'typedef T C; typedef decltype(((T*)0)->re) F;'
        elif kind == 'half':
            # NumPy's float16 loop divides by div cast to float16 (weak int)
            head = ('#define XFROM ((float)ga_half((float)k))\n'
                    '#define DIV ((float)ga_half((float)div))\n')
            ctypes = 'typedef float C;'
        else:
            head = '#define XFROM ((C)k)\n#define DIV ((C)div)\n'
            ctypes = 'typedef T C;'
        rnd = '#define ROUND(v) v = (float)ga_half(v)\n' if kind == 'half' else \
            '#define ROUND(v) (void)0\n'
        return _ew.ElementwiseKernel(
            'T step, T start, T stop, T delta, int64 div, int64 count, int32 mode, bool endpoint',
            'T y', ctypes + _LINSPACE, 'ga_linspace', preamble=head + rnd,
            options=('--fmad=false',))
    return _kernel(('linspace', kind), make)


def _operand(x):
    """A device array, or a host scalar (Python or NumPy) kept as it is;
    sequences become device arrays."""
    if isinstance(x, _ndarray):
        return x
    if isinstance(x, numpy.ndarray) and x.ndim == 0:
        return x[()]
    if isinstance(x, (bool, int, float, complex, numpy.generic)):
        return x
    return _device_arrays([x], 'linspace')[0]


def _promotion_operand(x):
    """What numpy.result_type takes for x: dtypes for arrays and NumPy
    scalars, the value for Python scalars (weak, as in NumPy 2)."""
    if isinstance(x, (_ndarray, numpy.generic)):
        return x.dtype
    return x


def _in(x, dt):
    """x in dtype dt: a cast device array, or a NumPy scalar."""
    if isinstance(x, _ndarray):
        return x.astype(dt, copy=False)
    return dt.type(x)


def _leading(y, ndim):
    """1-D y as (n, 1, ..., 1) with `ndim` trailing axes (a view)."""
    return _view(y, y.shape + (1,) * ndim, y.strides + (0,) * ndim)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """`num` evenly spaced values from start to stop (stop included unless
    endpoint=False); start and stop may be arrays (the values run along
    `axis`). Computed in float64 for integer input (NumPy's dtype rules);
    retstep=True also returns the step."""
    from gpuarray import _ufuncs
    num = operator.index(num)
    if num < 0:
        raise ValueError('Number of samples, {}, must be non-negative.'.format(num))
    div = (num - 1) if endpoint else num
    start, stop = _operand(start), _operand(stop)
    dt = numpy.result_type(_promotion_operand(start), _promotion_operand(stop))
    if dt.kind not in 'fc':
        dt = numpy.result_type(dt, 1.0)
    integer_dtype = dtype is not None and numpy.issubdtype(dtype, numpy.integer)
    if dtype is None:
        dtype = dt
    start, stop = _in(start, dt), _in(stop, dt)
    on_host = not isinstance(start, _ndarray) and not isinstance(stop, _ndarray)
    if on_host:
        # the step with NumPy's scalar arithmetic, the sequence in one kernel
        with numpy.errstate(all='ignore'):
            delta = stop - start
            step = delta / div if div > 0 else numpy.nan
        mode = 2 if div <= 0 else 1 if step == 0 else 0
        y = _core.empty((num,), dt)
        if num:
            _linspace_kernel(dt)(step if div > 0 else delta, start, stop, delta, div, num,
                                 mode, bool(endpoint and num > 1), y)
    else:
        delta = _ufuncs.subtract(stop, start)
        y = _leading(iota(num, dt), delta.ndim)
        if div > 0:
            step = _ufuncs.true_divide(delta, div)
            # NumPy decides for all elements at once; one value read back
            if bool((step == 0).any()):
                # subnormal steps: divide first (NumPy's gh-5437)
                y = _ufuncs.multiply(_ufuncs.true_divide(y, div), delta)
            else:
                y = _ufuncs.multiply(y, step)
        else:
            step = numpy.nan
            y = _ufuncs.multiply(y, delta)
        y = _ufuncs.add(y, start)
        if endpoint and num > 1:
            y[-1, ...] = stop
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if integer_dtype:
        _ufuncs.floor(y, out=y)
    y = y.astype(dtype, copy=False)
    if retstep:
        return y, step
    return y


def _with_ndmin(x, ndmin):
    if isinstance(x, _ndarray):
        if x.ndim >= ndmin:
            return x
        pad = ndmin - x.ndim
        return _view(x, (1,) * pad + x.shape, (0,) * pad + x.strides)
    h = numpy.array(x, ndmin=ndmin)
    return h[()] if h.ndim == 0 else _core.asarray(h)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """base ** linspace(start, stop, ...): `num` values evenly spaced on a
    log scale (base may be an array, broadcast with start and stop)."""
    from gpuarray import _ufuncs
    from gpuarray._manipulation import expand_dims
    start, stop = _operand(start), _operand(stop)
    base = _operand(base)
    if isinstance(base, _ndarray) and base.ndim:
        ndmax = max(getattr(x, 'ndim', 0) for x in (start, stop, base))
        start, stop, base = (_with_ndmin(x, ndmax) for x in (start, stop, base))
        base = expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    r = _ufuncs.power(base, y)
    return r if dtype is None else r.astype(dtype, copy=False)


def _complex_sign(z):
    """z / |z| (NumPy 2's sign of complex numbers), 0 where z is 0."""
    from gpuarray import _ufuncs
    mag = _ufuncs.absolute(z)
    return _ufuncs.where(mag == 0, z, z / mag)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values from start to stop in geometric progression (both
    nonzero; negative and complex end points rotate onto the positive real
    axis and back, as NumPy's)."""
    from gpuarray import _ufuncs
    start, stop = _operand(start), _operand(stop)
    on_host = not isinstance(start, _ndarray) and not isinstance(stop, _ndarray)
    if on_host:
        hstart, hstop = numpy.asanyarray(start), numpy.asanyarray(stop)
        if numpy.any(hstart == 0) or numpy.any(hstop == 0):
            raise ValueError('Geometric sequence cannot include zero')
        dt = numpy.result_type(hstart, hstop, float(num), numpy.zeros((), dtype))
        dtype = dt if dtype is None else numpy.dtype(dtype)
        with numpy.errstate(all='ignore'):
            hstart, hstop = hstart.astype(dt), hstop.astype(dt)
            out_sign = numpy.sign(hstart)
            hstart = hstart / out_sign
            hstop = hstop / out_sign
            log_start, log_stop = numpy.log10(hstart), numpy.log10(hstop)
        start, stop = hstart[()], hstop[()]
        log_start, log_stop = log_start[()], log_stop[()]
        out_sign = out_sign[()]
    else:
        start, stop = (x if isinstance(x, _ndarray) else _core.asarray(numpy.asarray(x))
                       for x in (start, stop))
        if bool((start == 0).any()) or bool((stop == 0).any()):
            raise ValueError('Geometric sequence cannot include zero')
        dt = numpy.result_type(start.dtype, stop.dtype, float(num), numpy.zeros((), dtype))
        dtype = dt if dtype is None else numpy.dtype(dtype)
        start, stop = start.astype(dt), stop.astype(dt)
        out_sign = _complex_sign(start) if dt.kind == 'c' else _ufuncs.sign(start)
        start = _ufuncs.true_divide(start, out_sign)
        stop = _ufuncs.true_divide(stop, out_sign)
        log_start, log_stop = _ufuncs.log10(start), _ufuncs.log10(stop)
    result = logspace(log_start, log_stop, num=num, endpoint=endpoint, base=10.0, dtype=dt)
    # the end points exactly (10 ** log10(x) need not be x)
    if num > 0:
        result[0] = start
        if num > 1 and endpoint:
            result[-1] = stop
    result = _ufuncs.multiply(result, out_sign)
    if result.dtype != dt:
        result = result.astype(dt)
    if axis != 0:
        result = moveaxis(result, 0, axis)
    return result.astype(dtype, copy=False)


def indices(dimensions, dtype=int, sparse=False):
    """The index grid of shape `dimensions`: an array (len(dimensions),
    *dimensions) whose k-th sub-array varies along axis k; sparse=True
    gives the broadcastable 1-per-axis arrays instead."""
    dimensions = tuple(operator.index(d) for d in dimensions)
    n = len(dimensions)
    dt = numpy.dtype(dtype)
    res = () if sparse else _core.empty((n,) + dimensions, dtype=dt)
    for i, dim in enumerate(dimensions):
        idx = reshape(iota(dim, dt), (1,) * i + (dim,) + (1,) * (n - i - 1))
        if sparse:
            res = res + (idx,)
        elif res.size:
            res[i] = idx
    return res


def fromfunction(function, shape, *, dtype=float, like=None, **kwargs):
    """function(*indices(shape, dtype), **kwargs): the function is called
    once, with device arrays of coordinates."""
    return function(*indices(shape, dtype=dtype), **kwargs)


def meshgrid(*xi, copy=True, sparse=False, indexing='xy'):
    """Coordinate arrays from 1-D coordinate vectors (indexing 'xy': the
    first two axes swapped, as for plotting; 'ij': matrix order); a tuple.
    sparse=True keeps them broadcastable, copy=False returns views."""
    if indexing not in ('xy', 'ij'):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    arrays = _device_arrays(xi, 'meshgrid')
    ndim = len(arrays)
    s0 = (1,) * ndim
    output = [reshape(x, s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(arrays)]
    if indexing == 'xy' and ndim > 1:
        output[0] = reshape(output[0], (1, -1) + s0[2:])
        output[1] = reshape(output[1], (-1, 1) + s0[2:])
    if not sparse:
        output = broadcast_arrays(*output)
    if copy:
        output = [x.copy() for x in output]
    return tuple(output)


class _Grid:
    """mgrid and ogrid: ``grid[start:stop:step, ...]``; a complex step
    (``5j``) is a number of points, stop included (NumPy's nd_grid)."""

    def __init__(self, sparse):
        self.sparse = sparse

    def __getitem__(self, key):
        from gpuarray import _ufuncs
        if not isinstance(key, tuple):
            return self._one(key)
        size, num_list = [], [0]
        for k in key:
            start = 0 if k.start is None else k.start
            step = 1 if k.step is None else k.step
            if isinstance(step, (complex, numpy.complexfloating)):
                step = abs(step)
                size.append(int(step))
            else:
                size.append(math.ceil((k.stop - start) / step))
            num_list += [start, k.stop, step]
        typ = numpy.result_type(*num_list)
        if self.sparse:
            nn = [iota(s, typ) for s in size]
        else:
            nn = indices(size, typ)
        for i, k in enumerate(key):
            start = 0 if k.start is None else k.start
            step = 1 if k.step is None else k.step
            if isinstance(step, (complex, numpy.complexfloating)):
                step = int(abs(step))
                if step != 1:
                    step = (k.stop - start) / float(step - 1)
            v = _ufuncs.add(_ufuncs.multiply(nn[i], step), start)
            if self.sparse:
                nn[i] = v
            elif v.size:
                nn[i] = v
        if self.sparse:
            n = len(size)
            return tuple(reshape(x, (1,) * i + (-1,) + (1,) * (n - i - 1))
                         for i, x in enumerate(nn))
        return nn

    @staticmethod
    def _one(key):
        from gpuarray import _ufuncs
        start = 0 if key.start is None else key.start
        step = key.step
        if isinstance(step, (complex, numpy.complexfloating)):
            step_float = abs(step)
            step = length = int(step_float)
            if step != 1:
                step = (key.stop - start) / float(step - 1)
            typ = numpy.result_type(start, key.stop, step_float)
            return _ufuncs.add(_ufuncs.multiply(iota(length, typ), step),
                               start)
        return _core.arange(start, key.stop, step)

    def __len__(self):
        return 0


#: ``mgrid[0:3, 0:4]``: the dense grid (an array of shape (2, 3, 4)).
mgrid = _Grid(sparse=False)
#: ``ogrid[0:3, 0:4]``: the open grid (a tuple of broadcastable arrays).
ogrid = _Grid(sparse=True)
