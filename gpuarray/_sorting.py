"""gpuarray._sorting - sort, argsort, lexsort, partition, argpartition and
searchsorted, with NumPy's parameters and results, and the ndarray methods
of the same names.

On CUDA everything runs on the device: the sorts through the radix kernels
of ``gpuarray._radix`` (the sorted axis is moved last and made contiguous,
the rows are sorted together as one batch), searchsorted as one thread per
query doing a binary search. Every sort is stable (``kind`` is checked
as NumPy checks it, then every kind gives the stable result), NaNs sort
last, -0.0 and 0.0 are equal. ``descending=True`` (the Array API's keyword)
gives the Array API's stable descending order (equal elements keep their
order; NaNs first). partition and argpartition sort fully: a sorted array
is one valid partition, and a radix sort costs about what a selection does.

Complex keys sort as NumPy sorts them: lexicographically by (real, imag),
with those holding NaNs after all others in the order R + nanj, nan + Rj,
nan + nanj. They are split into three real keys on the device (NaN class,
primary part, secondary part) and sorted as a lexsort of those.

On the host backend NumPy's own algorithms run on the arrays' memory
(``gpuarray._radix.use_numpy``), except when the kernels are forced.
"""

import operator

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray import _manipulation
from gpuarray import _radix

__all__ = ['sort', 'argsort', 'lexsort', 'partition', 'argpartition', 'searchsorted', 'sort_complex']

_ndarray = _core.ndarray
_empty = _core.empty

try:
    from numpy.lib.array_utils import normalize_axis_index as _normalize_axis_index
except ImportError:     # NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index as _normalize_axis_index


# ------------------------------------------------------------- arguments

def as_device(a, fname):
    """`a` as a device array: a gpuarray.ndarray as is; NumPy arrays,
    scalars and sequences are uploaded."""
    if isinstance(a, _ndarray):
        return a
    if isinstance(a, (numpy.ndarray, numpy.generic, list, tuple, bool, int, float, complex)):
        return _core.asarray(numpy.asarray(a))
    raise TypeError('{}: unsupported type {}'.format(fname, type(a).__name__))


def _check_supported(dtype, fname):
    if dtype.kind not in 'buifc':
        raise TypeError('{}: dtype {} is not supported'.format(fname, dtype))
    _ew.ctype(dtype)


def _check_sort_kind(kind, stable):
    """NumPy's checks of `kind` (first letter q, h, m or s) and `stable`."""
    if kind is not None and stable is not None:
        raise ValueError("`kind` and keyword parameters can't be provided at the same time. "
                         "Use only one of them.")
    if kind is None:
        return
    if not isinstance(kind, str):
        raise TypeError('sort kind must be str, not {}'.format(type(kind).__name__))
    if not kind or kind[0].lower() not in 'qhms':
        raise ValueError("sort kind must be one of 'quick', 'heap', or 'stable' (got {!r})".format(kind))


def _check_order(order):
    if order is not None:
        raise ValueError('Cannot specify order when the array has no fields.')


def _contiguous(a):
    return a if a.flags.c_contiguous else a.copy(order='C')


def _flat(a):
    """a.ravel() as a C-contiguous 1-D array (a view when it can be)."""
    return _contiguous(a).reshape(-1)


def _rows(a, axis):
    """`a` with `axis` moved last, C-contiguous: (the array, the moved
    shape); its flat buffer is the rows to sort."""
    t = _manipulation.moveaxis(a, axis, -1) if axis != a.ndim - 1 else a
    return _contiguous(t), t.shape


def _back(r, axis, ndim):
    """A sorted (..., L) result back with its last axis at `axis`, as a new
    C-contiguous array (NumPy's results are)."""
    if axis == ndim - 1:
        return r
    return _contiguous(_manipulation.moveaxis(r, -1, axis))


def host_view(a):
    """NumPy's zero-copy view of a device array (host backend only;
    __dlpack__ waits for the current stream)."""
    return numpy.from_dlpack(a)


def from_host(h):
    """A device copy of NumPy's result `h` (an array or a NumPy scalar,
    which becomes a 0-d array)."""
    h = numpy.asarray(h)
    return _core.asarray(h if h.flags.c_contiguous else h.copy())


# ------------------------------------------------------------ complex keys

_complex_keys_kernel = None


