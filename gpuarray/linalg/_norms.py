"""gpuarray.linalg._norms - norm, vector_norm, matrix_norm, cond,
matrix_rank, pinv and lstsq. The host backend runs NumPy's own on the same
memory; elsewhere they are gpuarray reductions and products over svd/inv
(NumPy's definitions, written again on device arrays)."""

import numpy

from gpuarray import _core
from gpuarray.linalg import _engine as E
from gpuarray.linalg import _host
from gpuarray.linalg._decompositions import svd
from gpuarray.linalg._solve import inv

_la = numpy.linalg


def _ga():
    import gpuarray
    return gpuarray


def _normalize_axis(axis, nd):
    if not -nd <= axis < nd:
        raise numpy.exceptions.AxisError(axis, nd)
    return axis % nd


def _svd_norm(x, row_axis, col_axis, op):
    g = _ga()
    y = g.moveaxis(x, (row_axis, col_axis), (-2, -1))
    return op(svd(y, compute_uv=False), axis=-1)


def norm(x, ord=None, axis=None, keepdims=False):
    """A matrix or vector norm (numpy.linalg.norm: the same orders, axes and
    keepdims)."""
    x = E.as_device(x, 'norm')
    if E.on_host():
        return _host.call(_la.norm, (x,), ord=ord, axis=axis, keepdims=keepdims)
    g = _ga()
    if x.dtype.kind not in 'fc':
        x = x.astype(numpy.float64)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ('f', 'fro') and nd == 2) or (ord == 2 and nd == 1):
            sq = (x.conj() * x).real if x.dtype.kind == 'c' else x * x
            ret = g.sqrt(g.sum(sq))
            if keepdims:
                ret = ret.reshape(nd * [1])
            return ret
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = int(axis)
        except Exception as e:
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
        axis = (axis,)
    if len(axis) == 1:
        ax = axis
        if ord == numpy.inf:
            return g.max(g.abs(x), axis=ax, keepdims=keepdims, initial=0)
        if ord == -numpy.inf:
            return g.min(g.abs(x), axis=ax, keepdims=keepdims)
        if ord == 0:
            return g.sum((x != 0).astype(x.real.dtype), axis=ax, keepdims=keepdims)
        if ord == 1:
            return g.sum(g.abs(x), axis=ax, keepdims=keepdims)
        if ord is None or ord == 2:
            sq = (x.conj() * x).real if x.dtype.kind == 'c' else x * x
            return g.sqrt(g.sum(sq, axis=ax, keepdims=keepdims))
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        ret = g.sum(g.abs(x) ** ord, axis=ax, keepdims=keepdims)
        return ret ** numpy.reciprocal(ord, dtype=ret.dtype)
    if len(axis) == 2:
        row_axis = _normalize_axis(axis[0], nd)
        col_axis = _normalize_axis(axis[1], nd)
        if row_axis == col_axis:
            raise ValueError('Duplicate axes given.')
        if ord == 2:
            ret = _svd_norm(x, row_axis, col_axis, lambda s, axis: g.max(s, axis=axis, initial=0))
        elif ord == -2:
            ret = _svd_norm(x, row_axis, col_axis, g.min)
        elif ord in (1, -1):
            c = col_axis - 1 if col_axis > row_axis else col_axis
            colsums = g.sum(g.abs(x), axis=row_axis)
            ret = g.max(colsums, axis=c, initial=0) if ord == 1 else g.min(colsums, axis=c)
        elif ord in (numpy.inf, -numpy.inf):
            r = row_axis - 1 if row_axis > col_axis else row_axis
            rowsums = g.sum(g.abs(x), axis=col_axis)
            ret = g.max(rowsums, axis=r, initial=0) if ord == numpy.inf else \
                g.min(rowsums, axis=r)
        elif ord in (None, 'fro', 'f'):
            sq = (x.conj() * x).real if x.dtype.kind == 'c' else x * x
            ret = g.sqrt(g.sum(sq, axis=(row_axis, col_axis)))
        elif ord == 'nuc':
            ret = _svd_norm(x, row_axis, col_axis, g.sum)
        else:
            raise ValueError('Invalid norm order for matrices.')
        if keepdims:
            shape = list(x.shape)
            shape[row_axis] = 1
            shape[col_axis] = 1
            ret = ret.reshape(shape)
        return ret
    raise ValueError('Improper number of dimensions to norm.')


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The vector norm over `axis` (None: all elements; a tuple: those
    axes together), NumPy 2's numpy.linalg.vector_norm."""
    x = E.as_device(x, 'vector_norm')
    if E.on_host():
        return _host.call(_la.vector_norm, (x,), axis=axis, keepdims=keepdims, ord=ord)
    g = _ga()
    shape = list(x.shape)
    if axis is None:
        y = x.ravel()
        red = 0
    elif isinstance(axis, tuple):
        axes = tuple(_normalize_axis(a, x.ndim) for a in axis)
        rest = tuple(i for i in range(x.ndim) if i not in axes)
        y = g.transpose(x, rest + axes)
        y = y.reshape(tuple(x.shape[i] for i in rest) + (-1,))
        red = -1
    else:
        y = x
        red = axis
    ret = norm(y, axis=red, ord=ord)
    if keepdims:
        axes = range(x.ndim) if axis is None else (
            axis if isinstance(axis, tuple) else (axis,))
        for a in axes:
            shape[_normalize_axis(a, x.ndim)] = 1
        ret = ret.reshape(shape)
    return ret


