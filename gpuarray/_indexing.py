"""gpuarray._indexing - what indexing needs kernels for, over the elementwise layer.

The C type (csrc/python/ndarray_index.c) turns basic keys (ints, slices, ``...``,
``None``) into views itself and copies contiguous data with one call; it
calls the functions here for the rest:

- strided writes: ``fill`` and ``set`` of non-contiguous views, ``a[k] = v``
  with casting or broadcasting, copies and casts of views (``_fill``,
  ``_set_strided``, ``_assign``, ``_copy_into``): one elementwise copy kernel
  (``gpuarray._elementwise.copy_into``) with an N-d strided indexer;
- advanced indexing (``_getitem``, ``_setitem``): integer index arrays and
  boolean masks, NumPy's rules. Masks become flat indices on the device (a
  scan, then a compaction); only the count comes back to the host. The
  gather and the scatter run on the device.
"""

import numpy

from gpuarray import _capture
from gpuarray import _core
from gpuarray import _elementwise as _ew

_ndarray = _core.ndarray
_empty = _core.empty
_asarray = _core.asarray
_view = _core._view

_ADV_MSG = ('only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer '
            'or boolean arrays are valid indices')


# ------------------------------------------------------------- strided copies

def _copy_into(src, dst):
    """dst[...] = src on the device (cast, broadcast, any strides)."""
    if dst.size:
        _ew.copy_into(src, dst)


def _fill(dst, value):
    """dst.fill(value) for a non-contiguous dst."""
    if isinstance(value, _ndarray):
        if value.size != 1:
            raise ValueError('fill: the value must be a scalar, not an array of size {}'.format(
                value.size))
        src = value.reshape(())
    else:
        src = _asarray(numpy.asarray(value, dtype=dst.dtype).reshape(()))
    _copy_into(src, dst)


def _set_strided(dst, host, stream=None):
    """dst.set(host) for a non-contiguous dst: upload, then copy on the device."""
    if stream is not None:
        with stream:
            _copy_into(_asarray(host), dst)
    else:
        _copy_into(_asarray(host), dst)


def _broadcast_value(src_shape, dst_shape):
    """The shape `src_shape` takes to be written into `dst_shape` (NumPy's
    assignment: leading length-1 dimensions dropped, then broadcast), or
    ValueError with NumPy's message."""
    s = tuple(src_shape)
    while len(s) > len(dst_shape) and s[0] == 1:
        s = s[1:]
    ok = len(s) <= len(dst_shape)
    if ok:
        for a, b in zip(reversed(s), reversed(dst_shape)):
            if a != b and a != 1:
                ok = False
                break
    if not ok:
        raise ValueError('could not broadcast input array from shape {} into shape {}'.format(
            _ew.shape_text(tuple(src_shape)), _ew.shape_text(tuple(dst_shape))))
    return s


def _assign(dst, value):
    """dst[...] = value: a device array or anything NumPy makes an array of,
    cast to dst's dtype and broadcast to its shape."""
    if not isinstance(value, _ndarray):
        value = _asarray(numpy.asarray(value, dtype=dst.dtype))
    s = _broadcast_value(value.shape, dst.shape)
    if s != value.shape:
        value = value.reshape(s)
    _copy_into(value, dst)


# -------------------------------------------------------- advanced indexing

_kernels = {}


def _kernel(name, in_params, out_params, op):
    k = _kernels.get(name)
    if k is None:
        k = _ew.ElementwiseKernel(in_params, out_params, op, name)
        _kernels[name] = k
    return k


def _gather_kernel():
    # out[o, b, r] = src[o, idx[b], r] over contiguous (O, P, R) src
    return _kernel('ga_gather', 'raw T src, raw int64 idx, int64 nb, int64 p, int64 r', 'T out',
                   'const long long nbr = nb * r;'
                   'const long long o = (long long)i / nbr;'
                   'const long long rem = (long long)i - o * nbr;'
                   'const long long b = rem / r;'
                   'out = src[(o * p + idx[b]) * r + (rem - b * r)]')


