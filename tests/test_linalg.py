"""gpuarray.linalg against numpy.linalg on random, well-conditioned inputs:
every function, float32/64 and complex64/128 (integers promoted), batched
stacks, broadcasting, transposed views, empty stacks and 0 x 0 matrices,
LinAlgError for singular and non-positive-definite matrices, and NumPy's
exceptions for bad shapes.

Each test runs twice where it can: `native` is the active backend's own
path (NumPy's LAPACK on the host backend, cuSOLVER on CUDA); `cuda_path`
runs, on the host backend, the CUDA path's Python half (column-major
workspaces, transposes, leading dimensions, batch strides, the info read)
against _emulation.py, which does what ga_solver's contract says with
NumPy. On CUDA `cuda_path` is skipped: `native` is the real thing there."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray.linalg import _engine

from conftest import BACKEND

pytestmark = pytest.mark.device

RNG = np.random.default_rng(20261202)
DTYPES = ['float32', 'float64', 'complex64', 'complex128']


@pytest.fixture(params=['native', 'cuda_path'])
def mode(request):
    if request.param == 'cuda_path':
        if BACKEND != 'host':
            pytest.skip('the emulated CUDA path runs on the host backend only (on CUDA the '
                        'native path is cuSOLVER itself)')
        _engine.EMULATE_SOLVER = True
    yield request.param
    _engine.EMULATE_SOLVER = False


def sample(mode, dtype, keep):
    """The emulated CUDA path of a kernel-heavy test runs only the dtypes
    in `keep` (each dtype adds generated kernels that the host backend
    compiles with g++ on a cold cache); the native path runs them all."""
    if mode == 'cuda_path' and dtype not in keep:
        pytest.skip('cuda_path samples dtypes here (%s)' % ', '.join(keep))


def rand(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in 'iub':
        return RNG.integers(-4, 5, size=shape).astype(dtype)
    x = RNG.standard_normal(shape)
    if dtype.kind == 'c':
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def wellcond(shape, dtype):
    """Random plus n*I: comfortably invertible in float32."""
    n = shape[-1]
    a = rand(shape, dtype)
    if n:
        a = a + (2 * n * np.eye(n)).astype(a.dtype)
    return a


def hpd(shape, dtype):
    """A random Hermitian positive definite stack."""
    a = rand(shape, dtype)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def tol(dtype):
    single = np.dtype(dtype).char in 'fF'
    return dict(rtol=2e-4, atol=2e-4) if single else dict(rtol=1e-9, atol=1e-9)


def close(got, expected, dtype=None, **kw):
    assert isinstance(got, cp.ndarray), type(got)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got.get(), expected, **(kw or tol(dtype or expected.dtype)))


def same_error(ga_call, np_call, exc=None):
    """ga_call raises what np_call raises: the same class and message."""
    with pytest.raises(Exception) as want:
        np_call()
    with pytest.raises(type(want.value)) as got:
        ga_call()
    if exc is not None:
        assert isinstance(got.value, exc)
    assert str(got.value) == str(want.value)


# ------------------------------------------------------------------ basics

def test_linalgerror_is_numpys_class():
    assert cp.linalg.LinAlgError is np.linalg.LinAlgError


def test_numpy_linalg_dispatches_to_gpuarray():
    a = wellcond((4, 4), 'float64')
    b = rand((4,), 'float64')
    got = np.linalg.solve(cp.asarray(a), cp.asarray(b))
    close(got, np.linalg.solve(a, b))
    close(np.linalg.norm(cp.asarray(a)), np.linalg.norm(a))
    close(np.linalg.inv(cp.asarray(a)), np.linalg.inv(a))


def test_host_array_is_refused():
    with pytest.raises(TypeError, match='gpuarray.asarray'):
        cp.linalg.inv(np.eye(3))


# ------------------------------------------------------------------ solve

@pytest.mark.parametrize('dtype', DTYPES)
def test_solve_batched_matrix_rhs(mode, dtype):
    a = wellcond((3, 5, 5), dtype)
    b = rand((3, 5, 2), dtype)
    close(cp.linalg.solve(cp.asarray(a), cp.asarray(b)), np.linalg.solve(a, b))


@pytest.mark.parametrize('dtype', ['float32', 'complex128'])
def test_solve_vector_and_broadcast(mode, dtype):
    a = wellcond((2, 3, 4, 4), dtype)
    b = rand((4,), dtype)
    close(cp.linalg.solve(cp.asarray(a), cp.asarray(b)), np.linalg.solve(a, b))
    # one a, a stack of b; and a stack of a against one b matrix
    a1 = wellcond((4, 4), dtype)
    bs = rand((5, 4, 3), dtype)
    close(cp.linalg.solve(cp.asarray(a1), cp.asarray(bs)), np.linalg.solve(a1, bs))
    b1 = rand((4, 3), dtype)
    close(cp.linalg.solve(cp.asarray(a), cp.asarray(b1)), np.linalg.solve(a, b1))


def test_solve_stack_past_the_batched_lu_order(mode):
    # above BATCHED_LU_MAX_N a stack is factored one matrix per call
    from gpuarray.linalg import _solve
    n = _solve.BATCHED_LU_MAX_N + 3
    a = wellcond((2, n, n), 'float64')
    b = rand((2, n, 2), 'float64')
    close(cp.linalg.solve(cp.asarray(a), cp.asarray(b)), np.linalg.solve(a, b))
    close(cp.linalg.det(cp.asarray(a / n)), np.linalg.det(a / n), rtol=1e-8, atol=0)


def test_solve_transposed_views_and_promotion(mode):
    a = wellcond((6, 6), 'float64')
    b = rand((3, 6), 'float64')
    ga, gb = cp.asarray(a), cp.asarray(b)
    close(cp.linalg.solve(ga.T, gb.T), np.linalg.solve(a.T, b.T))
    ai = RNG.integers(-3, 4, (4, 4)) + 10 * np.eye(4, dtype=np.int64)
    bi = RNG.integers(-3, 4, (4,))
    close(cp.linalg.solve(cp.asarray(ai), cp.asarray(bi)), np.linalg.solve(ai, bi))
    # float32 with float64 promotes, as NumPy
    a32 = wellcond((3, 3), 'float32')
    close(cp.linalg.solve(cp.asarray(a32), cp.asarray(b[0, :3])), np.linalg.solve(a32, b[0, :3]))


def test_solve_empty(mode):
    for ashape, bshape in [((0, 3, 3), (0, 3, 2)), ((0, 0), (0,)), ((2, 0, 0), (2, 0, 1)),
                           ((3, 3), (3, 0))]:
        a = wellcond(ashape, 'float64')
        b = rand(bshape, 'float64')
        close(cp.linalg.solve(cp.asarray(a), cp.asarray(b)), np.linalg.solve(a, b))


def test_solve_singular_raises(mode):
    a = rand((2, 4, 4), 'float64')
    # one singular matrix in the stack: a zero column gives an exact zero
    # pivot in any elimination order (a repeated one may leave 1e-17)
    a[1, :, 2] = 0
    with pytest.raises(cp.linalg.LinAlgError, match='Singular matrix'):
        cp.linalg.solve(cp.asarray(a), cp.asarray(rand((2, 4), 'float64')[..., None]))


def test_solve_bad_shapes(mode):
    a = wellcond((3, 3), 'float64')
    for ga_a, np_a in [(cp.asarray(a[0]), a[0]), (cp.asarray(a[:, :2]), a[:, :2])]:
        same_error(lambda: cp.linalg.solve(ga_a, cp.asarray(a[0])),
                   lambda: np.linalg.solve(np_a, a[0]), np.linalg.LinAlgError)
    with pytest.raises(ValueError):
        cp.linalg.solve(cp.asarray(a), cp.asarray(rand((4,), 'float64')))
    with pytest.raises(TypeError, match='float16'):
        cp.linalg.solve(cp.asarray(a.astype(np.float16)), cp.asarray(a[0].astype(np.float16)))


@pytest.mark.parametrize('dtype', ['float32', 'complex128'])
def test_strided_and_reversed_views(mode, dtype):
    # every function reads its input through a strided view (steps of 2,
    # negative steps, a transposed stack) without a caller-side copy
    base = rand((3, 10, 10), dtype)
    base[:, ::2, 1::2] += (10 * np.eye(5)).astype(dtype)
    gbase = cp.asarray(base)
    views = [(base[:, ::2, 1::2], gbase[:, ::2, 1::2]),
             (base[::-1, ::-2, ::-2], gbase[::-1, ::-2, ::-2]),
             (np.swapaxes(base[:, ::2, 1::2], -1, -2), gbase[:, ::2, 1::2].swapaxes(-1, -2))]
    t = dict(rtol=1e-3, atol=1e-3) if dtype == 'float32' else tol(dtype)
    b = rand((5,), dtype)
    for host, dev in views:
        assert not dev.flags.c_contiguous
        close(cp.linalg.solve(dev, cp.asarray(b)), np.linalg.solve(host, b), **t)
        close(cp.linalg.inv(dev), np.linalg.inv(host), **t)
        close(cp.linalg.det(dev), np.linalg.det(host), **t)
        close(cp.linalg.svd(dev, compute_uv=False), np.linalg.svd(host, compute_uv=False), **t)
        q, r = cp.linalg.qr(dev)
        np.testing.assert_allclose(q.get() @ r.get(), host, **t)
    h = hpd((2, 5, 5), dtype)
    gh = cp.asarray(h)[::-1]
    close(cp.linalg.cholesky(gh), np.linalg.cholesky(h[::-1]), **t)
    close(cp.linalg.eigvalsh(gh.swapaxes(-1, -2), UPLO='U'),
          np.linalg.eigvalsh(np.swapaxes(h[::-1], -1, -2), UPLO='U'), **t)


# ------------------------------------------------------------------ inv, det

@pytest.mark.parametrize('dtype', DTYPES)
def test_inv(mode, dtype):
    a = wellcond((2, 5, 5), dtype)
    close(cp.linalg.inv(cp.asarray(a)), np.linalg.inv(a))
    close(cp.linalg.inv(cp.asarray(a)[0].T), np.linalg.inv(a[0].T))


def test_inv_singular_empty_and_shapes(mode):
    a = rand((3, 3), 'float32')
    a[:, 1] = 0                        # exactly singular in any elimination order
    with pytest.raises(cp.linalg.LinAlgError, match='Singular matrix'):
        cp.linalg.inv(cp.asarray(a))
    for shape in [(0, 0), (4, 0, 0), (0, 2, 2)]:
        x = np.zeros(shape)
        close(cp.linalg.inv(cp.asarray(x)), np.linalg.inv(x))
    same_error(lambda: cp.linalg.inv(cp.asarray(a[:2])), lambda: np.linalg.inv(a[:2]))
    same_error(lambda: cp.linalg.inv(cp.asarray(a[0])), lambda: np.linalg.inv(a[0]))


@pytest.mark.parametrize('dtype', DTYPES)
def test_det_slogdet(mode, dtype):
    sample(mode, dtype, ('float32', 'complex128'))
    a = rand((3, 4, 4), dtype)        # not shifted: signs of both kinds
    single = dtype in ('float32', 'complex64')
    close(cp.linalg.det(cp.asarray(a)), np.linalg.det(a), rtol=1e-3 if single else 1e-9,
          atol=1e-4)
    sign, logdet = cp.linalg.slogdet(cp.asarray(a))
    esign, elogdet = np.linalg.slogdet(a)
    close(sign, esign, atol=1e-4, rtol=1e-4)
    close(logdet, elogdet, atol=1e-4, rtol=1e-4)


def test_det_singular_int_and_empty(mode):
    a = rand((2, 3, 3), 'float64')
    a[0, :, 1] = 0                     # exactly singular in any elimination order
    d = cp.linalg.det(cp.asarray(a))
    assert d.get()[0] == 0
    close(d, np.linalg.det(a), atol=1e-12)
    sign, logdet = cp.linalg.slogdet(cp.asarray(a))
    assert sign.get()[0] == 0 and logdet.get()[0] == -np.inf
    ai = RNG.integers(-3, 4, (3, 3))
    close(cp.linalg.det(cp.asarray(ai)), np.linalg.det(ai))
    close(cp.linalg.det(cp.asarray(np.zeros((2, 0, 0)))), np.linalg.det(np.zeros((2, 0, 0))))
    close(cp.linalg.det(cp.asarray(np.zeros((0, 3, 3)))), np.linalg.det(np.zeros((0, 3, 3))))


# ------------------------------------------------------------------ cholesky

@pytest.mark.parametrize('dtype', DTYPES)
def test_cholesky(mode, dtype):
    h = hpd((2, 5, 5), dtype)
    close(cp.linalg.cholesky(cp.asarray(h)), np.linalg.cholesky(h))
    close(cp.linalg.cholesky(cp.asarray(h), upper=True), np.linalg.cholesky(h, upper=True))


def test_cholesky_reads_one_triangle_and_raises(mode):
    h = hpd((4, 4), 'float64')
    junk = h + np.triu(rand((4, 4), 'float64') * 100, 1)   # garbage above the diagonal
    close(cp.linalg.cholesky(cp.asarray(junk)), np.linalg.cholesky(junk))
    notpd = h - 100 * np.eye(4)
    with pytest.raises(cp.linalg.LinAlgError, match='not positive definite'):
        cp.linalg.cholesky(cp.asarray(notpd))
    close(cp.linalg.cholesky(cp.asarray(np.zeros((0, 0)))), np.linalg.cholesky(np.zeros((0, 0))))
    same_error(lambda: cp.linalg.cholesky(cp.asarray(h[:3])), lambda: np.linalg.cholesky(h[:3]))


@pytest.mark.parametrize('dtype', ['float64', 'complex64'])
def test_cholesky_reads_its_triangle_across_tiles(mode, dtype):
    # order 70: the transposing copies of the CUDA path (kernels/triangle.cuh)
    # work in 32 x 32 tiles; junk in the triangle each factor must not read
    h = hpd((3, 70, 70), dtype)
    junk = (rand((3, 70, 70), dtype) * 100).astype(dtype)
    low = h + np.triu(junk, 1)
    up = h + np.tril(junk, -1)
    close(cp.linalg.cholesky(cp.asarray(low)), np.linalg.cholesky(low))
    close(cp.linalg.cholesky(cp.asarray(up), upper=True), np.linalg.cholesky(up, upper=True))
    # a non-contiguous view and another dtype go through one copy first
    view = np.swapaxes(up, -1, -2).conj()
    close(cp.linalg.cholesky(cp.asarray(up).swapaxes(-1, -2).conj()), np.linalg.cholesky(view))


@pytest.mark.parametrize('lower_only', [False, True])
def test_cholesky_transposing_copy(lower_only):
    from gpuarray.linalg import _decompositions
    m = rand((2, 45, 45), 'complex128')
    got = _decompositions._transpose(cp.asarray(m), lower_only=lower_only).get()
    want = np.swapaxes(m, -1, -2)
    np.testing.assert_array_equal(got, np.tril(want) if lower_only else want)


# ------------------------------------------------------------------ qr

def _unitary_close(got, expected, dtype):
    """Q and R are unique up to a phase per column/row: compare magnitudes
    and check the factorization separately."""
    np.testing.assert_allclose(np.abs(got.get()), np.abs(expected), **tol(dtype))


@pytest.mark.parametrize('shape', [(2, 6, 4), (4, 6), (5, 5)])
@pytest.mark.parametrize('dtype', ['float64', 'complex64'])
def test_qr_modes(mode, shape, dtype):
    a = rand(shape, dtype)
    ga = cp.asarray(a)
    for qmode in ('reduced', 'complete'):
        q, r = cp.linalg.qr(ga, mode=qmode)
        eq, er = np.linalg.qr(a, mode=qmode)
        assert q.shape == eq.shape and r.shape == er.shape and q.dtype == eq.dtype
        _unitary_close(q, eq, dtype)
        _unitary_close(r, er, dtype)
        np.testing.assert_allclose(q.get() @ r.get(), a, **tol(dtype))
    r = cp.linalg.qr(ga, mode='r')
    _unitary_close(r, np.linalg.qr(a, mode='r'), dtype)
    h, tau = cp.linalg.qr(ga, mode='raw')
    eh, etau = np.linalg.qr(a, mode='raw')
    assert h.shape == eh.shape and tau.shape == etau.shape
    _unitary_close(tau, etau, dtype)


def test_qr_empty(mode):
    for shape in [(3, 0), (0, 3), (2, 0, 0), (0, 4, 2)]:
        z = np.zeros(shape)
        for qmode in ('reduced', 'complete'):
            for x, y in zip(cp.linalg.qr(cp.asarray(z), mode=qmode), np.linalg.qr(z, mode=qmode)):
                close(x, y)
        close(cp.linalg.qr(cp.asarray(z), mode='r'), np.linalg.qr(z, mode='r'))


def test_qr_transposed_and_bad_mode(mode):
    a = rand((3, 5), 'float32')
    q, r = cp.linalg.qr(cp.asarray(a).T)
    np.testing.assert_allclose(q.get() @ r.get(), a.T, **tol('float32'))
    same_error(lambda: cp.linalg.qr(cp.asarray(a), mode='bogus'),
               lambda: np.linalg.qr(a, mode='bogus'))
    same_error(lambda: cp.linalg.qr(cp.asarray(a[0])), lambda: np.linalg.qr(a[0]))


# ------------------------------------------------------------------ svd

@pytest.mark.parametrize('shape', [(2, 7, 4), (4, 7), (5, 5), (3, 1, 6)])
@pytest.mark.parametrize('dtype', DTYPES)
def test_svd(mode, shape, dtype):
    a = rand(shape, dtype)
    ga = cp.asarray(a)
    k = min(shape[-2:])
    for full in (True, False):
        u, s, vh = cp.linalg.svd(ga, full_matrices=full)
        eu, es, evh = np.linalg.svd(a, full_matrices=full)
        assert (u.shape, s.shape, vh.shape) == (eu.shape, es.shape, evh.shape)
        assert (u.dtype, s.dtype, vh.dtype) == (eu.dtype, es.dtype, evh.dtype)
        close(s, es)
        un, vhn = u.get(), vh.get()
        np.testing.assert_allclose((un[..., :k] * s.get()[..., None, :]) @ vhn[..., :k, :], a,
                                   **tol(dtype))
        # the extra columns of a full U / rows of a full Vh are orthonormal too
        eye_u = np.conj(np.swapaxes(un, -1, -2)) @ un
        np.testing.assert_allclose(eye_u, np.broadcast_to(np.eye(un.shape[-1]), eye_u.shape),
                                   atol=1e-4 if dtype in ('float32', 'complex64') else 1e-10)
    close(cp.linalg.svd(ga, compute_uv=False), np.linalg.svd(a, compute_uv=False))
    close(cp.linalg.svdvals(ga), np.linalg.svdvals(a))


@pytest.mark.parametrize('shape', [(2, 6, 4), (4, 6)])
def test_svd_falls_back_to_gesvd_when_jacobi_fails(mode, shape):
    if mode != 'cuda_path':
        pytest.skip('drives the emulated CUDA path')
    from gpuarray.linalg import _emulation
    a = rand(shape, 'complex128')
    _emulation.FAIL_OPS.add('gesvdj')
    try:
        for full in (True, False):
            u, s, vh = cp.linalg.svd(cp.asarray(a), full_matrices=full)
            eu, es, evh = np.linalg.svd(a, full_matrices=full)
            assert (u.shape, vh.shape) == (eu.shape, evh.shape)
            close(s, es)
            k = min(shape[-2:])
            np.testing.assert_allclose((u.get()[..., :k] * s.get()[..., None, :])
                                       @ vh.get()[..., :k, :], a, **tol('complex128'))
        _emulation.FAIL_OPS.add('gesvd')
        with pytest.raises(cp.linalg.LinAlgError, match='SVD did not converge'):
            cp.linalg.svd(cp.asarray(a))
    finally:
        _emulation.FAIL_OPS.clear()


def test_eig_failures_raise(mode):
    if mode != 'cuda_path':
        pytest.skip('drives the emulated CUDA path')
    from gpuarray.linalg import _emulation
    h = hpd((2, 3, 3), 'float64')
    _emulation.FAIL_OPS.update(('syevd', 'geev'))
    try:
        with pytest.raises(cp.linalg.LinAlgError, match='Eigenvalues did not converge'):
            cp.linalg.eigh(cp.asarray(h))
        with pytest.raises(cp.linalg.LinAlgError, match='Eigenvalues did not converge'):
            cp.linalg.eigvals(cp.asarray(h))
    finally:
        _emulation.FAIL_OPS.clear()


def test_svd_views_and_empty(mode):
    a = rand((6, 3), 'float64')
    close(cp.linalg.svd(cp.asarray(a).T, compute_uv=False), np.linalg.svd(a.T, compute_uv=False))
    for shape in [(0, 4, 3), (3, 0), (0, 3), (2, 0, 0), (2, 3, 0)]:
        z = np.zeros(shape)
        for full in (True, False):
            r = cp.linalg.svd(cp.asarray(z), full_matrices=full)
            e = np.linalg.svd(z, full_matrices=full)
            for x, y in zip(r, e):
                close(x, y)
        close(cp.linalg.svd(cp.asarray(z), compute_uv=False), np.linalg.svd(z, compute_uv=False))


# ------------------------------------------------------------------ eigh, eig

@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('uplo', ['L', 'U'])
def test_eigh_reads_the_named_triangle(mode, dtype, uplo):
    h = hpd((2, 5, 5), dtype)
    # garbage in the triangle that must not be read
    junk = rand((2, 5, 5), dtype) * 10
    a = h + (np.triu(junk, 1) if uplo == 'L' else np.tril(junk, -1))
    w, v = cp.linalg.eigh(cp.asarray(a), UPLO=uplo)
    ew, ev = np.linalg.eigh(a, UPLO=uplo)
    close(w, ew, rtol=1e-4, atol=1e-3 if dtype in ('float32', 'complex64') else 1e-9)
    assert v.shape == ev.shape and v.dtype == ev.dtype
    vn = v.get()
    np.testing.assert_allclose(h @ vn, vn * w.get()[..., None, :],
                               **(dict(rtol=1e-3, atol=2e-3) if dtype in ('float32', 'complex64')
                                  else tol(dtype)))
    close(cp.linalg.eigvalsh(cp.asarray(a), UPLO=uplo), np.linalg.eigvalsh(a, UPLO=uplo),
          rtol=1e-4, atol=1e-3 if dtype in ('float32', 'complex64') else 1e-9)


def test_eigh_stack_past_the_batched_jacobi_order(mode):
    # above 32 x 32 a stack runs one Xsyevd per matrix (below, syevjBatched)
    h = hpd((2, 40, 40), 'float64')
    w, v = cp.linalg.eigh(cp.asarray(h))
    close(w, np.linalg.eigvalsh(h), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(h @ v.get(), v.get() * w.get()[..., None, :], rtol=1e-9, atol=1e-8)


def test_eigh_errors_and_empty(mode):
    h = hpd((3, 3), 'float64')
    same_error(lambda: cp.linalg.eigh(cp.asarray(h), UPLO='X'),
               lambda: np.linalg.eigh(h, UPLO='X'))
    same_error(lambda: cp.linalg.eigh(cp.asarray(h[:2])), lambda: np.linalg.eigh(h[:2]))
    w, v = cp.linalg.eigh(cp.asarray(np.zeros((0, 0))))
    assert w.shape == (0,) and v.shape == (0, 0)


def same_eigenvalues(got, expected, t):
    """Each matrix's eigenvalues equal as multisets (their order, and the
    order inside a conjugate pair, is LAPACK's choice)."""
    got = got.reshape(-1, got.shape[-1]).astype(complex)
    expected = expected.reshape(-1, expected.shape[-1]).astype(complex)
    for g, e in zip(got, expected):
        left = list(g)
        for v in e:
            j = int(np.argmin([abs(v - x) for x in left]))
            np.testing.assert_allclose(left.pop(j), v, **t)


