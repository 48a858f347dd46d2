"""gpuarray._taking - elements selected or placed by index: ``take``,
``take_along_axis``, ``put``, ``put_along_axis``, ``choose``,
``compress``, ``delete``, ``insert``.

Reads are device gathers (``gpuarray._gather``: the selected axis reads
through a table of byte offsets, the other axes by their strides, so the
source is never made contiguous first); writes are the device scatter of
advanced indexing (``gpuarray._indexing``). Indices held on the host
(lists, NumPy arrays, slices) become offset tables here with NumPy; indices
in device arrays are checked and normalized on the device. ``mode`` is
NumPy's: 'raise' raises IndexError for an index out of range (the check
reads the indices' minimum and maximum back: an exception has to be raised
before the call returns), 'wrap' wraps, 'clip' clips.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _gather
from gpuarray import _indexing
from gpuarray._ranges import iota
from gpuarray._manipulation import _axis, _device_arrays, moveaxis, ravel, reshape

__all__ = ['take', 'take_along_axis', 'put', 'put_along_axis', 'choose', 'compress', 'delete',
           'insert']

_ndarray = _core.ndarray
_asarray = _core.asarray
_empty = _core.empty
_view = _core._view
_INT64 = numpy.dtype(numpy.int64)


def _one(x, fname):
    return _device_arrays([x], fname)[0]


def _check_mode(mode):
    if mode not in ('raise', 'wrap', 'clip'):
        raise ValueError("clipmode must be one of 'clip', 'raise', or 'wrap' (got {!r})".format(
            mode))


def _cast_error(src, dst, rule):
    return TypeError("Cannot cast array data from dtype({!r}) to dtype({!r}) according to the "
                     "rule '{}'".format(str(src), str(dst), rule))


def _index_array(indices, rule='same_kind'):
    """Indices as a device array of an integer kind or a NumPy int64 array
    (host-made), with NumPy's conversion: Python sequences are converted to
    integers, arrays must cast to intp under `rule`."""
    if isinstance(indices, _ndarray):
        if indices.dtype.kind == 'b' or numpy.can_cast(indices.dtype, _INT64, rule):
            return indices
        raise _cast_error(indices.dtype, _INT64, rule)
    if isinstance(indices, numpy.ndarray):
        if not numpy.can_cast(indices.dtype, _INT64, rule):
            raise _cast_error(indices.dtype, _INT64, rule)
        return indices.astype(numpy.int64)
    h = numpy.asarray(indices)
    if h.dtype.kind == 'c':
        raise TypeError("int() argument must be a string, a bytes-like object or a real number, "
                        "not 'complex'")
    if h.dtype.kind not in 'biuf':
        raise _cast_error(h.dtype, _INT64, rule)
    return h.astype(numpy.int64)


def _host_positions(ind, n, mode, axis):
    """Host int64 `ind` with every index in [0, n) according to `mode`;
    IndexError (NumPy's message) where 'raise' finds one outside [-n, n)."""
    if mode == 'raise':
        if ind.size:
            hi, lo = int(ind.max()), int(ind.min())
            if hi >= n or lo < -n:
                raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                    hi if hi >= n else lo, axis, n))
        return numpy.where(ind < 0, ind + n, ind)
    if mode == 'wrap':
        return numpy.mod(ind, n)
    return numpy.clip(ind, 0, n - 1)


# index -> stride * (the index in [0, n) that `mode` makes of it), and for
# 'raise' whether it was outside [-n, n); unsigned and bool indices are
# compared as unsigned (a huge uint64 is out of range, not negative)
_POSITION_BODIES = {
    ('raise', 'i'): 'const long long v = (long long)ind; bad = v < -size || v >= size;'
                    'off = (bad ? 0 : (v < 0 ? v + size : v)) * stride',
    ('raise', 'u'): 'const unsigned long long v = (unsigned long long)ind;'
                    'bad = v >= (unsigned long long)size; off = (bad ? 0 : (long long)v) * stride',
    ('wrap', 'i'): 'long long v = (long long)ind % size; if (v < 0) v += size; off = v * stride',
    ('wrap', 'u'): 'off = (long long)((unsigned long long)ind % (unsigned long long)size) * stride',
    ('clip', 'i'): 'const long long v = (long long)ind;'
                   'off = (v < 0 ? 0 : v >= size ? size - 1 : v) * stride',
    ('clip', 'u'): 'const unsigned long long v = (unsigned long long)ind;'
                   'off = (v >= (unsigned long long)size ? size - 1 : (long long)v) * stride',
}
_position_kernels = {}


