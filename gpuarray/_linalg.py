"""gpuarray._linalg - ``matmul``, ``dot`` and the ``@`` operator, with NumPy's
semantics (1-D operands promoted and their dimension removed, batch
dimensions broadcast, NumPy's result dtype and error messages).

Floating and complex dtypes (float16/32/64, complex64/128) run on the
device through ``ga_gemm`` (cuBLAS on CUDA, a blocked multi-threaded loop
on the host backend): strided operands are passed as they are when their
rows or columns are contiguous (a transposed view costs nothing), otherwise
they are made contiguous first; batch dimensions become strided batched
calls. Integer and bool products have no BLAS: a kernel of gpuarray's own
computes them on the device, one thread per element of the result, with
NumPy's wrapping arithmetic (correct; not tuned like cuBLAS).
"""

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

__all__ = ['matmul', 'dot']

_ndarray = _core.ndarray
_GEMM_TYPES = frozenset(numpy.dtype(t) for t in ('e', 'f', 'd', 'F', 'D'))
_SIG = '(n?,k),(k,m?)->(n?,m?)'


def _as_device(x):
    return x if isinstance(x, _ndarray) else _core.asarray(x)


def _broadcast_batch(a, b, sa, sb, core):
    """The broadcast batch shape of stacks a and b (NumPy's message when
    they do not broadcast)."""
    try:
        return tuple(numpy.broadcast_shapes(sa, sb))
    except ValueError:
        def remap(x, core):
            return '(%s)->(%s)' % (','.join(map(str, x.shape)),
                                   ','.join([str(d) for d in x.shape[:x.ndim - core]] + ['newaxis'] * core))
        raise ValueError('operands could not be broadcast together with remapped shapes '
                         '[original->remapped]: %s %s  and requested shape (%s)'
                         % (remap(a, min(a.ndim, 2)), remap(b, min(b.ndim, 2)),
                            ','.join(map(str, core)))) from None


def _batch_strides(x, nb_x, batch):
    """Byte strides of x's batch dims (nb_x of them) aligned right to
    `batch`, 0 where x is broadcast."""
    pad = len(batch) - nb_x
    out = [0] * pad
    for i in range(nb_x):
        out.append(0 if x.shape[i] == 1 and batch[pad + i] != 1 else x.strides[i])
    return out


def _gemm(a, astr, b, bstr, c, cstr, batch, m, n, k):
    """c = a @ b via _core._gemm_nd, copying an operand whose layout gemm
    cannot read. Returns the array that holds the result (c, or a
    contiguous temporary when c itself was unreadable)."""
    target = c
    for _ in range(4):
        bad = _core._gemm_nd(a, astr, b, bstr, c, cstr, batch, m, n, k)
        if bad == -1:
            break
        if bad == 0:
            a, astr = _recontig(a, astr, len(batch))
        elif bad == 1:
            b, bstr = _recontig(b, bstr, len(batch))
        else:
            c = _core.empty(c.shape, c.dtype)
            cstr = _restride(c, cstr, target)
    if c is not target:
        target[...] = c
    return target


def _recontig(x, strides, nb):
    """A C-contiguous copy of x and the same logical strides over it."""
    y = x.copy()
    return y, _restride(y, strides, x)


def _restride(y, strides, x):
    """Map byte strides given over x to the same logical layout over y
    (C-contiguous, same shape): each stride of x is matched to the dim it
    steps over."""
    mapping = {}
    for d in range(x.ndim):
        mapping.setdefault(x.strides[d], y.strides[d])
    return [0 if s == 0 else mapping.get(s, s) for s in strides]


# Integer and bool products (no BLAS has them): one thread per element of
# the result, summing in 64-bit unsigned arithmetic, which wraps exactly as
# NumPy's loops in the result type do once truncated to it.
_INT_MATMUL = None
_BOOL_MATMUL = None

_MATMUL_INDEX = (
    'const long long mn = mm * nn;'
    'const long long bi = (long long)i / mn;'
    'const long long rem = (long long)i - bi * mn;'
    'const long long r = rem / nn;'
    'const long long col = rem - r * nn;'
    'const long long ao = bi * sa + r * kk;'
    'const long long bo = bi * sb + col;')


def _integer_kernels():
    global _INT_MATMUL, _BOOL_MATMUL
    if _INT_MATMUL is None:
        from gpuarray._elementwise import ElementwiseKernel
        params = 'raw T a, raw T b, int64 mm, int64 nn, int64 kk, int64 sa, int64 sb'
        _INT_MATMUL = ElementwiseKernel(
            params, 'T c', _MATMUL_INDEX +
            'unsigned long long acc = 0;'
            'for (long long t = 0; t < kk; t++)'
            '    acc += (unsigned long long)(long long)a[ao + t]'
            '         * (unsigned long long)(long long)b[bo + t * nn];'
            'c = (T)acc', 'ga_matmul_int')
        _BOOL_MATMUL = ElementwiseKernel(
            params, 'T c', _MATMUL_INDEX +
            'bool acc = false;'
            'for (long long t = 0; t < kk && !acc; t++)'
            '    acc = a[ao + t] && b[bo + t * nn];'
            'c = acc', 'ga_matmul_bool')
    return _INT_MATMUL, _BOOL_MATMUL