def _scatter_kernel():
    # dst[o, idx[b], r] = v[o, b, r] over contiguous (O, P, R) dst
    return _kernel('ga_scatter', 'T v, raw int64 idx, int64 nb, int64 p, int64 r', 'raw T dst',
                   'const long long nbr = nb * r;'
                   'const long long o = (long long)i / nbr;'
                   'const long long rem = (long long)i - o * nbr;'
                   'const long long b = rem / r;'
                   'dst[(o * p + idx[b]) * r + (rem - b * r)] = v')


def _mask_positions_kernel():
    # the flat index of every true element, at its rank among the true ones
    return _kernel('ga_compact', 'bool m, int64 rank', 'raw int64 out',
                   'if (m) out[rank - 1] = (long long)i')


def _cumsum_int64(x):
    """Inclusive prefix sum of 1-D contiguous int64 `x` (a new array), by
    the single-pass scan of gpuarray.cumsum (kernels/scan.cuh): one read
    and one write of the data, where the log2(n) elementwise passes this
    used to take cost 26 full passes at 64M elements."""
    from gpuarray import _scan
    return _scan.cumsum(x)


def _contiguous(a):
    return a if a.flags.c_contiguous else a.copy(order='C')


def nonzero_flat(mask):
    """Flat (C order) indices of the true elements of device bool array
    `mask`, as a new int64 device array. The count is the one value read
    back to the host."""
    _capture.refuse_while_capturing('nonzero (or indexing with a boolean mask)')
    m = _contiguous(mask).reshape(-1)
    n = m.size
    if n == 0:
        return _empty((0,), numpy.int64)
    rank = _cumsum_int64(m.astype(numpy.int64))
    count = int(rank[n - 1])
    out = _empty((count,), numpy.int64)
    if count:
        _mask_positions_kernel()(m, rank, out)
    return out


def _unravel(flat, shape):
    """Per-dimension index arrays of flat C-order indices into `shape`."""
    from gpuarray import _ufuncs
    out = []
    stride = 1
    strides = []
    for d in reversed(shape):
        strides.append(stride)
        stride *= d
    strides.reverse()
    for d, st in zip(shape, strides):
        q = _ufuncs.floor_divide(flat, st) if st != 1 else flat
        out.append(_ufuncs.remainder(q, d) if d != 0 else q)
    return out


def _is_bool_dtype(dt):
    return dt.kind == 'b'


def _check_bounds(idx, size, axis):
    """IndexError with NumPy's message when any of device int array `idx`
    is outside [-size, size)."""
    if idx.size == 0:
        return
    from gpuarray import _reduction
    lo = int(_reduction.amin(idx))
    hi = int(_reduction.amax(idx))
    if hi >= size:
        raise IndexError('index {} is out of bounds for axis {} with size {}'.format(hi, axis, size))
    if lo < -size:
        raise IndexError('index {} is out of bounds for axis {} with size {}'.format(lo, axis, size))


def _normalize(idx, size):
    """idx with negative entries wrapped (a new array when any may be)."""
    if idx.dtype.kind == 'u' or idx.size == 0:
        return idx
    from gpuarray import _ufuncs
    return _ufuncs.where(_ufuncs.less(idx, 0), _ufuncs.add(idx, size), idx)


def _as_index_array(k):
    """A key entry that is an array (device, NumPy, list, bool): a device
    array (int64 or bool), or a NumPy one for host-made keys."""
    if isinstance(k, _ndarray):
        if k.dtype.kind not in 'biu':
            raise IndexError('arrays used as indices must be of integer (or boolean) type')
        return k
    h = numpy.asarray(k)
    if h.dtype.kind not in 'biu':
        if h.size == 0 and h.dtype.kind == 'f':
            h = h.astype(numpy.intp)      # [] indexes nothing, as in NumPy
        else:
            raise IndexError(_ADV_MSG)
    return h