def complex_keys(z):
    """The three real keys NumPy's complex order is lexicographic in, least
    significant first: (secondary part, primary part, NaN class). Class 0
    (no NaN): (re, im); 1 (imag NaN): re; 2 (real NaN): im; 3: none."""
    global _complex_keys_kernel
    if _complex_keys_kernel is None:
        _complex_keys_kernel = _ew.ElementwiseKernel(
            'T z', 'uint8 cls, R prim, R sec',
            'const bool rn = z.re != z.re, inn = z.im != z.im;'
            'cls = (unsigned char)(rn * 2 + inn);'
            'prim = !rn ? z.re : (!inn ? z.im : (R)0);'
            'sec = (!rn && !inn) ? z.im : (R)0',
            'ga_complex_sort_keys')
    real = numpy.dtype(numpy.float32 if z.dtype == numpy.complex64 else numpy.float64)
    cls = _empty(z.shape, numpy.uint8)
    prim = _empty(z.shape, real)
    sec = _empty(z.shape, real)
    if z.size:
        _complex_keys_kernel(z, cls, prim, sec)
    return [sec, prim, cls]


def lexsort_flat(keys, nrows, *, descending=False, index='axis'):
    """The stable order of the rows of 1-D C-contiguous device keys (least
    significant first; complex keys are split into their three), as
    `index` ('axis', 'flat'). One radix sort per real key, each carrying
    the order the previous ones left; the last also sorts by row."""
    real = []
    for k in keys:
        real.extend(complex_keys(k) if k.dtype.kind == 'c' else [k])
    perm = None
    for j, k in enumerate(real):
        last = j == len(real) - 1
        kk = k if perm is None else _radix.gather(k, perm)
        _, perm = _radix.sort_keys(kk, nrows if last else 1, descending=descending,
                                   keys_out=False, index=index if last else 'raw', perm=perm)
    return perm


# ------------------------------------------------------------------ sorts

#: A few long rows are sorted one at a time (each then needs no row passes
#: and, for sort, no payload), many short ones as one batch.
ROW_LOOP_MIN_LENGTH = 1 << 16
ROW_LOOP_MAX_ROWS = 256


def _row_loop(nrows, L):
    return 1 < nrows <= ROW_LOOP_MAX_ROWS and L >= ROW_LOOP_MIN_LENGTH


def _sort_rows(c, nrows, descending):
    """Sorted copy of the flat rows of C-contiguous c."""
    flat = c.reshape(-1)
    if c.dtype.kind == 'c':
        pos = lexsort_flat([flat], nrows, descending=descending, index='flat')
        return flat[pos].reshape(c.shape)
    L = flat.size // nrows
    if _row_loop(nrows, L):
        out = _empty((flat.size,), flat.dtype)
        for r in range(nrows):
            _radix.sort_keys(flat[r * L:(r + 1) * L], 1, descending=descending,
                             out_keys=out[r * L:(r + 1) * L])
        return out.reshape(c.shape)
    keys, _ = _radix.sort_keys(flat, nrows, descending=descending)
    return keys.reshape(c.shape)


def _argsort_rows(c, nrows, descending):
    flat = c.reshape(-1)
    if c.dtype.kind == 'c':
        return lexsort_flat([flat], nrows, descending=descending, index='axis').reshape(c.shape)
    L = flat.size // nrows
    if _row_loop(nrows, L):
        out = _empty((flat.size,), numpy.int64)
        for r in range(nrows):
            _radix.sort_keys(flat[r * L:(r + 1) * L], 1, descending=descending, keys_out=False,
                             index='axis', out_idx=out[r * L:(r + 1) * L])
        return out.reshape(c.shape)
    _, idx = _radix.sort_keys(flat, nrows, descending=descending, keys_out=False, index='axis')
    return idx.reshape(c.shape)


def _prepare(a, axis, fname):
    """(a, axis) with axis=None flattened, axis normalized (AxisError)."""
    a = as_device(a, fname)
    _check_supported(a.dtype, fname)
    if axis is None:
        return _flat(a), 0
    return a, _normalize_axis_index(operator.index(axis), a.ndim)


def _host_desc_sort(h, axis):
    """NumPy's stable descending sort (Array API): flip, sort, flip."""
    return numpy.flip(numpy.sort(numpy.flip(h, axis), axis=axis, kind='stable'), axis)


def _host_desc_argsort(h, axis):
    r = numpy.flip(numpy.argsort(numpy.flip(h, axis), axis=axis, kind='stable'), axis)
    return (h.shape[axis] - 1) - r