def _stack3(x, batch, rows, cols):
    """x as a C-contiguous (B, rows, cols) stack and its batch step in
    elements: 0 when x has no batch (or a batch of one) to broadcast,
    else x broadcast to `batch` first."""
    nb = x.ndim - 2 if x.ndim >= 2 else 0
    core = x.reshape((rows, cols)) if x.ndim < 2 else x
    if not x.flags.c_contiguous:
        core = core.copy()
    xbatch = x.shape[:nb]
    size = 1
    for d in xbatch:
        size *= d
    if size == 1:
        return core.reshape((1, rows, cols)), 0
    if tuple(xbatch) == tuple(batch[len(batch) - nb:]) and len(batch) == nb:
        return core.reshape((-1, rows, cols)), rows * cols
    # a partly broadcast batch: materialize it
    pad = len(batch) - nb
    strides = [0] * pad + [0 if xbatch[i] == 1 else core.strides[i] for i in range(nb)]
    full = _core._view(core, tuple(batch) + (rows, cols),
                       tuple(strides) + tuple(core.strides[nb:]))
    return full.copy().reshape((-1, rows, cols)), rows * cols


def _matmul_integer(a, b, batch, m, n, k):
    """a @ b for integer or bool a and b of one dtype, as a C-contiguous
    array of shape batch + (m, n)."""
    nbatch = 1
    for d in batch:
        nbatch *= d
    c = _core.empty((nbatch, m, n), a.dtype)
    if c.size == 0:
        return c
    if k == 0:
        c.fill(0)
        return c
    a3, sa = _stack3(a, batch, m, k)
    b3, sb = _stack3(b, batch, k, n)
    int_kernel, bool_kernel = _integer_kernels()
    kernel = bool_kernel if a.dtype.kind == 'b' else int_kernel
    kernel(a3, b3, m, n, k, sa, sb, c)
    return c


def matmul(a, b, out=None, *, dtype=None):
    """Matrix product of two arrays (numpy.matmul)."""
    a = _as_device(a)
    b = _as_device(b)
    for i, x in enumerate((a, b)):
        if x.ndim == 0:
            raise ValueError('matmul: Input operand %d does not have enough dimensions (has 0, '
                             'gufunc core with signature %s requires 1)' % (i, _SIG))
    rt = numpy.result_type(a.dtype, b.dtype) if dtype is None else numpy.dtype(dtype)
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if ka != kb:
        raise ValueError('matmul: Input operand 1 has a mismatch in its core dimension 0, with '
                         'gufunc signature %s (size %d is different from %d)' % (_SIG, kb, ka))
    m = a.shape[-2] if a.ndim >= 2 else 1
    n = b.shape[-1] if b.ndim >= 2 else 1
    nba, nbb = max(a.ndim - 2, 0), max(b.ndim - 2, 0)
    core = ((m,) if a.ndim >= 2 else ()) + ((n,) if b.ndim >= 2 else ())
    batch = _broadcast_batch(a, b, a.shape[:nba], b.shape[:nbb], core)
    shape = batch + core

    if out is not None:
        if not isinstance(out, _ndarray):
            raise TypeError('return arrays must be of ArrayType')
        if tuple(out.shape) != shape:
            nc = len(core)
            if out.ndim != len(shape) or tuple(out.shape[:out.ndim - nc]) != batch:
                raise ValueError("non-broadcastable output operand with shape %s doesn't match "
                                 "the broadcast shape %s" % (tuple(out.shape), shape))
            d = next(i for i in range(nc) if out.shape[out.ndim - nc + i] != core[i])
            raise ValueError('matmul: Output operand 0 has a mismatch in its core dimension %d, '
                             'with gufunc signature %s (size %d is different from %d)'
                             % (d, _SIG, out.shape[out.ndim - nc + d], core[d]))
        if not numpy.can_cast(rt, out.dtype, 'same_kind'):
            raise TypeError("Cannot cast ufunc 'matmul' output from %r to %r with casting rule "
                            "'same_kind'" % (rt, out.dtype))

    if rt not in _GEMM_TYPES:
        if not (rt.kind in 'biu'):
            raise TypeError("ufunc 'matmul' did not contain a loop with signature matching types "
                            "(%r, %r) -> None" % (a.dtype, b.dtype))
        c = _matmul_integer(a.astype(rt, copy=False), b.astype(rt, copy=False), batch, m, n, ka)
        c = c.reshape(shape)
        if out is not None:
            out[...] = c
            return out
        return c

    if a.dtype != rt:
        a = a.astype(rt)
    if b.dtype != rt:
        b = b.astype(rt)
    # gemm writes c while it reads a and b: an `out` that shares memory
    # with either (a @= b) gets the result through a temporary
    direct = out is not None and out.dtype == rt and not (
        _ew.may_share_memory(out, a) or _ew.may_share_memory(out, b))
    c = out if direct else _core.empty(shape, rt)
    if c.size:
        if ka == 0:
            c.fill(0)
        else:
            astr = _batch_strides(a, nba, batch) + (
                [a.strides[-2], a.strides[-1]] if a.ndim >= 2 else [0, a.strides[0]])
            bstr = _batch_strides(b, nbb, batch) + (
                [b.strides[-2], b.strides[-1]] if b.ndim >= 2 else [b.strides[0], 0])
            nb = len(batch)
            cstr = list(c.strides[:nb]) + [c.strides[nb] if a.ndim >= 2 else 0,
                                           c.strides[-1] if b.ndim >= 2 else 0]
            _gemm(a, astr, b, bstr, c, cstr, batch, m, n, ka)
    if out is not None and not direct:
        out[...] = c
        return out
    return c