def matrix_norm(x, /, *, keepdims=False, ord='fro'):
    """The matrix norm over the last two axes (NumPy 2)."""
    x = E.as_device(x, 'matrix_norm')
    if E.on_host():
        return _host.call(_la.matrix_norm, (x,), keepdims=keepdims, ord=ord)
    E.assert_stacked_2d(x)
    return norm(x, axis=(-2, -1), keepdims=keepdims, ord=ord)


def cond(x, p=None):
    """The condition number of each matrix in norm p (None/2/-2 from the
    singular values; 1, -1, inf, -inf, 'fro', 'nuc' as norm(x) norm(inv(x)),
    inf for a singular matrix)."""
    x = E.as_device(x, 'cond')
    if E.on_host():
        return _host.call(_la.cond, (x,), p=p)
    g = _ga()
    if x.ndim >= 2 and x.shape[-1] * x.shape[-2] == 0:
        raise E.LinAlgError('cond is not defined on empty arrays')
    if p is None or p in (2, -2):
        s = svd(x, compute_uv=False)
        r = s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    else:
        E.assert_stacked_2d(x)
        E.assert_stacked_square(x)
        rt = E.real_dtype(E.result_type(x))
        try:
            invx = inv(x)
            r = norm(x, p, axis=(-2, -1)) * norm(invx, p, axis=(-2, -1))
        except E.LinAlgError:
            # NumPy ignores the singular ones (NaN, then inf below); gpuarray
            # raises per batch, so take them one at a time
            r = _cond_each(x, p, rt)
        r = r.astype(rt)
    nan = g.isnan(r)
    if bool(g.any(nan)):
        nan = nan & ~g.any(g.isnan(x), axis=(-2, -1))
        r = g.where(nan, g.full((), numpy.inf, r.dtype), r)
    return r


