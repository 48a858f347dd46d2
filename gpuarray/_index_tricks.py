"""gpuarray._index_tricks - NumPy's index helpers on device arrays: ix_,
r_, c_, the triangle and diagonal index generators, fill_diagonal, select,
extract, place, putmask, mask_indices, vander.

Each is a composition of device operations gpuarray already has
(nonzero, put, take, where, concatenate, multiply.accumulate): no data
goes through the host, only shapes and Python-level arguments."""

import operator

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array

_ndarray = _core.ndarray


# ------------------------------------------------------------ ix_, r_, c_

def ix_(*args):
    """Open-mesh index arrays from 1-D sequences (numpy.ix_): the k-th of n
    has its values along axis k and length 1 elsewhere; a bool sequence
    stands for the indices of its true elements."""
    from gpuarray._searching import nonzero
    out = []
    nd = len(args)
    for k, seq in enumerate(args):
        if isinstance(seq, _ndarray):
            a = seq
        else:
            h = numpy.asarray(seq)
            if h.size == 0:
                h = h.astype(numpy.intp)
            a = _core.asarray(h)
        if a.ndim != 1:
            raise ValueError('Cross index must be 1 dimensional')
        if a.dtype.kind == 'b':
            a = nonzero(a)[0]
        out.append(a.reshape((1,) * k + (a.size,) + (1,) * (nd - k - 1)))
    return tuple(out)


class _Concatenator:
    """r_ and c_: index with slices (ranges; a complex step is a point
    count, as linspace's), scalars and arrays, optionally led by a string
    'axis[,ndmin[,trans1d]]', and get their concatenation (numpy.r_)."""

    def __init__(self, axis, ndmin, trans1d):
        self.axis, self.ndmin, self.trans1d = axis, ndmin, trans1d

    def __getitem__(self, key):
        from gpuarray._manipulation import concatenate, transpose
        from gpuarray._ranges import linspace
        if not isinstance(key, tuple):
            key = (key,)
        axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
        items, scalars = [], []
        for i, item in enumerate(key):
            if isinstance(item, str):
                if i != 0:
                    raise ValueError('the directive string must come first')
                if item in ('r', 'c'):
                    raise NotImplementedError("gpuarray.r_: the matrix directives 'r' and 'c' "
                                              "are not supported (gpuarray has no matrix type)")
                try:
                    parts = [int(p) for p in item.split(',')]
                except ValueError:
                    raise ValueError('unknown special directive {!r}'.format(item)) from None
                axis = parts[0]
                if len(parts) > 1:
                    ndmin = parts[1]
                if len(parts) > 2:
                    trans1d = parts[2]
                continue
            if isinstance(item, slice):
                start = 0 if item.start is None else item.start
                step = 1 if item.step is None else item.step
                if isinstance(step, complex):
                    a = linspace(start, item.stop, num=int(abs(step)))
                else:
                    a = _core.asarray(numpy.arange(start, item.stop, step))
                if ndmin > 1:
                    a = self._with_ndmin(a, ndmin, trans1d, transpose)
                items.append(a)
            elif isinstance(item, _ndarray):
                items.append(self._with_ndmin(item, ndmin, trans1d, transpose)
                             if item.ndim < ndmin else item)
            elif isinstance(item, numpy.ndarray) and item.ndim > 0:
                raise TypeError('gpuarray.r_: a host NumPy array is not a gpuarray.ndarray (use '
                                'gpuarray.asarray)')
            else:
                scalars.append(len(items))
                h = numpy.array(item, ndmin=max(ndmin, 1))
                items.append(h)
        dtypes = [a.dtype for i, a in enumerate(items) if i not in scalars]
        svals = [items[i].ravel()[0] for i in scalars]
        final = numpy.result_type(*dtypes, *svals) if dtypes or svals else numpy.float64
        arrays = [_core.asarray(a.astype(final)) if isinstance(a, numpy.ndarray)
                  else a.astype(final, copy=False) for a in items]
        if not arrays:
            return _core.empty((0,), final)
        return concatenate(arrays, axis=axis)

    @staticmethod
    def _with_ndmin(a, ndmin, trans1d, transpose):
        """NumPy's array(item, ndmin=ndmin) and its trans1d placement of the
        item's own axes among the new ones."""
        k2 = ndmin - a.ndim
        if k2 <= 0:
            return a
        b = a.reshape((1,) * k2 + a.shape)
        if trans1d != -1:
            k1 = trans1d if trans1d >= 0 else trans1d + k2 + 1
            axes = list(range(ndmin))
            b = transpose(b, axes[:k1] + axes[k2:] + axes[k1:k2])
        return b


