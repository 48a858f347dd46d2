"""gpuarray.linalg._decompositions - cholesky, qr, svd, eigh, eigvalsh,
eig, eigvals and svdvals: NumPy's semantics, batched over leading axes.

The CUDA path hands cuSOLVER column-major matrices. A row-major (C-order)
copy of A read column-major is A^T, which is conj(A) for a Hermitian A;
the functions below pick whichever of the two copies (plain or with the
last axes swapped) puts the answer in the layout NumPy returns, so that
the workspace copy is the only one (results may then be transposed views,
as NumPy's own can be Fortran-ordered)."""

import numpy

from gpuarray import _core
from gpuarray.linalg import _engine as E
from gpuarray.linalg import _host

_la = numpy.linalg


def cholesky(a, /, *, upper=False):
    """The Cholesky factor L (A = L L^H, lower) or with upper=True U
    (A = U^H U) of each matrix of the stack; only that triangle of `a` is
    read. LinAlgError when a matrix is not positive definite."""
    a = E.as_device(a, 'cholesky')
    if E.on_host():
        return _host.call(_la.cholesky, (a,), upper=upper)
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    t = E.result_type(a)
    n = a.shape[-1]
    batch = E.batch_size(a.shape[:-2])
    info = E.new_info(batch)
    if upper:
        # NumPy's upper factor reads A's upper triangle. Column-major, the
        # C-order copy buf is A^T, whose lower triangle that is; cuSOLVER's
        # LOWER (its fast form: kernels/triangle.cuh) factors it as
        # A^T = M M^H, so A = conj(M) M^T = U^H U with U = M^T: buf read
        # row-major, its strict lower triangle (the input's) zeroed.
        buf = E.row_major(a, t)
        E.run(buf, 'potrf', m=n, n=n, batch=batch, lda=max(n, 1), stride_a=n * n,
              info=E.ptr(info), lower=1)
        E.check_info(info, 'Matrix is not positive definite')
        if buf.size:
            _zero_triangle()(n, 1, buf)
        return buf
    # The lower factor reads A's lower triangle: LOWER on A column-major
    # (the input transposed), A = L L^H, leaving L column-major; L in C
    # order is buf transposed, above the diagonal zero.
    c = a if (a.dtype == t and a.flags.c_contiguous) else E.row_major(a, t)
    if not c.size:
        return E.row_major(a, t)
    buf = _transpose(c, lower_only=False)
    E.run(buf, 'potrf', m=n, n=n, batch=batch, lda=max(n, 1), stride_a=n * n,
          info=E.ptr(info), lower=1)
    E.check_info(info, 'Matrix is not positive definite')
    return _transpose(buf, lower_only=True)


_zero_triangle_kernel = None


def _zero_triangle():
    """In place on a C-contiguous stack of order x order matrices: zero the
    strict upper triangle (upper == 0) or the strict lower one."""
    global _zero_triangle_kernel
    if _zero_triangle_kernel is None:
        from gpuarray import _elementwise
        _zero_triangle_kernel = _elementwise.ElementwiseKernel(
            'int64 order, int64 upper', 'T x',
            'const long long r = (i / order) % order, c = i % order;'
            'if (upper ? (r > c) : (c > r)) x = (T)0',
            'ga_linalg_zero_triangle')
    return _zero_triangle_kernel


_TRI_TILE, _TRI_ROWS, _GRID_Z_MAX = 32, 8, 65535
_transpose_modules = {}


