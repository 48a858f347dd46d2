"""gpuarray.linalg._emulation - ga_solver's contract written with NumPy,
for the tests only: on the host backend (device addresses are host
addresses) it does what cuSOLVER does to column-major buffers, so that the
CUDA path's Python half (workspace layouts, transposes, leading dimensions,
batch strides, info handling) runs and is checked against NumPy without a
GPU. It is not a second implementation of linalg: nothing calls it unless
_engine.EMULATE_SOLVER is set."""

import ctypes

import numpy

# Ops that report failure (info = 1 for every matrix) instead of running:
# lets a test drive the fallbacks (gesvdj -> gesvd) that real data rarely
# reaches.
FAIL_OPS = set()

_DTYPES = {'f': numpy.float32, 'd': numpy.float64, 'F': numpy.complex64, 'D': numpy.complex128}


def _mat(addr, dtype, rows, cols, ld, offset):
    """A writable NumPy view of the column-major rows x cols matrix at
    addr + offset elements with leading dimension ld."""
    es = numpy.dtype(dtype).itemsize
    if rows == 0 or cols == 0:
        return numpy.zeros((rows, cols), dtype)
    nbytes = ((cols - 1) * ld + rows) * es
    raw = (ctypes.c_char * nbytes).from_address(addr + offset * es)
    flat = numpy.frombuffer(raw, dtype=dtype)
    return numpy.lib.stride_tricks.as_strided(flat, (rows, cols), (es, ld * es))


def _vec(addr, dtype, n, offset):
    es = numpy.dtype(dtype).itemsize
    if n == 0:
        return numpy.zeros(0, dtype)
    raw = (ctypes.c_char * (n * es)).from_address(addr + offset * es)
    return numpy.frombuffer(raw, dtype=dtype)


def _hermitian(m, lower):
    t = numpy.tril(m) if lower else numpy.triu(m)
    off = numpy.tril(m, -1) if lower else numpy.triu(m, 1)
    h = t + off.conj().T
    d = numpy.arange(m.shape[0])
    h[d, d] = h[d, d].real
    return h


def _getrf(a):
    m, n = a.shape
    lu = a.copy()
    piv = numpy.zeros(min(m, n), numpy.int64)
    info = 0
    for j in range(min(m, n)):
        p = j + int(numpy.argmax(numpy.abs(lu[j:, j])))
        piv[j] = p + 1
        if p != j:
            lu[[j, p]] = lu[[p, j]]
        if lu[j, j] == 0:
            info = info or j + 1
            continue
        lu[j + 1:, j] /= lu[j, j]
        lu[j + 1:, j + 1:] -= numpy.outer(lu[j + 1:, j], lu[j, j + 1:])
    return lu, piv, info