@pytest.mark.parametrize('dtype', ['float64', 'complex64'])
def test_eig(mode, dtype):
    a = rand((2, 5, 5), dtype)
    w, v = cp.linalg.eig(cp.asarray(a))
    ew = np.linalg.eigvals(a)
    wn, vn = w.get(), v.get()
    t = dict(rtol=1e-3, atol=1e-3) if dtype == 'complex64' else tol(dtype)
    same_eigenvalues(wn, ew, t)
    np.testing.assert_allclose(a @ vn, vn * wn[..., None, :], **t)
    np.testing.assert_allclose(np.linalg.norm(vn, axis=-2), 1, **t)
    wv = cp.linalg.eigvals(cp.asarray(a)).get()
    same_eigenvalues(wv, ew, t)


# ------------------------------------------------------------------ built on them

@pytest.mark.parametrize('shape', [(6, 4), (4, 6), (5, 5)])
def test_lstsq(mode, shape):
    for dtype in ('float64',) if mode == 'cuda_path' else ('float64', 'complex64'):
        a = rand(shape, dtype)
        for bshape in [(shape[0],), (shape[0], 3)]:
            b = rand(bshape, dtype)
            x, res, rank, s = cp.linalg.lstsq(cp.asarray(a), cp.asarray(b))
            ex, eres, erank, es = np.linalg.lstsq(a, b)
            t = dict(rtol=1e-3, atol=1e-3) if dtype == 'complex64' else tol(dtype)
            close(x, ex, **t)
            close(res, eres, **t)
            close(s, es, **t)
            assert int(rank) == int(erank)
    # rank deficient: no residuals, rank counted with rcond
    a = rand((6, 3), 'float64')
    a[:, 2] = a[:, 0]
    x, res, rank, s = cp.linalg.lstsq(cp.asarray(a), cp.asarray(rand((6,), 'float64')))
    assert int(rank) == 2 and res.shape == (0,)
    same_error(lambda: cp.linalg.lstsq(cp.asarray(a), cp.asarray(rand((5,), 'float64'))),
               lambda: np.linalg.lstsq(a, rand((5,), 'float64')))