def _transpose(src, lower_only):
    """Each matrix of the C-contiguous stack `src` transposed (above the
    diagonal zero when lower_only), as a new C-contiguous array
    (kernels/triangle.cuh)."""
    from gpuarray import _elementwise as _ew
    dt = src.dtype
    mod = _transpose_modules.get(dt)
    if mod is None:
        from gpuarray._kernel import RawModule
        source = (_ew.prelude(dt.kind == 'c') + 'typedef {} ga_value_t;\n'.format(_ew.ctype(dt)) +
                  _ew.template_sections('triangle.cuh')['transpose'])
        mod = _transpose_modules[dt] = RawModule(code=source)
    n = src.shape[-1]
    batch = src.size // (n * n)
    dst = _core.empty(src.shape, dt)
    tiles = -(-n // _TRI_TILE)
    mod.get_function('ga_tri_transpose')(
        (tiles, tiles, min(batch, _GRID_Z_MAX)), (_TRI_TILE, _TRI_ROWS),
        (src, dst, n, batch, int(bool(lower_only))))
    return dst


_QR_MODES = ('reduced', 'complete', 'r', 'raw')


def qr(a, mode='reduced'):
    """The QR decomposition of each matrix (numpy.linalg.qr): mode
    'reduced' (Q: M x K, R: K x N), 'complete' (Q: M x M, R: M x N), 'r'
    (R only) or 'raw' (LAPACK's h, shape N x M, and tau)."""
    if mode not in _QR_MODES:
        if mode in ('f', 'full', 'e', 'economic'):
            raise ValueError("The '%s' mode of qr is deprecated and removed in NumPy 2; use "
                             "'reduced', 'complete', 'r' or 'raw'" % mode)
        raise ValueError(f"Unrecognized mode '{mode}'")
    a = E.as_device(a, 'qr')
    if E.on_host():
        return _host.call(_la.qr, (a,), mode=mode)
    E.assert_stacked_2d(a)
    t = E.result_type(a)
    import gpuarray
    m, n = a.shape[-2:]
    k = min(m, n)
    bshape = a.shape[:-2]
    batch = E.batch_size(bshape)
    f = E.column_major(a, t)                       # (..., n, m): A column-major, lda = m
    tau = _core.empty(bshape + (k,), t)
    info = E.new_info(batch)
    E.run(f, 'geqrf', m=m, n=n, batch=batch, lda=max(m, 1), stride_a=m * n, w=E.ptr(tau),
          stride_w=k, info=E.ptr(info))
    if mode == 'raw':
        return f, tau
    r_rows = m if mode == 'complete' else k
    r = _core.zeros(bshape + (r_rows, n), t)
    if r.size:
        r[..., :k, :] = gpuarray.triu(f.swapaxes(-1, -2)[..., :k, :])
    if mode == 'r':
        return r
    if k == 0:
        # no reflectors: Q is the identity (M x M complete, M x 0 reduced),
        # written here rather than trusting orgqr with k = 0
        qc = m if mode == 'complete' else 0
        import gpuarray
        return E.result('QRResult')(E.row_major(gpuarray.eye(m, qc, dtype=t), t,
                                                bshape + (m, qc)), r)
    if mode == 'complete' and m > n:
        # Q is M x M: the N reflectors in the first N columns of an M x M
        # column-major buffer
        q = _core.empty(bshape + (m, m), t)
        if q.size:
            q[..., :n, :] = f
        E.run(q, 'orgqr', m=m, n=m, k=k, batch=batch, lda=max(m, 1), stride_a=m * m,
              w=E.ptr(tau), stride_w=k, info=E.ptr(info))
    else:
        # Q's K columns overwrite the first K columns of f in place
        q = f
        E.run(q, 'orgqr', m=m, n=k, k=k, batch=batch, lda=max(m, 1), stride_a=m * n,
              w=E.ptr(tau), stride_w=k, info=E.ptr(info))
        q = q[..., :k, :]
    return E.result('QRResult')(q.swapaxes(-1, -2), r)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """The singular value decomposition of each matrix (numpy.linalg.svd):
    SVDResult(U, S, Vh) with A = U diag(S) Vh, S descending; just S with
    compute_uv=False. hermitian=True is accepted; the CUDA path then runs
    the general SVD (same values)."""
    a = E.as_device(a, 'svd')
    if E.on_host():
        return _host.call(_la.svd, (a,), full_matrices=full_matrices, compute_uv=compute_uv,
                          hermitian=hermitian)
    E.assert_stacked_2d(a)
    t = E.result_type(a)
    rt = E.real_dtype(t)
    m, n = a.shape[-2:]
    k = min(m, n)
    bshape = a.shape[:-2]
    batch = E.batch_size(bshape)
    s = _core.empty(bshape + (k,), rt)
    info = E.new_info(batch)
    if k == 0:
        # nothing to factor: NumPy gives identities for the full factors
        s = _core.empty(bshape + (0,), rt)
        if not compute_uv:
            return s
        import gpuarray
        ku, kv = (m, n) if full_matrices else (0, 0)
        u = E.row_major(gpuarray.eye(m, ku, dtype=t), t, bshape + (m, ku))
        vh = E.row_major(gpuarray.eye(kv, n, dtype=t), t, bshape + (kv, n))
        return E.result('SVDResult')(u, s, vh)
    if compute_uv:
        r = _svd_jacobi(a, t, full_matrices)
        if r is not None:
            return r
    job = ('A' if full_matrices else 'S') if compute_uv else 'N'
    if m >= n:
        # A itself, column-major (cuSOLVER's gesvd wants rows >= columns):
        # A = U S V^H; U (m x ku) and V^H (k x n, ldvt = k... n) come back
        # column-major and are returned as transposed views.
        w = E.column_major(a, t)
        ku = m if full_matrices else k
        ub = _core.empty(bshape + (ku, m), t) if compute_uv else None
        vb = _core.empty(bshape + (n, n if full_matrices else k), t) if compute_uv else None
        E.run(w, 'gesvd', m=m, n=n, batch=batch, lda=max(m, 1), stride_a=m * n,
              w=E.ptr(s), stride_w=k, u=E.ptr(ub), ldu=max(m, 1), stride_u=ku * m,
              vt=E.ptr(vb), ldvt=max(vb.shape[-1] if compute_uv else 1, 1),
              stride_vt=(vb.shape[-1] * n if compute_uv else 0), info=E.ptr(info),
              jobu=job, jobvt=job)
        E.check_info(info, 'SVD did not converge')
        if not compute_uv:
            return s
        return E.result('SVDResult')(ub.swapaxes(-1, -2), s, vb.swapaxes(-1, -2))
    # m < n: factor A^T (n x m), which the plain row-major copy is when read
    # column-major: A^T = U1 S V1^H, so A = conj(V1) S U1^T. cuSOLVER's V1^H
    # (k x m, column-major) read row-major is conj(V1), i.e. NumPy's U, and
    # its U1 (n x kv) read row-major is U1^T, NumPy's Vh: both land as C
    # arrays.
    w = E.row_major(a, t)
    kv = n if full_matrices else k
    u_np = _core.empty(bshape + (m, k), t) if compute_uv else None        # V1^H: ldvt = k
    vh_np = _core.empty(bshape + (kv, n), t) if compute_uv else None      # U1: ldu = n
    E.run(w, 'gesvd', m=n, n=m, batch=batch, lda=max(n, 1), stride_a=m * n,
          w=E.ptr(s), stride_w=k, u=E.ptr(vh_np), ldu=max(n, 1), stride_u=kv * n,
          vt=E.ptr(u_np), ldvt=max(k, 1), stride_vt=m * k, info=E.ptr(info),
          jobu=job, jobvt=job)
    E.check_info(info, 'SVD did not converge')
    if not compute_uv:
        return s
    return E.result('SVDResult')(u_np, s, vh_np)


def _svd_jacobi(a, t, full_matrices):
    """SVDResult from cuSOLVER's Jacobi SVD (gesvdj, what torch.linalg.svd
    runs by default: faster than the QR-based gesvd for all but large
    matrices), or None when a matrix of the stack did not converge (the
    caller then runs gesvd, as torch does). gesvdj returns V, not V^H."""
    m, n = a.shape[-2:]
    k = min(m, n)
    bshape = a.shape[:-2]
    batch = E.batch_size(bshape)
    s = _core.empty(bshape + (k,), E.real_dtype(t))
    info = E.new_info(batch)
    job = 'A' if full_matrices else 'S'
    conj = t.kind == 'c'
    if m >= n:
        # A column-major: U (m x ku) and V (n x n; k == n) come back
        # column-major. U is returned as a transposed view; V read row-major
        # is V^T, i.e. Vh for real data (conjugated for complex).
        w = E.column_major(a, t)
        ku = m if full_matrices else k
        ub = _core.empty(bshape + (ku, m), t)
        vb = _core.empty(bshape + (n, n), t)
        E.run(w, 'gesvdj', m=m, n=n, batch=batch, lda=max(m, 1), stride_a=m * n, w=E.ptr(s),
              stride_w=k, u=E.ptr(ub), ldu=max(m, 1), stride_u=ku * m, vt=E.ptr(vb),
              ldvt=max(n, 1), stride_vt=n * n, info=E.ptr(info), jobu=job, vectors=1)
        if info.get().max(initial=0) > 0:
            return None
        u, vh = ub.swapaxes(-1, -2), (vb.conj() if conj else vb)
    else:
        # A^T (n x m) is the plain copy read column-major: A^T = U1 S V1^H,
        # A = conj(V1) S U1^T. U1 (n x kv) read row-major is U1^T = Vh; V1
        # (m x m) read row-major is V1^T, so U = conj(V1) = its conjugate
        # transposed view.
        w = E.row_major(a, t)
        kv = n if full_matrices else k
        u1 = _core.empty(bshape + (kv, n), t)
        v1 = _core.empty(bshape + (m, m), t)
        E.run(w, 'gesvdj', m=n, n=m, batch=batch, lda=max(n, 1), stride_a=m * n, w=E.ptr(s),
              stride_w=k, u=E.ptr(u1), ldu=max(n, 1), stride_u=kv * n, vt=E.ptr(v1),
              ldvt=max(m, 1), stride_vt=m * m, info=E.ptr(info), jobu=job, vectors=1)
        if info.get().max(initial=0) > 0:
            return None
        vh = u1
        u = (v1.conj() if conj else v1).swapaxes(-1, -2)
    return E.result('SVDResult')(u, s, vh)


def svdvals(x, /):
    """The singular values of each matrix, descending (NumPy 2)."""
    return svd(x, compute_uv=False)


def _check_uplo(UPLO):
    if UPLO not in ('L', 'U'):
        raise ValueError("UPLO argument must be 'L' or 'U'")


def _eigh(a, UPLO, vectors, what):
    _check_uplo(UPLO)
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    t = E.result_type(a)
    n = a.shape[-1]
    bshape = a.shape[:-2]
    batch = E.batch_size(bshape)
    lower = UPLO == 'L'
    if t.kind == 'c':
        f = E.column_major(a, t)        # A column-major: UPLO means what it says
    else:
        # real: the plain copy read column-major is A^T, the same symmetric
        # matrix with its triangles swapped, so the copy needs no transpose
        f = E.row_major(a, t)
        lower = not lower
    w = _core.empty(bshape + (n,), E.real_dtype(t))
    info = E.new_info(batch)
    E.run(f, 'syevd', m=n, n=n, batch=batch, lda=max(n, 1), stride_a=n * n, w=E.ptr(w),
          stride_w=n, info=E.ptr(info), lower=int(lower), vectors=int(vectors))
    E.check_info(info, 'Eigenvalues did not converge')
    return w, f.swapaxes(-1, -2)


def eigh(a, UPLO='L'):
    """Eigenvalues (ascending) and eigenvectors (columns) of each
    Hermitian/symmetric matrix; only the UPLO triangle is read."""
    a = E.as_device(a, 'eigh')
    if E.on_host():
        _check_uplo(UPLO)
        return _host.call(_la.eigh, (a,), UPLO=UPLO)
    w, v = _eigh(a, UPLO, True, 'eigh')
    return E.result('EighResult')(w, v)


def eigvalsh(a, UPLO='L'):
    """Eigenvalues (ascending) of each Hermitian/symmetric matrix."""
    a = E.as_device(a, 'eigvalsh')
    if E.on_host():
        _check_uplo(UPLO)
        return _host.call(_la.eigvalsh, (a,), UPLO=UPLO)
    return _eigh(a, UPLO, False, 'eigvalsh')[0]


def _eig(a, vectors):
    E.assert_stacked_2d(a)
    E.assert_stacked_square(a)
    ct = E.complex_dtype(E.result_type(a))
    n = a.shape[-1]
    bshape = a.shape[:-2]
    batch = E.batch_size(bshape)
    f = E.column_major(a, ct)
    w = _core.empty(bshape + (n,), ct)
    vr = _core.empty(bshape + (n, n), ct) if vectors else None
    info = E.new_info(batch)
    E.run(f, 'geev', m=n, n=n, batch=batch, lda=max(n, 1), stride_a=n * n, w=E.ptr(w),
          stride_w=n, u=E.ptr(vr), ldu=max(n, 1), stride_u=n * n, info=E.ptr(info),
          vectors=int(vectors))
    E.check_info(info, 'Eigenvalues did not converge')
    return w, (vr.swapaxes(-1, -2) if vectors else None)


def eig(a):
    """Eigenvalues and right eigenvectors (columns, unit norm) of each
    general square matrix. On CUDA (cusolverDnXgeev, CUDA 12.6 and newer)
    the results are complex even for a real matrix whose eigenvalues are
    all real (CuPy's behaviour; NumPy returns real arrays then); on the
    host backend they are NumPy's."""
    a = E.as_device(a, 'eig')
    if E.on_host():
        return _host.call(_la.eig, (a,))
    w, v = _eig(a, True)
    return E.result('EigResult')(w, v)


def eigvals(a):
    """Eigenvalues of each general square matrix (complex on CUDA, see eig)."""
    a = E.as_device(a, 'eigvals')
    if E.on_host():
        return _host.call(_la.eigvals, (a,))
    return _eig(a, False)[0]