def sort(a, axis=-1, kind=None, order=None, *, descending=False, stable=None):
    """A sorted copy of `a` along `axis` (numpy.sort; axis=None sorts the
    flattened array). Always stable; `descending` is the Array API's."""
    _check_sort_kind(kind, stable)
    _check_order(order)
    a, axis = _prepare(a, axis, 'sort')
    if a.size == 0:
        return a.copy()
    if _radix.use_numpy():
        h = host_view(a)
        if descending:
            return from_host(_host_desc_sort(h, axis))
        out = a.copy(order='C')
        host_view(out).sort(axis=axis, kind='stable')
        return out
    c, shape = _rows(a, axis)
    L = shape[-1]
    r = _sort_rows(c, c.size // L, descending)
    return _back(r, axis, a.ndim)


def argsort(a, axis=-1, kind=None, order=None, *, descending=False, stable=None):
    """The int64 indices that sort `a` along `axis` (numpy.argsort; stable;
    axis=None sorts the flattened array)."""
    _check_sort_kind(kind, stable)
    _check_order(order)
    a = as_device(a, 'argsort')
    if a.ndim == 0:
        # NumPy: the argsort of a 0-d array is [0]
        if axis is not None:
            _normalize_axis_index(operator.index(axis), 1)
        return _core.zeros((1,), numpy.int64)
    a, axis = _prepare(a, axis, 'argsort')
    if a.size == 0:
        return _empty(a.shape, numpy.int64)
    if _radix.use_numpy():
        h = host_view(a)
        if descending:
            return from_host(_host_desc_argsort(h, axis))
        return from_host(numpy.argsort(h, axis=axis, kind='stable'))
    c, shape = _rows(a, axis)
    r = _argsort_rows(c, c.size // shape[-1], descending)
    return _back(r, axis, a.ndim)


def lexsort(keys, axis=-1):
    """The int64 indices that sort by several keys along `axis`, the last
    key primary (numpy.lexsort; keys: a sequence of arrays of one shape,
    or the rows of one array)."""
    if isinstance(keys, _ndarray):
        if keys.ndim == 0:
            raise TypeError('need sequence of keys with len > 0 in lexsort')
        keys = [keys[i] for i in range(keys.shape[0])]
    elif isinstance(keys, numpy.ndarray):
        if keys.ndim == 0:
            raise TypeError('need sequence of keys with len > 0 in lexsort')
        keys = list(keys)
    elif isinstance(keys, (list, tuple)):
        keys = list(keys)
    else:
        raise TypeError('need sequence of keys with len > 0 in lexsort')
    if not keys:
        raise TypeError('need sequence of keys with len > 0 in lexsort')
    keys = [as_device(k, 'lexsort') for k in keys]
    shape = keys[0].shape
    for k in keys:
        _check_supported(k.dtype, 'lexsort')
        if k.shape != shape:
            raise ValueError('all keys need to be the same shape')
    ndim = len(shape)
    # an integer axis, as NumPy (None is a TypeError there too)
    axis = _normalize_axis_index(operator.index(axis), max(ndim, 1))
    if ndim == 0:
        return _core.zeros((), numpy.int64)
    if _ew.size_of(shape) == 0:
        return _empty(shape, numpy.int64)
    if _radix.use_numpy():
        return from_host(numpy.lexsort([host_view(k) for k in keys], axis=axis))
    rows = [_rows(k, axis) for k in keys]
    mshape = rows[0][1]
    idx = lexsort_flat([c.reshape(-1) for c, _ in rows], _ew.size_of(mshape) // mshape[-1])
    return _back(idx.reshape(mshape), axis, ndim)


def sort_complex(a):
    """sort(a) along its last axis as a complex array (numpy.sort_complex:
    complex64 for int8/int16/uint8/uint16 data, complex128 for other real
    data)."""
    a = as_device(a, 'sort_complex')
    _check_supported(a.dtype, 'sort_complex')
    r = sort(a)
    if r.dtype.kind == 'c':
        return r
    return r.astype(numpy.complex64 if r.dtype.char in 'bhBH' else numpy.complex128)


# -------------------------------------------------------------- partition

def _check_kth(kth, n):
    """NumPy's checks of partition indices: integers (not booleans) in
    [-n, n)."""
    if isinstance(kth, _ndarray):
        raise TypeError('kth must be a host integer or sequence of integers, not a device array')
    k = numpy.asarray(kth)
    if k.dtype.kind == 'b':
        raise ValueError('Booleans unacceptable as partition index')
    if k.dtype.kind not in 'iu':
        raise TypeError('Partition index must be integer')
    if k.ndim > 1:
        raise ValueError('kth must be an integer or a 1-D sequence of integers')
    for v in k.reshape(-1).tolist():
        w = v + n if v < 0 else v
        if w < 0 or w >= n:
            raise ValueError('kth(={}) out of bounds ({})'.format(w, n))


def _check_select_kind(kind):
    if kind != 'introselect':
        raise ValueError("select kind must be 'introselect' (got {!r})".format(kind))


def partition(a, kth, axis=-1, kind='introselect', order=None):
    """A copy of `a` with the k-th elements (kth) in their sorted places,
    smaller ones before, larger after (numpy.partition). gpuarray sorts
    fully: one valid partition."""
    _check_select_kind(kind)
    _check_order(order)
    a, axis = _prepare(a, axis, 'partition')
    _check_kth(kth, a.shape[axis])
    if _radix.use_numpy():
        return from_host(numpy.partition(host_view(a), kth, axis=axis))
    return sort(a, axis=axis)


def argpartition(a, kth, axis=-1, kind='introselect', order=None):
    """The int64 indices that partition `a` (numpy.argpartition; here the
    indices that sort it, one valid answer)."""
    _check_select_kind(kind)
    _check_order(order)
    a = as_device(a, 'argpartition')
    if a.ndim == 0:
        if axis is not None:
            _normalize_axis_index(operator.index(axis), 1)
        _check_kth(kth, 1)
        return _core.zeros((1,), numpy.int64)
    a, axis = _prepare(a, axis, 'argpartition')
    _check_kth(kth, a.shape[axis])
    if _radix.use_numpy():
        return from_host(numpy.argpartition(host_view(a), kth, axis=axis))
    return argsort(a, axis=axis)


# ----------------------------------------------------------- searchsorted

_search_kernels = {}

# NumPy's order for searching: NaN after everything (the sort's order);
# complex lexicographic with NumPy's NaN rules (npysort's CLT).
_SEARCH_PREAMBLE = '''
template<typename T> GA_FN bool ga_search_lt(const T& a, const T& b) { return a < b || (b != b && a == a); }
'''
_SEARCH_PREAMBLE_COMPLEX = '''
template<typename T> GA_FN bool ga_search_lt(const ga_complex<T>& a, const ga_complex<T>& b)
{
    if (a.re < b.re)
        return a.im == a.im || b.im != b.im;
    if (a.re > b.re)
        return b.im != b.im && a.im == a.im;
    if (a.re == b.re || (a.re != a.re && b.re != b.re))
        return a.im < b.im || (b.im != b.im && a.im == a.im);
    return b.re != b.re;
}
'''


def _search_kernel(right, with_sorter, is_complex):
    key = (right, with_sorter, is_complex)
    k = _search_kernels.get(key)
    if k is None:
        at = 'a[s[mid]]' if with_sorter else 'a[mid]'
        # left: the first i with !(a[i] < v); right: the first with v < a[i]
        test = '!ga_search_lt(v, x)' if right else 'ga_search_lt(x, v)'
        params = 'raw T a, T v, int64 na' + (', raw int64 s' if with_sorter else '')
        k = _ew.ElementwiseKernel(
            params, 'int64 out',
            'long long lo = 0, hi = na;'
            'while (lo < hi) {'
            '    const long long mid = lo + ((hi - lo) >> 1);'
            '    const T x = %s;'
            '    if (%s) lo = mid + 1; else hi = mid;'
            '}'
            'out = lo' % (at, test),
            'ga_searchsorted_%s%s' % ('right' if right else 'left', '_sorter' if with_sorter else ''),
            preamble=_SEARCH_PREAMBLE_COMPLEX if is_complex else _SEARCH_PREAMBLE)
        _search_kernels[key] = k
    return k


def _scalar_dtype(v):
    """The dtype NumPy's searchsorted gives a Python scalar query."""
    if isinstance(v, bool):
        return numpy.dtype(numpy.bool_)
    if isinstance(v, int):
        return numpy.dtype(numpy.int64 if v <= numpy.iinfo(numpy.int64).max else numpy.uint64)
    if isinstance(v, float):
        return numpy.dtype(numpy.float64)
    return numpy.dtype(numpy.complex128)


def searchsorted(a, v, side='left', sorter=None):
    """The int64 indices where `v` would be inserted into the sorted 1-D
    `a` to keep it sorted (numpy.searchsorted): the first such place for
    side='left', the last for 'right'; `sorter` the indices that sort `a`.
    The result has v's shape (0-d for a scalar v)."""
    if not isinstance(side, str):
        raise TypeError('search side must be str, not {}'.format(type(side).__name__))
    if side not in ('left', 'right'):
        if side and side[0] in 'lLrR':
            raise ValueError("search side must be one of 'left' or 'right'")
        raise ValueError("search side must be 'left' or 'right' (got {!r})".format(side))
    a = as_device(a, 'searchsorted')
    if a.ndim == 0:
        raise ValueError('object of too small depth for desired array')
    if a.ndim > 1:
        raise ValueError('object too deep for desired array')
    _check_supported(a.dtype, 'searchsorted')
    if isinstance(v, (bool, int, float, complex)):
        vdt = _scalar_dtype(v)
    else:
        v = as_device(v, 'searchsorted')
        _check_supported(v.dtype, 'searchsorted')
        vdt = v.dtype
    dt = numpy.promote_types(a.dtype, vdt)
    if not isinstance(v, _ndarray):
        v = _core.asarray(numpy.asarray(v, dtype=dt))
    n = a.size
    if sorter is not None:
        sorter = as_device(sorter, 'searchsorted')
        if sorter.dtype.kind not in 'iu':
            raise TypeError('sorter must only contain integers')
        if sorter.ndim != 1:
            raise ValueError('could not parse sorter argument')
        if sorter.size != n:
            raise ValueError('sorter.size must equal a.size')
        if n and (int(sorter.min()) < 0 or int(sorter.max()) >= n):
            raise ValueError('Sorter index out of range.')
    if _radix.use_numpy():
        hs = None if sorter is None else host_view(sorter)
        r = numpy.searchsorted(host_view(a).astype(dt, copy=False), host_view(v).astype(dt, copy=False),
                               side=side, sorter=hs)
        return from_host(r)
    a = _contiguous(a if a.dtype == dt else a.astype(dt))
    if v.dtype != dt:
        v = v.astype(dt)
    out = _empty(v.shape, numpy.int64)
    if v.size == 0:
        return out
    k = _search_kernel(side == 'right', sorter is not None, dt.kind == 'c')
    if sorter is not None:
        s = _contiguous(sorter if sorter.dtype == numpy.int64 else sorter.astype(numpy.int64))
        k(a, v, n, s, out)
    else:
        k(a, v, n, out)
    return out


# --------------------------------------------------------------- methods

def install(ndarray):
    """Give ndarray its sort (in place), argsort, partition (in place),
    argpartition and searchsorted methods."""

    def _sort(self, axis=-1, kind=None, order=None, *, descending=False, stable=None):
        """a.sort(): sort `a` in place along `axis` (stable)."""
        _check_sort_kind(kind, stable)
        _check_order(order)
        if self.ndim == 0:
            _normalize_axis_index(operator.index(axis), 0)
        ax = _normalize_axis_index(operator.index(axis), self.ndim)
        if self.size == 0:
            return None
        if _radix.use_numpy() and not descending:
            host_view(self).sort(axis=ax, kind='stable')
            return None
        _ew.copy_into(sort(self, axis=ax, descending=descending), self)
        return None

    def _argsort(self, axis=-1, kind=None, order=None, *, descending=False, stable=None):
        """a.argsort(): gpuarray.argsort(a)."""
        return argsort(self, axis=axis, kind=kind, order=order, descending=descending,
                       stable=stable)

    def _partition(self, kth, axis=-1, kind='introselect', order=None):
        """a.partition(kth): partition `a` in place (here: sort it)."""
        _check_select_kind(kind)
        _check_order(order)
        if self.ndim == 0:
            _normalize_axis_index(operator.index(axis), 0)
        ax = _normalize_axis_index(operator.index(axis), self.ndim)
        _check_kth(kth, self.shape[ax])
        if _radix.use_numpy():
            host_view(self).partition(kth, axis=ax)
            return None
        _ew.copy_into(sort(self, axis=ax), self)
        return None

    def _argpartition(self, kth, axis=-1, kind='introselect', order=None):
        """a.argpartition(kth): gpuarray.argpartition(a, kth)."""
        return argpartition(self, kth, axis=axis, kind=kind, order=order)

    def _searchsorted(self, v, side='left', sorter=None):
        """a.searchsorted(v): gpuarray.searchsorted(a, v)."""
        return searchsorted(self, v, side=side, sorter=sorter)

    ndarray.sort = _sort
    ndarray.argsort = _argsort
    ndarray.partition = _partition
    ndarray.argpartition = _argpartition
    ndarray.searchsorted = _searchsorted