def test_lstsq_empty(mode):
    for sa, sb in [((0, 3), (0,)), ((3, 0), (3,)), ((3, 0), (3, 2)), ((0, 3), (0, 2))]:
        a = np.zeros(sa)
        b = rand(sb, 'float64')
        x, res, rank, s = cp.linalg.lstsq(cp.asarray(a), cp.asarray(b))
        ex, eres, erank, es = np.linalg.lstsq(a, b)
        close(x, ex)
        close(res, eres)
        close(s, es)
        assert int(rank) == int(erank)


@pytest.mark.parametrize('dtype', ['float32', 'complex128'])
def test_pinv_rank_cond(mode, dtype):
    sample(mode, dtype, ('complex128',))
    a = rand((2, 6, 4), dtype)
    close(cp.linalg.pinv(cp.asarray(a)), np.linalg.pinv(a),
          **(dict(rtol=1e-3, atol=1e-4) if dtype == 'float32' else tol(dtype)))
    d = a.copy()
    d[1, :, 3] = d[1, :, 0]
    np.testing.assert_array_equal(cp.linalg.matrix_rank(cp.asarray(d)).get(),
                                  np.linalg.matrix_rank(d))
    np.testing.assert_array_equal(cp.linalg.matrix_rank(cp.asarray(d), rtol=0.5).get(),
                                  np.linalg.matrix_rank(d, rtol=0.5))
    assert cp.linalg.matrix_rank(cp.asarray(a[0, 0])) == np.linalg.matrix_rank(a[0, 0]) == 1
    sq = wellcond((3, 4, 4), dtype)
    t = dict(rtol=1e-3, atol=1e-4) if dtype == 'float32' else tol(dtype)
    for p in (None, 2, -2, 1, -1, np.inf, -np.inf, 'fro', 'nuc'):
        close(cp.linalg.cond(cp.asarray(sq), p), np.linalg.cond(sq, p), **t)
    sing = sq.copy()
    sing[0, 1] = sing[0, 0]
    got = cp.linalg.cond(cp.asarray(sing), 1).get()
    assert got[0] > 1e6 or np.isinf(got[0])