def _cond_each(x, p, rt):
    g = _ga()
    flat = x.reshape((-1,) + x.shape[-2:])
    out = []
    for i in range(flat.shape[0]):
        try:
            out.append(float((norm(flat[i], p) * norm(inv(flat[i]), p)).get()))
        except E.LinAlgError:
            out.append(numpy.inf)
    return g.asarray(numpy.array(out, rt).reshape(x.shape[:-2]))


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The number of singular values above tol (default: S.max() *
    max(M, N) * eps, or rtol in place of max(M, N) * eps)."""
    A = E.as_device(A, 'matrix_rank')
    if E.on_host():
        return _host.call(_la.matrix_rank, (A,), tol=tol, hermitian=hermitian, rtol=rtol)
    g = _ga()
    if A.ndim < 2:
        return int(bool(g.any(A != 0)))   # NumPy: a Python int
    S = svd(A, compute_uv=False, hermitian=hermitian)
    if tol is None:
        if rtol is None:
            rtol = max(A.shape[-2:]) * numpy.finfo(S.dtype).eps
        else:
            rtol = _scalar_or_array(rtol)[..., None]
        tol = g.max(S, axis=-1, keepdims=True, initial=0) * rtol
    else:
        tol = _scalar_or_array(tol)[..., None]
    return g.count_nonzero(S > tol, axis=-1)


def _scalar_or_array(v):
    g = _ga()
    return v if isinstance(v, _core.ndarray) else g.asarray(numpy.asarray(v))


_NoValue = object()


def pinv(a, rcond=None, hermitian=False, *, rtol=_NoValue):
    """The Moore-Penrose pseudo-inverse of each matrix, from its SVD with
    the singular values below rcond * max(S) dropped (NumPy 2's rcond/rtol
    rules)."""
    a = E.as_device(a, 'pinv')
    if E.on_host():
        kw = {} if rtol is _NoValue else {'rtol': rtol}
        return _host.call(_la.pinv, (a,), rcond=rcond, hermitian=hermitian, **kw)
    g = _ga()
    E.assert_stacked_2d(a)
    t = E.result_type(a)
    if rcond is None:
        if rtol is _NoValue:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(a.shape[-2:]) * numpy.finfo(t).eps
        else:
            rcond = rtol
    elif rtol is not _NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    m, n = a.shape[-2:]
    if m * n == 0:
        return _core.empty(a.shape[:-2] + (n, m), t)
    u, s, vh = svd(a.astype(t), full_matrices=False, hermitian=hermitian)
    rc = _scalar_or_array(rcond)[..., None]
    cutoff = rc * g.max(s, axis=-1, keepdims=True)
    large = s > cutoff
    sinv = g.where(large, 1 / g.where(large, s, g.ones((), s.dtype)), g.zeros((), s.dtype))
    # pinv = V diag(1/s) U^H
    return g.matmul(vh.swapaxes(-1, -2).conj(), sinv[..., None] * u.swapaxes(-1, -2).conj())


def lstsq(a, b, rcond=None):
    """The least-squares solution x of a @ x = b (numpy.linalg.lstsq: x,
    the residuals' squared norms (empty unless rank == N < M), the rank
    and a's singular values), from a's SVD."""
    a = E.as_device(a, 'lstsq')
    b = E.as_device(b, 'lstsq')
    if E.on_host():
        return _host.call(_la.lstsq, (a, b), rcond=rcond)
    g = _ga()
    is_1d = b.ndim == 1
    if is_1d:
        b = b.reshape(-1, 1)
    for x in (a, b):
        if x.ndim != 2:
            raise E.LinAlgError('%d-dimensional array given. Array must be '
                                'two-dimensional' % x.ndim)
    m, n = a.shape
    m2, k = b.shape
    if m != m2:
        raise E.LinAlgError('Incompatible dimensions')
    t = E.result_type(a, b)
    rt = E.real_dtype(t)
    if rcond is None:
        rcond = numpy.finfo(t).eps * max(n, m)
    a = a.astype(t)
    b = b.astype(t)
    if m == 0 or n == 0:
        x = _core.zeros((n, k), t)
        s = _core.empty((0,), rt)
        rank = 0
        resid = g.sum(g.abs(b) ** 2, axis=0).astype(rt) if (m > n and n == 0) else \
            _core.empty((0,), rt)
        # NumPy: rank == n (0) and m > n gives the residuals |b|^2
        return (x.reshape(n) if is_1d else x), resid, rank, s
    u, s, vh = svd(a, full_matrices=False)
    cutoff = rcond * g.max(s)
    large = s > cutoff
    rank = int(g.count_nonzero(large).get())
    sinv = g.where(large, 1 / g.where(large, s, g.ones((), rt)), g.zeros((), rt))
    uhb = g.matmul(u.swapaxes(-1, -2).conj(), b)
    x = g.matmul(vh.swapaxes(-1, -2).conj(), sinv[:, None] * uhb)
    if rank == n and m > n:
        r = b - g.matmul(a, x)
        resid = g.sum((r.conj() * r).real if r.dtype.kind == 'c' else r * r, axis=0).astype(rt)
    else:
        resid = _core.empty((0,), rt)
    if is_1d:
        x = x.reshape(n)
    return x, resid, rank, s