def dot(a, b, out=None):
    """Dot product of two arrays (numpy.dot): for N-d operands, a sum over
    the last axis of a and the second-to-last of b."""
    a = _as_device(a)
    b = _as_device(b)
    if a.ndim == 0 or b.ndim == 0:
        r = a * b
        if out is not None:
            out[...] = r
            return out
        return r
    if b.ndim < 2 or (a.ndim <= 2 and b.ndim <= 2):
        if a.shape[-1] != (b.shape[-2] if b.ndim >= 2 else b.shape[0]):
            raise ValueError('shapes %s and %s not aligned: %d (dim %d) != %d (dim %d)'
                             % (a.shape, b.shape, a.shape[-1], a.ndim - 1,
                                b.shape[-2] if b.ndim >= 2 else b.shape[0], max(b.ndim - 2, 0)))
        return matmul(a, b, out=out)
    # N-d with M-d (M >= 2): rows of a (all dims but the last, as one)
    # times each matrix of b's stack; the result is a.shape[:-1] +
    # b.shape[:-2] + b.shape[-1:].
    k = a.shape[-1]
    if k != b.shape[-2]:
        raise ValueError('shapes %s and %s not aligned: %d (dim %d) != %d (dim %d)'
                         % (a.shape, b.shape, k, a.ndim - 1, b.shape[-2], b.ndim - 2))
    rt = numpy.result_type(a.dtype, b.dtype)
    shape = a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    if rt not in _GEMM_TYPES:
        # rows of a times b's stack laid out as one (k, B * n) matrix
        from gpuarray._manipulation import moveaxis
        b2 = moveaxis(b, -2, 0).reshape((k, -1))
        r = matmul(a.reshape((-1, k)), b2).reshape(shape)
        if out is not None:
            out[...] = r
            return out
        return r
    if a.dtype != rt:
        a = a.astype(rt)
    if b.dtype != rt:
        b = b.astype(rt)
    if not a.flags.c_contiguous:
        a = a.copy()
    c = _core.empty(shape, rt)
    if c.size:
        if k == 0:
            c.fill(0)
        else:
            ma = 1
            for d in a.shape[:-1]:
                ma *= d
            n = b.shape[-1]
            bb = b.shape[:-2]
            es = c.itemsize
            nb = len(bb)
            c_bb = list(c.strides[a.ndim - 1:a.ndim - 1 + nb])
            row = es * n
            for d in bb:
                row *= d
            _gemm(a, [0] * nb + [k * a.itemsize, a.itemsize], b, list(b.strides),
                  c, c_bb + [row, es], bb, ma, n, k)
    if out is not None:
        out[...] = c
        return out
    return c


def install(ndarray):
    """Give ndarray ``@``, ``@`` reflected, ``@=`` and ``dot``."""
    def __matmul__(self, other):
        if not isinstance(other, (_ndarray, numpy.ndarray, list, tuple)) and \
                not hasattr(other, '__cuda_array_interface__'):
            return NotImplemented
        return matmul(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, (_ndarray, numpy.ndarray, list, tuple)):
            return NotImplemented
        return matmul(other, self)

    def _dot(self, b, out=None):
        """a.dot(b, out=None): gpuarray.dot(a, b, out)."""
        return dot(self, b, out=out)

    def __imatmul__(self, other):
        # NumPy's a @= b: matmul(a, b, out=a), so the result must have a's
        # shape and cast to its dtype ('same_kind')
        if not isinstance(other, (_ndarray, numpy.ndarray, list, tuple)) and \
                not hasattr(other, '__cuda_array_interface__'):
            return NotImplemented
        return matmul(self, other, out=self)

    ndarray.__matmul__ = __matmul__
    ndarray.__rmatmul__ = __rmatmul__
    ndarray.__imatmul__ = __imatmul__
    ndarray.dot = _dot