@pytest.mark.parametrize('dtype', ['float64', 'complex64'])
def test_norm(mode, dtype):
    sample(mode, dtype, ('float64',))
    x = rand((3, 4, 5), dtype)
    gx = cp.asarray(x)
    t = dict(rtol=1e-4, atol=1e-4) if dtype == 'complex64' else tol(dtype)
    close(cp.linalg.norm(gx), np.linalg.norm(x), **t)
    close(cp.linalg.norm(gx, keepdims=True), np.linalg.norm(x, keepdims=True), **t)
    for ord in (None, 0, 1, 2, 3.5, -1, np.inf, -np.inf):
        close(cp.linalg.norm(gx, ord, axis=1), np.linalg.norm(x, ord, axis=1), **t)
    for ord in (None, 'fro', 'nuc', 1, -1, 2, -2, np.inf, -np.inf):
        for axis in ((1, 2), (2, 0)):
            close(cp.linalg.norm(gx, ord, axis=axis), np.linalg.norm(x, ord, axis=axis), **t)
        close(cp.linalg.norm(gx[0], ord), np.linalg.norm(x[0], ord), **t)
    close(cp.linalg.norm(gx[0, 0], 3), np.linalg.norm(x[0, 0], 3), **t)
    same_error(lambda: cp.linalg.norm(gx, 'fro', axis=1),
               lambda: np.linalg.norm(x, 'fro', axis=1))
    same_error(lambda: cp.linalg.norm(gx, 3, axis=(0, 1)),
               lambda: np.linalg.norm(x, 3, axis=(0, 1)))
    same_error(lambda: cp.linalg.norm(gx, 2), lambda: np.linalg.norm(x, 2))
    same_error(lambda: cp.linalg.norm(gx, 2, axis=(1, 1)), lambda: np.linalg.norm(x, 2, axis=(1, 1)))
    xi = RNG.integers(-5, 5, (4, 4))
    close(cp.linalg.norm(cp.asarray(xi), 1), np.linalg.norm(xi, 1))


