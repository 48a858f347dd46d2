"""gpuarray.linalg._solve - solve, inv, det, slogdet and the functions
built on them (tensorsolve, tensorinv, matrix_power): NumPy's semantics,
batched and broadcast over leading axes.

CUDA path: LU (getrf) of the row-major copy of A, which cuSOLVER reads as
A^T, then getrs with op = T solves A x = b (solve), op = N on the identity
gives inv(A^T) column-major, i.e. inv(A) row-major (inv); det(A^T) =
det(A) comes from the LU diagonal and the pivots."""

import numpy

from gpuarray import _core
from gpuarray.linalg import _engine as E
from gpuarray.linalg import _host

_la = numpy.linalg


# Stacks of at least two matrices up to this order factor in one call
# (cuBLAS's getrfBatched/getrsBatched, int32 pivots) rather than one
# cusolverDnXgetrf per matrix, whose launch sequence dominates small sizes.
BATCHED_LU_MAX_N = 64


class _LU:
    """getrf's output for a stack: the factors (a C array whose matrices
    cuSOLVER reads as A^T), pivots, info, and which API made them."""

    def __init__(self, a, t, batch_shape):
        n = a.shape[-1]
        self.n = n
        self.batch = E.batch_size(batch_shape)
        self.batched = self.batch >= 2 and 0 < n <= BATCHED_LU_MAX_N
        self.lu = E.row_major(a, t, batch_shape + (n, n))
        self.ipiv = _core.empty(batch_shape + (n,),
                                numpy.int32 if self.batched else numpy.int64)
        self.info = E.new_info(self.batch)
        E.run(self.lu, 'getrf_batched' if self.batched else 'getrf', m=n, n=n, batch=self.batch,
              lda=max(n, 1), stride_a=n * n, ipiv=E.ptr(self.ipiv), stride_ipiv=n,
              info=E.ptr(self.info))

    def solve(self, x, k, trans):
        """x (C array of batch x k x n: column-major n x k) := op(A)^-1 x."""
        n = self.n
        E.run(self.lu, 'getrs_batched' if self.batched else 'getrs', m=n, n=n, k=k,
              batch=self.batch, lda=max(n, 1), stride_a=n * n, ipiv=E.ptr(self.ipiv),
              stride_ipiv=n, b=E.ptr(x), ldb=max(n, 1), stride_b=n * k, trans=trans)


def solve(a, b):
    """x with a @ x = b for each matrix of the stack a (numpy.linalg.solve,
    NumPy 2 rules: b is a vector when b.ndim == 1, otherwise a stack of
    matrices; batch dimensions broadcast). LinAlgError when a matrix is
    singular."""
    a = E.as_device(a, 'solve')
    b = E.as_device(b, 'solve')
    if E.on_host():
        return _host.call(_la.solve, (a, b))
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    t = E.result_type(a, b)
    n = a.shape[-1]
    vector = b.ndim == 1
    if vector:
        if b.shape[0] != n:
            raise ValueError('solve1: Input operand 1 has a mismatch in its core dimension 0, '
                             'with gufunc signature (m,m),(m)->(m) (size %d is different from '
                             '%d)' % (b.shape[0], n))
        bb = b.reshape((n, 1))
    else:
        bb = b
        if b.shape[-2] != n:
            raise ValueError('solve: Input operand 1 has a mismatch in its core dimension 0, '
                             'with gufunc signature (m,m),(m,n)->(m,n) (size %d is different '
                             'from %d)' % (b.shape[-2], n))
    k = bb.shape[-1]
    try:
        bshape = tuple(numpy.broadcast_shapes(a.shape[:-2], bb.shape[:-2]))
    except ValueError:
        raise ValueError('solve: operands could not be broadcast together with shapes %s %s'
                         % (a.shape, b.shape)) from None
    lu = _LU(a, t, bshape)
    # b column-major (n x k per matrix): its last two axes swapped, C order
    x = E.column_major(bb, t, bshape + (n, k))
    lu.solve(x, k, trans=1)
    E.check_info(lu.info, 'Singular matrix')
    if vector:
        return x.reshape(bshape + (n,))
    return x.swapaxes(-1, -2)


def inv(a):
    """The inverse of each matrix of the stack. LinAlgError when one is
    singular."""
    a = E.as_device(a, 'inv')
    if E.on_host():
        return _host.call(_la.inv, (a,))
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    t = E.result_type(a)
    n = a.shape[-1]
    bshape = a.shape[:-2]
    lu = _LU(a, t, bshape)
    import gpuarray
    x = E.row_major(gpuarray.eye(n, dtype=t), t, bshape + (n, n))
    lu.solve(x, n, trans=0)
    E.check_info(lu.info, 'Singular matrix')
    return x


def _lu_parts(a, what):
    """The LU diagonal and the pivots' sign (+1/-1) of each matrix."""
    import gpuarray
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    t = E.result_type(a)
    n = a.shape[-1]
    lu = _LU(a, t, a.shape[:-2])
    # info > 0 means an exact zero pivot: the determinant is 0, not an error
    diag = gpuarray.diagonal(lu.lu, axis1=-2, axis2=-1)
    swaps = gpuarray.count_nonzero(lu.ipiv != gpuarray.arange(1, n + 1, dtype=lu.ipiv.dtype),
                                   axis=-1)
    sign = (1 - 2 * (swaps % 2)).astype(t)
    return t, diag, sign