r_ = _Concatenator(0, 1, -1)
c_ = _Concatenator(-1, 2, 0)


# ------------------------------------------------ triangles and diagonals

def tril_indices(n, k=0, m=None):
    """The indices (rows, columns) of the lower triangle of an n x m array,
    diagonal k (numpy.tril_indices), in C order."""
    from gpuarray._matrices import tri
    from gpuarray._searching import nonzero
    return nonzero(tri(n, m, k=k, dtype=bool))


def triu_indices(n, k=0, m=None):
    """The indices of the upper triangle from diagonal k (numpy.triu_indices)."""
    from gpuarray._matrices import tri
    from gpuarray._searching import nonzero
    from gpuarray._ufuncs import logical_not
    return nonzero(logical_not(tri(n, m, k=k - 1, dtype=bool)))


def _two_d(arr, fname):
    arr = as_device_array(arr, fname)
    if arr.ndim != 2:
        raise ValueError('input array must be 2-d')
    return arr


def tril_indices_from(arr, k=0):
    """tril_indices for the shape of 2-D `arr`."""
    arr = _two_d(arr, 'tril_indices_from')
    return tril_indices(arr.shape[-2], k=k, m=arr.shape[-1])


def triu_indices_from(arr, k=0):
    """triu_indices for the shape of 2-D `arr`."""
    arr = _two_d(arr, 'triu_indices_from')
    return triu_indices(arr.shape[-2], k=k, m=arr.shape[-1])


def diag_indices(n, ndim=2):
    """`ndim` copies of arange(n): the indices of the main diagonal of an
    n x ... x n array (numpy.diag_indices)."""
    idx = _core.arange(operator.index(n), dtype=numpy.int64)
    return (idx,) * operator.index(ndim)


def diag_indices_from(arr):
    """diag_indices for `arr`, whose axes must all have one length."""
    arr = as_device_array(arr, 'diag_indices_from')
    if arr.ndim < 2:
        raise ValueError('input array must be at least 2-d')
    if len(set(arr.shape)) != 1:
        raise ValueError('All dimensions of input must be of equal length')
    return diag_indices(arr.shape[0], arr.ndim)


def mask_indices(n, mask_func, k=0):
    """The indices where mask_func(ones((n, n)), k) is nonzero
    (numpy.mask_indices; mask_func is gpuarray.triu, tril, ...)."""
    from gpuarray._searching import nonzero
    m = _core.ones((n, n), numpy.int64)
    return nonzero(mask_func(m, k) != 0)


def fill_diagonal(a, val, wrap=False):
    """Write `val` (repeated as needed) on the main diagonal of `a`, in
    place (numpy.fill_diagonal); for a tall 2-D array, wrap=True starts
    again below each N x N block, as NumPy does."""
    from gpuarray._taking import put
    if not isinstance(a, _ndarray):
        raise TypeError('fill_diagonal: expected a gpuarray.ndarray, not {}'.format(
            type(a).__name__))
    if a.ndim < 2:
        raise ValueError('array must be at least 2-d')
    if a.ndim == 2:
        step = a.shape[1] + 1
        end = a.size if wrap else a.shape[1] * a.shape[1]
    else:
        if len(set(a.shape)) != 1:
            raise ValueError('All dimensions of input must be of equal length')
        step = 1 + int(numpy.cumprod(a.shape[:-1]).sum())
        end = a.size
    end = min(end, a.size)
    if end <= 0:
        return
    idx = _core.arange(0, end, step, dtype=numpy.int64)
    put(a, idx, val if isinstance(val, _ndarray) else numpy.asarray(val).astype(a.dtype))


# ------------------------------------------------------- masks and choices