def test_vector_and_matrix_norm(mode):
    x = rand((3, 4, 5), 'float64')
    gx = cp.asarray(x)
    for axis in (None, 1, (0, 2)):
        for ord in (2, 1, np.inf, 0):
            close(cp.linalg.vector_norm(gx, axis=axis, ord=ord, keepdims=True),
                  np.linalg.vector_norm(x, axis=axis, ord=ord, keepdims=True))
        close(cp.linalg.vector_norm(gx, axis=axis), np.linalg.vector_norm(x, axis=axis))
    for ord in ('fro', 'nuc', 2, 1, -np.inf):
        close(cp.linalg.matrix_norm(gx, ord=ord), np.linalg.matrix_norm(x, ord=ord))
    close(cp.linalg.matrix_norm(gx, keepdims=True), np.linalg.matrix_norm(x, keepdims=True))


def test_matrix_power(mode):
    a = wellcond((2, 4, 4), 'float64') / 8
    ga = cp.asarray(a)
    for n in (0, 1, 2, 3, 6, -1, -3):
        close(cp.linalg.matrix_power(ga, n), np.linalg.matrix_power(a, n))
    ai = RNG.integers(-2, 3, (3, 3))
    for n in (0, 3):
        close(cp.linalg.matrix_power(cp.asarray(ai), n), np.linalg.matrix_power(ai, n))
    same_error(lambda: cp.linalg.matrix_power(ga, 1.5), lambda: np.linalg.matrix_power(a, 1.5))
    same_error(lambda: cp.linalg.matrix_power(ga[..., :3], 2),
               lambda: np.linalg.matrix_power(a[..., :3], 2))