def run(a, op, m=0, n=0, k=0, batch=1, lda=1, stride_a=0, b=0, ldb=1, stride_b=0, ipiv=0,
        stride_ipiv=0, w=0, stride_w=0, u=0, ldu=1, stride_u=0, vt=0, ldvt=1, stride_vt=0,
        info=0, lower=0, trans=0, jobu='N', jobvt='N', vectors=0):
    # The same arguments through the real binding first: its parsing and
    # ga_solver's checks (sizes, leading dimensions, jobs) run, and the
    # host backend then declines (it has no solver slot).
    from gpuarray import _core
    try:
        _core._solver(a, op, m=m, n=n, k=k, batch=batch, lda=lda, stride_a=stride_a, b=b,
                      ldb=ldb, stride_b=stride_b, ipiv=ipiv, stride_ipiv=stride_ipiv, w=w,
                      stride_w=stride_w, u=u, ldu=ldu, stride_u=stride_u, vt=vt, ldvt=ldvt,
                      stride_vt=stride_vt, info=info, lower=lower, trans=trans, jobu=jobu,
                      jobvt=jobvt, vectors=vectors)
    except NotImplementedError:
        pass
    # the host backend's streams are worker threads: the workspace copies
    # queued before this call may still be running (cuSOLVER would wait for
    # them in stream order)
    import gpuarray
    gpuarray.cuda.get_current_stream().synchronize()
    t = _DTYPES[a.dtype.char]
    rt = numpy.float32 if a.dtype.char in 'fF' else numpy.float64
    base = a.data.ptr
    if batch == 0 or n == 0 or (op in ('getrf', 'geqrf', 'gesvdj') and m == 0) or \
            (op in ('getrs', 'getrs_batched') and k == 0):
        return
    if op in FAIL_OPS:
        if info:
            _vec(info, numpy.int32, batch, 0)[...] = 1
        return
    for i in range(batch):
        A = _mat(base, t, m, n, lda, i * stride_a)
        code = 0
        # the batched (cuBLAS) forms take int32 pivots, cuSOLVER's int64
        pt = numpy.int32 if op.endswith('_batched') else numpy.int64
        if op in ('getrf', 'getrf_batched'):
            lu, piv, code = _getrf(A.copy())
            A[...] = lu
            _vec(ipiv, pt, min(m, n), i * stride_ipiv)[...] = piv
        elif op in ('getrs', 'getrs_batched'):
            piv = _vec(ipiv, pt, n, i * stride_ipiv)
            L = numpy.tril(A, -1) + numpy.eye(n, dtype=t)
            U = numpy.triu(A)
            PA = L @ U                       # = P A with P the row swaps in order
            full = PA.copy()
            for j in reversed(range(n)):
                p = int(piv[j]) - 1
                if p != j:
                    full[[j, p]] = full[[p, j]]
            opA = full if trans == 0 else (full.T if trans == 1 else full.conj().T)
            B = _mat(b, t, n, k, ldb, i * stride_b)
            with numpy.errstate(all='ignore'):
                try:
                    B[...] = numpy.linalg.solve(opA, B)
                except numpy.linalg.LinAlgError:
                    B[...] = numpy.nan
        elif op == 'potrf':
            try:
                c = numpy.linalg.cholesky(_hermitian(A, lower))
                if lower:
                    A[numpy.tril_indices(n)] = c[numpy.tril_indices(n)]
                else:
                    A[numpy.triu_indices(n)] = c.conj().T[numpy.triu_indices(n)]
            except numpy.linalg.LinAlgError:
                code = 1
        elif op == 'geqrf':
            h, tau = numpy.linalg.qr(A.copy(), mode='raw')
            A[...] = h.T
            _vec(w, t, min(m, n), i * stride_w)[...] = tau
        elif op == 'orgqr':
            tau = _vec(w, t, k, i * stride_w)
            Q = numpy.eye(m, dtype=t)[:, :n]
            for j in reversed(range(k)):
                v = numpy.zeros(m, t)
                v[j] = 1
                v[j + 1:] = A[j + 1:, j]
                Q = Q - tau[j] * numpy.outer(v, v.conj() @ Q)
            A[...] = Q
        elif op == 'gesvd':
            kk = min(m, n)
            if jobu == 'N' and jobvt == 'N':
                s = numpy.linalg.svd(A.copy(), compute_uv=False)
            else:
                uu, s, vh = numpy.linalg.svd(A.copy(), full_matrices=(jobu == 'A'))
                ku = m if jobu == 'A' else kk
                _mat(u, t, m, ku, ldu, i * stride_u)[...] = uu[:, :ku]
                kv = n if jobvt == 'A' else kk
                _mat(vt, t, kv, n, ldvt, i * stride_vt)[...] = vh[:kv]
            _vec(w, rt, kk, i * stride_w)[...] = s
        elif op == 'gesvdj':
            kk = min(m, n)
            uu, s, vh = numpy.linalg.svd(A.copy(), full_matrices=(jobu == 'A'))
            _vec(w, rt, kk, i * stride_w)[...] = s
            if vectors:
                ku = m if jobu == 'A' else kk
                kv = n if jobu == 'A' else kk
                _mat(u, t, m, ku, ldu, i * stride_u)[...] = uu[:, :ku]
                _mat(vt, t, n, kv, ldvt, i * stride_vt)[...] = vh[:kv].conj().T
        elif op == 'syevd':
            ev, vecs = numpy.linalg.eigh(_hermitian(A, lower))
            _vec(w, rt, n, i * stride_w)[...] = ev
            if vectors:
                A[...] = vecs
        elif op == 'geev':
            ev, vecs = numpy.linalg.eig(A.copy())
            _vec(w, t, n, i * stride_w)[...] = ev
            if vectors:
                _mat(u, t, n, n, ldu, i * stride_u)[...] = vecs
        else:
            raise ValueError('unknown op %r' % op)
        if info:
            _vec(info, numpy.int32, 1, i)[0] = code