def det(a):
    """The determinant of each matrix of the stack (1 for a 0 x 0 one)."""
    a = E.as_device(a, 'det')
    if E.on_host():
        return _host.call(_la.det, (a,))
    import gpuarray
    t, diag, sign = _lu_parts(a, 'det')
    return gpuarray.prod(diag, axis=-1) * sign


def slogdet(a):
    """SlogdetResult(sign, logabsdet) of each matrix: sign is +1/-1 (a unit
    complex number for complex input) or 0 for a singular matrix, whose
    logabsdet is -inf."""
    a = E.as_device(a, 'slogdet')
    if E.on_host():
        return _host.call(_la.slogdet, (a,))
    import gpuarray
    t, diag, sign = _lu_parts(a, 'slogdet')
    mag = gpuarray.abs(diag)
    with numpy.errstate(divide='ignore', invalid='ignore'):
        logdet = gpuarray.sum(gpuarray.log(mag), axis=-1)
        unit = gpuarray.where(mag == 0, gpuarray.zeros((), t), diag / gpuarray.where(
            mag == 0, gpuarray.ones((), mag.dtype), mag))
    s = gpuarray.prod(unit, axis=-1) * sign
    return E.result('SlogdetResult')(s, logdet)


def matrix_power(a, n):
    """a raised to the integer power n for each matrix of the stack
    (repeated squaring; n < 0 inverts first; n == 0 gives the identity,
    also for integer matrices)."""
    import gpuarray
    a = E.as_device(a, 'matrix_power')
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    try:
        n = _index(n)
    except TypeError as e:
        raise TypeError('exponent must be an integer') from e
    if n == 0:
        out = _core.empty(a.shape, a.dtype)
        if out.size:
            out[...] = gpuarray.eye(a.shape[-1], dtype=a.dtype)
        return out
    if n < 0:
        a = inv(a)
        n = -n
    if n == 1:
        return a.copy()
    result = None
    z = a
    while True:
        if n & 1:
            result = z if result is None else gpuarray.matmul(result, z)
        n >>= 1
        if not n:
            return result
        z = gpuarray.matmul(z, z)


def _index(n):
    import operator
    return operator.index(n)


def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b (numpy.linalg.tensorsolve)."""
    a = E.as_device(a, 'tensorsolve')
    b = E.as_device(b, 'tensorsolve')
    an = a.ndim
    if axes is not None:
        allaxes = list(range(an))
        for k in axes:
            allaxes.remove(k)
            allaxes.insert(an, k)
        a = a.transpose(allaxes)
    oldshape = a.shape[-(an - b.ndim):]
    prod = 1
    for k in oldshape:
        prod *= k
    if a.size != prod ** 2:
        # NumPy's message, its continuation-line spaces included
        raise E.LinAlgError('Input arrays must satisfy the requirement             '
                            'prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])')
    a = a.reshape(prod, prod)
    b = b.ravel()
    return solve(a, b).reshape(oldshape)


def tensorinv(a, ind=2):
    """The inverse of a with respect to tensordot over its first `ind`
    axes (numpy.linalg.tensorinv)."""
    a = E.as_device(a, 'tensorinv')
    oldshape = a.shape
    prod = 1
    if ind > 0:
        invshape = oldshape[ind:] + oldshape[:ind]
        for k in oldshape[ind:]:
            prod *= k
    else:
        raise ValueError('Invalid ind argument.')
    a = a.reshape(prod, -1)
    ia = inv(a)
    return ia.reshape(*invshape)


def multi_dot(arrays, *, out=None):
    """The product of two or more matrices in the cheapest order (NumPy's
    dynamic programming on the shapes); the first and last may be 1-D."""
    import gpuarray
    n = len(arrays)
    if n < 2:
        raise ValueError('Expecting at least two arrays.')
    arrays = [E.as_device(x, 'multi_dot') for x in arrays]
    if n == 2:
        return gpuarray.dot(arrays[0], arrays[1], out=out)
    ndim_first, ndim_last = arrays[0].ndim, arrays[-1].ndim
    if ndim_first == 1:
        arrays[0] = arrays[0].reshape(1, -1)
    if ndim_last == 1:
        arrays[-1] = arrays[-1].reshape(-1, 1)
    for x in arrays:
        if x.ndim != 2:
            raise E.LinAlgError('%d-dimensional array given. Array must be '
                                'two-dimensional' % x.ndim)
    order = _multi_dot_order([x.shape[0] for x in arrays] + [arrays[-1].shape[1]])

    def product(i, j):
        if i == j:
            return arrays[i]
        return gpuarray.dot(product(i, order[i][j]), product(order[i][j] + 1, j))

    result = product(0, n - 1)
    if ndim_first == 1 and ndim_last == 1:
        result = result[0, 0]
    elif ndim_first == 1 or ndim_last == 1:
        result = result.ravel()
    if out is not None:
        out[...] = result
        return out
    return result


def _multi_dot_order(p):
    """Cormen's matrix-chain order: s[i][j] is where to split i..j."""
    n = len(p) - 1
    m = [[0] * n for _ in range(n)]
    s = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            m[i][j] = None
            for k in range(i, j):
                q = m[i][k] + m[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if m[i][j] is None or q < m[i][j]:
                    m[i][j] = q
                    s[i][j] = k
    return s