def test_multi_dot():
    shapes = [(10,), (10, 3), (3, 30), (30, 5), (5,)]
    arrs = [rand(s, 'float64') for s in shapes]
    close(cp.linalg.multi_dot([cp.asarray(x) for x in arrs]), np.linalg.multi_dot(arrs))
    arrs2 = [rand(s, 'complex64') for s in [(4, 6), (6, 2), (2, 7)]]
    close(cp.linalg.multi_dot([cp.asarray(x) for x in arrs2]), np.linalg.multi_dot(arrs2),
          rtol=1e-4, atol=1e-4)
    same_error(lambda: cp.linalg.multi_dot([cp.asarray(arrs[1])]),
               lambda: np.linalg.multi_dot([arrs[1]]))


def test_tensorsolve_tensorinv(mode):
    a = wellcond((24, 24), 'float64').reshape(6, 4, 2, 3, 4)
    b = rand((6, 4), 'float64')
    close(cp.linalg.tensorsolve(cp.asarray(a), cp.asarray(b)), np.linalg.tensorsolve(a, b))
    a2 = wellcond((24, 24), 'float64').reshape(4, 6, 8, 3)
    close(cp.linalg.tensorinv(cp.asarray(a2), ind=2), np.linalg.tensorinv(a2, ind=2))
    a3 = np.moveaxis(a, 4, 0)          # axes=(0,) moves it back to the end
    close(cp.linalg.tensorsolve(cp.asarray(a3), cp.asarray(b), axes=(0,)),
          np.linalg.tensorsolve(a3, b, axes=(0,)))
    same_error(lambda: cp.linalg.tensorsolve(cp.asarray(a[..., :2]), cp.asarray(b)),
               lambda: np.linalg.tensorsolve(a[..., :2], b))