def _expand_key(a, key):
    """NumPy's reading of `key` against `a`: a list of entries, each a
    slice, None, or ('adv', device int64 array); masks become their
    per-dimension index arrays; ints become 0-d index arrays when any
    array is present. Returns (entries, positions of advanced entries)."""
    if not isinstance(key, tuple):
        key = (key,)
    entries = []
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice):
            entries.append(k)
        elif isinstance(k, (bool, numpy.bool_)):
            entries.append(('bool', bool(k)))
        elif isinstance(k, (_ndarray, numpy.ndarray, list, tuple)):
            entries.append(('arr', _as_index_array(k)))
        elif hasattr(k, '__index__') and not isinstance(k, (float, numpy.floating)):
            entries.append(('int', k.__index__()))
        else:
            raise IndexError(_ADV_MSG)
    # how many dimensions each entry consumes
    if sum(1 for e in entries if e is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = 0
    for e in entries:
        if isinstance(e, tuple):
            if e[0] == 'arr':
                used += e[1].ndim if _is_bool_dtype(e[1].dtype) else 1
            elif e[0] == 'int':
                used += 1
        elif isinstance(e, slice):
            used += 1
    if used > a.ndim:
        raise IndexError('too many indices for array: array is {}-dimensional, but {} were '
                         'indexed'.format(a.ndim, used))
    out = []
    dim = 0
    for e in entries:
        if e is Ellipsis:
            for _ in range(a.ndim - used):
                out.append(slice(None))
                dim += 1
            continue
        if e is None:
            out.append(None)
            continue
        if isinstance(e, slice):
            out.append(e)
            dim += 1
            continue
        kind, v = e
        if kind == 'int':
            out.append(('int', v, dim))
            dim += 1
        elif kind == 'bool':
            out.append(('bool', v, dim))
        elif _is_bool_dtype(v.dtype):
            mshape = tuple(v.shape)
            for j, n in enumerate(mshape):
                if a.shape[dim + j] != n:
                    raise IndexError('boolean index did not match indexed array along axis {}; '
                                     'size of axis is {} but size of corresponding boolean axis '
                                     'is {}'.format(dim + j, a.shape[dim + j], n))
            if v.ndim == 0:
                out.append(('bool', bool(v.item() if isinstance(v, _ndarray) else v), dim))
                continue
            flat = nonzero_flat(v if isinstance(v, _ndarray) else _asarray(v))
            for j, ix in enumerate(_unravel(flat, mshape)):
                out.append(('idx', ix, dim + j, True))
            dim += v.ndim
        else:
            out.append(('idx', v, dim, False))
            dim += 1
    while dim < a.ndim:
        out.append(slice(None))
        dim += 1
    return out


def _prepare(a, key):
    """Split an advanced key into (view, axes, index arrays, adjacent):
    `view` is `a` after the basic part of the key (index positions kept
    whole), `axes` the view's axes the index arrays (device int64, bounds
    checked, negatives wrapped, broadcast together) select along, and
    `adjacent` NumPy's rule for where the result's index dimensions go.
    Without index arrays (ints and Python bools only) axes is None and
    the view is what the key selects."""
    entries = _expand_key(a, key)
    has_arrays = any(isinstance(e, tuple) and e[0] == 'idx' for e in entries)
    if not has_arrays:
        # ints, slices and Python bools (a 0-d mask: a new axis of length
        # 1 for True, 0 for False): a view, then a copy, as NumPy's
        basic, empties, vaxis = [], [], 0
        for e in entries:
            if e is None or isinstance(e, slice):
                basic.append(e)
                vaxis += 1
            elif e[0] == 'bool':
                basic.append(None)
                if not e[1]:
                    empties.append(vaxis)
                vaxis += 1
            else:
                basic.append(e[1])
        view = a[tuple(basic)]
        for ax in empties:
            view = view[(slice(None),) * ax + (slice(0, 0),)]
        return view, None, None, None, None
    basic = []
    adv = []          # (position in entries, view axis, entry)
    vaxis = 0
    for pos, e in enumerate(entries):
        if e is None:
            basic.append(None)
            vaxis += 1
        elif isinstance(e, slice):
            basic.append(e)
            vaxis += 1
        elif e[0] == 'bool':
            raise NotImplementedError('gpuarray: a Python bool mixed with index arrays is not '
                                      'supported')
        else:
            basic.append(slice(None))
            adv.append((pos, vaxis, e))
            vaxis += 1
    view = a[tuple(basic)]
    arrays = []
    for _, ax, e in adv:
        n = view.shape[ax]
        if e[0] == 'int':
            v = e[1]
            if not -n <= v < n:
                raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                    v, e[2], n))
            arrays.append(_asarray(numpy.asarray(v % n if n else v, dtype=numpy.int64)))
            continue
        ix = e[1]
        from_mask = len(e) > 3 and e[3]
        if isinstance(ix, numpy.ndarray):
            if ix.size:
                hi, lo = int(ix.max()), int(ix.min())
                if hi >= n or lo < -n:
                    raise IndexError('index {} is out of bounds for axis {} with size {}'.format(
                        hi if hi >= n else lo, e[2], n))
            ix = numpy.where(ix < 0, ix + n, ix) if ix.dtype.kind == 'i' else ix
            ix = _asarray(numpy.array(ix, dtype=numpy.int64, order='C'))  # keeps 0-d
        else:
            if not from_mask:
                _check_bounds(ix, n, e[2])
                ix = _normalize(ix, n)
            if ix.dtype != numpy.int64:
                ix = ix.astype(numpy.int64)
        arrays.append(ix)
    try:
        bshape = _ew.broadcast_shapes([ix.shape for ix in arrays])
    except ValueError:
        raise IndexError('shape mismatch: indexing arrays could not be broadcast together with '
                         'shapes ' + ''.join(_ew.shape_text(ix.shape) + ' ' for ix in arrays)) \
            from None
    positions = [p for p, _, _ in adv]
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    axes = [ax for _, ax, _ in adv]
    return view, axes, arrays, bshape, adjacent