def _device_positions(ind, n, mode, axis, stride=1):
    """Device indices `ind` (any shape, strides and integer or bool dtype)
    as a new C-contiguous int64 array of stride * position, positions in
    [0, n) by `mode`, in one kernel; for 'raise' one flag per index, and a
    single value (whether any is set) read back to raise IndexError."""
    kind = 'i' if ind.dtype.kind == 'i' else 'u'
    key = (mode, kind)
    k = _position_kernels.get(key)
    if k is None:
        outs = 'int64 off, bool bad' if mode == 'raise' else 'int64 off'
        k = _position_kernels[key] = _ew.ElementwiseKernel(
            'I ind, int64 size, int64 stride', outs, _POSITION_BODIES[key],
            'ga_take_{}_{}'.format(mode, kind))
    off = _empty(ind.shape, numpy.int64)
    if ind.size == 0:
        return off
    if mode == 'raise':
        bad = _empty(ind.shape, numpy.bool_)
        k(ind, n, stride, off, bad)
        if bool(bad.any()):
            # the error path only: NumPy's message names an offending index
            _indexing._check_bounds(ind.astype(numpy.int64), n, axis)
    else:
        k(ind, n, stride, off)
    return off


def _offsets_axis(ind, n, mode, axis, stride):
    """A gather axis reading at the indices `ind` (host or device, any
    shape) made valid by `mode`."""
    if isinstance(ind, numpy.ndarray):
        return _gather.host_table(_host_positions(ind, n, mode, axis).reshape(-1) * stride)
    return _gather.table(reshape(_device_positions(ind, n, mode, axis, stride), (-1,)))


def _gather_along(x, ax, ind, order='C', mode='raise'):
    """x with axis `ax` replaced by the elements at the indices `ind` (host
    or device, made valid by `mode`; their shape goes where the axis was)."""
    maps = [_gather.identity(s, st) for s, st in zip(x.shape, x.strides)]
    maps[ax] = _offsets_axis(ind, x.shape[ax], mode, ax, x.strides[ax])
    out = _gather.gather(x, maps, order=order)
    shape = x.shape[:ax] + tuple(ind.shape) + x.shape[ax + 1:]
    return out if out.shape == shape else reshape(out, shape)


def _into_out(result, out, a_dtype, fname):
    if out is None:
        return result
    if not isinstance(out, _ndarray):
        raise TypeError('{}: out must be a gpuarray.ndarray'.format(fname))
    if out.shape != result.shape:
        raise ValueError('output array does not match result of ndarray.take')
    if not numpy.can_cast(out.dtype, a_dtype, 'safe'):
        raise _cast_error(out.dtype, a_dtype, 'safe')
    if out.size:
        _ew.copy_into(result, out)
    return out


def _axis_of(x, axis):
    """(array, axis) with NumPy's take/compress rule: axis None flattens,
    a 0-d array counts as 1-D."""
    if axis is None:
        return ravel(x), 0
    if x.ndim == 0:
        return reshape(x, (1,)), _axis(axis, 1)
    return x, _axis(axis, x.ndim)


# -------------------------------------------------------------------- take

def take(a, indices, axis=None, out=None, mode='raise'):
    """Elements of `a` at `indices` along `axis` (None: of the flattened
    array); the indices' shape replaces the axis. mode 'raise' (IndexError
    outside [-n, n)), 'wrap' or 'clip'."""
    _check_mode(mode)
    x, ax = _axis_of(_one(a, 'take'), axis)
    ind = _index_array(indices)
    n = x.shape[ax]
    if n == 0 and ind.size:
        raise IndexError('cannot do a non-empty take from an empty axes.')
    return _into_out(_gather_along(x, ax, ind, mode=mode), out, x.dtype, 'take')