def select(condlist, choicelist, default=0):
    """Per element, the choice of the first true condition, else `default`
    (numpy.select); conditions must be bool arrays."""
    from gpuarray._broadcasting import broadcast_arrays
    from gpuarray._ufuncs import where
    if len(condlist) != len(choicelist):
        raise ValueError('list of cases must be same length as list of conditions')
    if len(condlist) == 0:
        raise ValueError('select with an empty condition list is not possible')
    conds = [as_device_array(c, 'select') for c in condlist]
    choices = [c if isinstance(c, _ndarray) else as_device_array(numpy.asarray(c), 'select')
               for c in choicelist]
    for i, c in enumerate(conds):
        if c.dtype.kind != 'b':
            raise TypeError('invalid entry {} in condlist: should be boolean ndarray'.format(i))
    # a Python scalar default is weak in NumPy 2's promotion (NEP 50)
    weak = isinstance(default, (bool, int, float, complex))
    dtype = numpy.result_type(*[c.dtype for c in choices],
                              default if weak else as_device_array(default, 'select').dtype)
    dflt = _core.asarray(numpy.asarray(default, dtype=dtype)) if weak else \
        as_device_array(default, 'select')
    arrays = broadcast_arrays(*conds, *choices, dflt)
    n = len(conds)
    result = arrays[-1].astype(dtype)
    for cond, choice in zip(reversed(arrays[:n]), reversed(arrays[n:2 * n])):
        result = where(cond, choice.astype(dtype, copy=False), result)
    return result


def extract(condition, arr):
    """The elements of `arr` where `condition` is nonzero, flattened
    (numpy.extract)."""
    from gpuarray._manipulation import ravel
    from gpuarray._searching import flatnonzero
    from gpuarray._taking import take
    arr = as_device_array(arr, 'extract')
    cond = as_device_array(condition, 'extract')
    return take(ravel(arr), flatnonzero(cond))


def place(arr, mask, vals):
    """arr[mask] = vals in place, the first N of `vals` (repeated as needed)
    going to the N true positions in order (numpy.place)."""
    from gpuarray._searching import flatnonzero
    from gpuarray._taking import put
    if not isinstance(arr, _ndarray):
        raise TypeError('place: expected a gpuarray.ndarray, not {}'.format(type(arr).__name__))
    mask = as_device_array(mask, 'place')
    if mask.size != arr.size:
        raise ValueError('place: mask and data must be the same size')
    idx = flatnonzero(mask)
    v = vals if isinstance(vals, _ndarray) else numpy.asarray(vals)
    if idx.size and v.size == 0:
        raise ValueError('Cannot insert from an empty array!')
    if idx.size:
        put(arr, idx, v if isinstance(v, _ndarray) else v.astype(arr.dtype))


def putmask(a, mask, values):
    """a[i] = values[i % len(values)] where mask is true, in place
    (numpy.putmask: the value of a position is chosen by the position,
    where place takes them in turn)."""
    from gpuarray._manipulation import ravel
    from gpuarray._searching import flatnonzero
    from gpuarray._taking import put, take
    from gpuarray._ufuncs import remainder
    if not isinstance(a, _ndarray):
        raise TypeError('putmask: expected a gpuarray.ndarray, not {}'.format(type(a).__name__))
    mask = as_device_array(mask, 'putmask')
    if mask.size != a.size:
        raise ValueError('putmask: mask and data must be the same size')
    vals = values if isinstance(values, _ndarray) else _core.asarray(
        numpy.asarray(values).astype(a.dtype))
    idx = flatnonzero(mask)
    if not idx.size:
        return
    if vals.size == 0:
        raise ValueError('Cannot insert from an empty array!')
    put(a, idx, take(ravel(vals), remainder(idx, vals.size)))


# ------------------------------------------------------------------ vander

def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-D x (numpy.vander): columns x**(N-1) ..
    x**0, or the other way round with increasing=True, by repeated
    multiplication as NumPy computes them."""
    from gpuarray import _ufuncs
    x = as_device_array(x, 'vander')
    if x.ndim != 1:
        raise ValueError('x must be a one-dimensional array or sequence.')
    n = x.shape[0] if N is None else operator.index(N)
    dtype = numpy.promote_types(x.dtype, numpy.int64)
    v = _core.empty((x.shape[0], n), dtype)
    if n > 0:
        v[:, 0] = 1
    if n > 1:
        v[:, 1:] = x.reshape((-1, 1))
        _ufuncs.multiply.accumulate(v[:, 1:], out=v[:, 1:], axis=1)
    return v if increasing else v[:, ::-1]