def _flat_index(view, axes, arrays, bshape):
    """One int64 index array (1-D, contiguous) into the combined `axes` of
    `view` (C order), from the broadcast per-axis arrays."""
    from gpuarray import _ufuncs
    flat = None
    for ax, ix in zip(axes, arrays):
        if flat is None:
            flat = ix
        else:
            flat = _ufuncs.add(_ufuncs.multiply(flat, view.shape[ax]), ix)
    if flat.shape != bshape:
        b = _empty(bshape, numpy.int64)
        _copy_into(flat, b)
        flat = b
    return _contiguous(flat).reshape(-1)


def _layout(view, axes, adjacent):
    """(src, O, P, R, before, after): `view` with its axes ordered
    [before..., indexed..., after...] and the sizes of the three groups.
    Non-adjacent index arrays go first, as in NumPy."""
    nd = view.ndim
    rest = [d for d in range(nd) if d not in axes]
    if adjacent:
        before = [d for d in rest if d < axes[0]]
        after = [d for d in rest if d > axes[0]]
    else:
        before, after = [], rest
    perm = before + list(axes) + after
    src = view.transpose(perm) if perm != list(range(nd)) else view
    O = _ew.size_of([view.shape[d] for d in before])
    P = _ew.size_of([view.shape[d] for d in axes])
    R = _ew.size_of([view.shape[d] for d in after])
    return src, O, P, R, [view.shape[d] for d in before], [view.shape[d] for d in after]


def _getitem(a, key):
    """a[key] with index arrays or masks: a gather on the device."""
    view, axes, arrays, bshape, adjacent = _prepare(a, key)
    if axes is None:
        return view.copy()
    src, O, P, R, before, after = _layout(view, axes, adjacent)
    flat = _flat_index(view, axes, arrays, bshape)
    nb = flat.size
    out = _empty(tuple(before) + tuple(bshape) + tuple(after), a.dtype)
    if out.size:
        src = _contiguous(src)
        _gather_kernel()(src, flat, nb, P, R, out)
    return out


def _setitem(a, key, value):
    """a[key] = value with index arrays or masks: a scatter on the device
    (with repeated indices, one of the writes wins)."""
    view, axes, arrays, bshape, adjacent = _prepare(a, key)
    if axes is None:
        if view.size:
            _assign(view, value)
        return
    src, O, P, R, before, after = _layout(view, axes, adjacent)
    flat = _flat_index(view, axes, arrays, bshape)
    nb = flat.size
    rshape = tuple(before) + tuple(bshape) + tuple(after)
    if _ew.size_of(rshape) == 0:
        return
    vals = _empty(rshape, a.dtype)
    _assign(vals, value)
    if src.flags.c_contiguous:
        dst = src
    else:
        dst = src.copy(order='C')
    _scatter_kernel()(vals, flat, nb, P, R, dst)
    if dst is not src:
        _copy_into(dst, src)