def compress(condition, a, axis=None, out=None):
    """The slices of `a` along `axis` (None: elements of the flattened
    array) where 1-D `condition` is true; a condition longer than the axis
    must be false beyond it (IndexError)."""
    x, ax = _axis_of(_one(a, 'compress'), axis)
    n = x.shape[ax]
    if isinstance(condition, _ndarray):
        if condition.ndim != 1:
            raise ValueError('condition must be a 1-d array')
        mask = condition if condition.dtype.kind == 'b' else condition != 0
        ind = _indexing.nonzero_flat(mask)
        # positions past the axis can only come from a longer condition
        mode = 'raise' if condition.size > n else 'clip'
    else:
        c = numpy.asarray(condition)
        if c.ndim != 1:
            raise ValueError('condition must be a 1-d array')
        ind = numpy.flatnonzero(c).astype(numpy.int64)
        if ind.size and ind[-1] >= n:
            raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                int(ind[-1]), ax, n))
        mode = 'clip'
    return _into_out(_gather_along(x, ax, ind, mode=mode), out, x.dtype, 'compress')


def _along_axis_index(shape, indices, axis):
    """NumPy's fancy index for take/put_along_axis: `indices` on `axis`,
    broadcast aranges on the others (device int64 arrays)."""
    if indices.dtype.kind not in 'iu':
        raise IndexError('`indices` must be an integer array')
    if len(shape) != indices.ndim:
        raise ValueError('`indices` and `arr` must have the same number of dimensions')
    key = []
    for d, n in enumerate(shape):
        if d == axis:
            key.append(indices)
        else:
            r = iota(n)
            key.append(_view(r, (1,) * d + (n,) + (1,) * (len(shape) - d - 1),
                             (0,) * d + (8,) + (0,) * (len(shape) - d - 1)))
    return tuple(key)


def take_along_axis(arr, indices, axis=-1):
    """arr's elements picked along `axis` by `indices` (same number of
    dimensions; the other axes broadcast), as after argsort. axis None: of
    the flattened array, with 1-D indices."""
    x = _one(arr, 'take_along_axis')
    ind = _one(indices, 'take_along_axis')
    if axis is None:
        if ind.ndim != 1:
            raise ValueError('when axis=None, `indices` must have a single dimension.')
        x = ravel(x)
        ax = 0
    else:
        ax = _axis(axis, x.ndim)
    return x[_along_axis_index(x.shape, ind, ax)]


def _flat_target(a):
    """(a contiguous 1-D C-order view of a, or a copy to write back, and
    whether it is a copy). ravel is not enough: it may give a strided view."""
    if a.flags.c_contiguous:
        return reshape(a, (-1,)), False
    return reshape(a.copy(order='C'), (-1,)), True


def put_along_axis(arr, indices, values, axis):
    """arr[...] = values at the positions take_along_axis would read (in place)."""
    if not isinstance(arr, _ndarray):
        raise TypeError('put_along_axis: arr must be a gpuarray.ndarray')
    ind = _one(indices, 'put_along_axis')
    if axis is None:
        if ind.ndim != 1:
            raise ValueError('when axis=None, `indices` must have a single dimension.')
        target, copied = _flat_target(arr)
        target[_along_axis_index(target.shape, ind, 0)] = values
        if copied:
            _ew.copy_into(reshape(target, arr.shape), arr)
        return None
    ax = _axis(axis, arr.ndim)
    arr[_along_axis_index(arr.shape, ind, ax)] = values
    return None


# --------------------------------------------------------------------- put

def put(a, ind, v, mode='raise'):
    """a.flat[ind] = v in place, `v` repeated as needed (with repeated
    indices, one of the writes wins). mode 'raise', 'wrap' or 'clip'."""
    if not isinstance(a, _ndarray):
        raise TypeError('argument 1 must be gpuarray.ndarray, not {}'.format(type(a)))
    _check_mode(mode)
    index = _index_array(ind)
    if isinstance(v, _ndarray):
        vals = ravel(v)
    else:
        vals = _asarray(numpy.asarray(v).astype(a.dtype).reshape(-1))
    if vals.size == 0 or index.size == 0:
        return None
    n = a.size
    if n == 0:
        raise IndexError('cannot replace elements of an empty array')
    if isinstance(index, numpy.ndarray):
        flat = _asarray(_host_positions(index, n, mode, 0).reshape(-1))
    else:
        flat = reshape(_device_positions(index, n, mode, 0), (-1,))
    m = flat.size
    # v's elements cycled to one per index, cast to a's dtype
    cycled = _gather.gather(vals, [_gather.cyclic(m, vals.size, vals.strides[0])])
    if cycled.dtype != a.dtype:
        cycled = cycled.astype(a.dtype)
    target, copied = _flat_target(a)
    _indexing._scatter_kernel()(cycled, flat, m, n, 1, target)
    if copied:
        _ew.copy_into(reshape(target, a.shape), a)
    return None