# ------------------------------------------------------------------ NumPy 2's additions

def test_array_api_additions():
    x = rand((2, 3, 3), 'complex128')
    y = rand((2, 3, 3), 'complex128')
    gx, gy = cp.asarray(x), cp.asarray(y)
    close(cp.linalg.vecdot(gx, gy), np.linalg.vecdot(x, y))
    close(cp.linalg.vecdot(gx, gy, axis=0), np.linalg.vecdot(x, y, axis=0))
    close(cp.linalg.outer(gx[0, 0], gy[1, 1]), np.linalg.outer(x[0, 0], y[1, 1]))
    close(cp.linalg.diagonal(gx, offset=1), np.linalg.diagonal(x, offset=1))
    close(cp.linalg.trace(gx), np.linalg.trace(x))
    close(cp.linalg.trace(gx, offset=-1), np.linalg.trace(x, offset=-1))
    close(cp.linalg.cross(gx, gy), np.linalg.cross(x, y))
    close(cp.linalg.cross(gx, gy, axis=1), np.linalg.cross(x, y, axis=1))
    close(cp.linalg.matrix_transpose(gx), np.linalg.matrix_transpose(x))
    close(cp.linalg.matmul(gx, gy), np.linalg.matmul(x, y))
    close(cp.linalg.tensordot(gx, gy[0], axes=1), np.linalg.tensordot(x, y[0], axes=1))
    same_error(lambda: cp.linalg.outer(gx, gy[0, 0]), lambda: np.linalg.outer(x, y[0, 0]))
    same_error(lambda: cp.linalg.cross(gx[..., :2], gy), lambda: np.linalg.cross(x[..., :2], y))
    same_error(lambda: cp.linalg.matrix_transpose(gx[0, 0]),
               lambda: np.linalg.matrix_transpose(x[0, 0]))


# ------------------------------------------------------------------ dtypes

@pytest.mark.parametrize('fn', ['inv', 'det', 'cholesky', 'eigvalsh', 'svdvals', 'pinv'])
def test_result_dtypes_follow_numpy(mode, fn):
    for dtype in ('float32', 'int64', 'complex64'):
        a = hpd((3, 3), 'float64').astype(dtype) if dtype != 'complex64' else hpd((3, 3), dtype)
        got = getattr(cp.linalg, fn)(cp.asarray(a))
        assert got.dtype == getattr(np.linalg, fn)(a).dtype, (fn, dtype)