# ------------------------------------------------------------------ choose

_choose_kernel = None


def _chooser():
    global _choose_kernel
    if _choose_kernel is None:
        # k and out are C-contiguous of one shape: i is the flat index of
        # both, and choice k's element i is at k * size + i
        _choose_kernel = _ew.ElementwiseKernel(
            'int64 k, raw T c, int64 size', 'T out', 'out = c[k * size + (long long)i]',
            'ga_choose')
    return _choose_kernel


def choose(a, choices, out=None, mode='raise'):
    """out[i] = choices[a[i]][i], `a` and the choices broadcast together.
    mode 'raise' (ValueError for an entry outside [0, n)), 'wrap' or 'clip'."""
    _check_mode(mode)
    idx = _one(a, 'choose')
    if isinstance(choices, _ndarray):
        choices = list(choices) if choices.ndim else [choices]
    choices = _device_arrays(list(choices), 'choose')
    if not choices:
        raise ValueError('0-length sequence.')
    if idx.dtype.kind != 'b' and not numpy.can_cast(idx.dtype, _INT64, 'safe'):
        raise _cast_error(idx.dtype, _INT64, 'safe')
    n = len(choices)
    dt = numpy.result_type(*[c.dtype for c in choices])
    shape = _ew.broadcast_shapes([idx.shape] + [c.shape for c in choices])
    k = _empty(shape, numpy.int64)
    if k.size:
        _ew.copy_into(idx, k)
    from gpuarray import _reduction, _ufuncs
    if mode == 'raise':
        if k.size and (int(_reduction.amin(k)) < 0 or int(_reduction.amax(k)) >= n):
            raise ValueError('invalid entry in choice array')
    elif mode == 'wrap':
        k = _ufuncs.remainder(k, n)
    else:
        k = _ufuncs.clip(k, 0, n - 1)
    size = _ew.size_of(shape)
    stacked = _empty((n,) + shape, dt)
    for j, c in enumerate(choices):
        if size:
            _ew.copy_into(c, stacked[j])
    result = _empty(shape, dt)
    if size:
        _chooser()(k, stacked, size, result)
    if out is None:
        return result
    if not isinstance(out, _ndarray):
        raise TypeError('choose: out must be a gpuarray.ndarray')
    if out.shape != shape:
        raise ValueError('choose: invalid shape for output array.')
    if size:
        _ew.copy_into(result, out)
    return out


# ---------------------------------------------------------- delete, insert

def _order_of(arr):
    return 'F' if arr.flags.f_contiguous and not arr.flags.c_contiguous else 'C'


def _delete_axis(arr, axis):
    if axis is None:
        return (ravel(arr) if arr.ndim != 1 else arr), 0
    return arr, _axis(axis, arr.ndim)


def delete(arr, obj, axis=None):
    """A new array without the sub-arrays along `axis` (None: elements of
    the flattened array) that `obj` names: an int, a slice, a sequence of
    ints, or a boolean mask of the axis's length (host or device)."""
    x = _one(arr, 'delete')
    order = _order_of(x)
    x, ax = _delete_axis(x, axis)
    n = x.shape[ax]
    if isinstance(obj, _ndarray) and obj.size == 1 and obj.dtype.kind in 'ui':
        obj = int(obj.reshape(()).get())      # NumPy's single-value path
    if isinstance(obj, _ndarray):
        if obj.dtype.kind == 'b':
            if obj.shape != (n,):
                raise ValueError('boolean array argument obj to delete must be one dimensional '
                                 'and match the axis length of {}'.format(n))
            from gpuarray import _ufuncs
            keep = _ufuncs.logical_not(obj)
        else:
            if obj.dtype.kind not in 'iu':
                raise IndexError('arrays used as indices must be of integer (or boolean) type')
            keep = _core.ones((n,), dtype=numpy.bool_)
            keep[obj] = False
        kept = _indexing.nonzero_flat(keep)
    elif isinstance(obj, (int, numpy.integer)) and not isinstance(obj, (bool, numpy.bool_)):
        i = operator.index(obj)
        if i < -n or i >= n:
            raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                i, ax, n))
        kept = numpy.delete(numpy.arange(n, dtype=numpy.int64), i)
    else:
        # NumPy's own deletion of the positions (its checks and messages)
        kept = numpy.delete(numpy.arange(n, dtype=numpy.int64), obj)
    return _gather_along(x, ax, kept, order=order, mode='clip')   # kept is in range


def _host_values(values, dtype):
    return _asarray(numpy.array(values, dtype=dtype))


def insert(arr, obj, values, axis=None):
    """A new array with `values` inserted along `axis` (None: into the
    flattened array) before the position(s) `obj` (an int, a slice or a
    sequence of ints), NumPy's rules. An `obj` in a device array is read
    back: the positions decide the result's layout."""
    x = _one(arr, 'insert')
    order = _order_of(x)
    x, ax = _delete_axis(x, axis)
    nd = x.ndim
    n = x.shape[ax]
    if isinstance(obj, _ndarray):
        obj = obj.get()
    if isinstance(obj, slice):
        indices = numpy.arange(*obj.indices(n), dtype=numpy.intp)
    else:
        indices = numpy.array(obj)
        if indices.dtype == bool:
            if indices.ndim != 1:
                raise ValueError('boolean array argument obj to insert must be one dimensional')
            indices = numpy.flatnonzero(indices)
        elif indices.ndim > 1:
            raise ValueError('index array argument obj to insert must be one dimensional or '
                             'scalar')
    lead = (slice(None),) * ax
    if indices.size == 1:
        index = operator.index(indices.item())
        if index < -n or index > n:
            raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                obj, ax, n))
        if index < 0:
            index += n
        if isinstance(values, _ndarray):
            vals = values.astype(x.dtype, copy=False)
            if vals.ndim < nd:
                vals = _view(vals, (1,) * (nd - vals.ndim) + vals.shape,
                             (0,) * (nd - vals.ndim) + vals.strides)
        else:
            vals = _asarray(numpy.array(values, dtype=x.dtype, ndmin=nd))
        if indices.ndim == 0:
            vals = moveaxis(vals, 0, ax)
        numnew = vals.shape[ax]
        shape = list(x.shape)
        shape[ax] += numnew
        new = _empty(tuple(shape), x.dtype, order=order)
        new[lead + (slice(None, index),)] = x[lead + (slice(None, index),)]
        new[lead + (slice(index, index + numnew),)] = vals
        new[lead + (slice(index + numnew, None),)] = x[lead + (slice(index, None),)]
        return new
    if indices.size == 0 and not isinstance(obj, numpy.ndarray):
        indices = indices.astype(numpy.intp)
    if indices.dtype.kind not in 'iu':
        raise IndexError('arrays used as indices must be of integer (or boolean) type')
    indices = indices.astype(numpy.intp)
    indices[indices < 0] += n
    numnew = len(indices)
    order_ = indices.argsort(kind='mergesort')
    indices[order_] += numpy.arange(numnew)
    shape = list(x.shape)
    shape[ax] += numnew
    old_mask = numpy.ones(shape[ax], dtype=bool)
    old_mask[indices] = False        # NumPy's IndexError for a position past the end
    new = _empty(tuple(shape), x.dtype, order=order)
    vals = values if isinstance(values, _ndarray) else _host_values(values, x.dtype)
    if numnew:
        new[lead + (_asarray(indices.astype(numpy.int64)),)] = vals
    old = numpy.flatnonzero(old_mask).astype(numpy.int64)
    if old.size and x.size:
        new[lead + (_asarray(old),)] = x
    return new
