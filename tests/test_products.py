"""Products on the device - outer, inner, vdot, tensordot, kron, einsum,
cross, vecdot - against NumPy on seeded random inputs of sampled dtypes,
0-d, empty, strided and transposed views, broadcasting, and NumPy's
errors."""
import warnings

import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

DTYPES = [np.bool_, np.int8, np.int64, np.uint16, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]


def small(rng, shape, dtype):
    """Random values small enough that integer products do not all wrap
    and float16 sums stay accurate."""
    dt = np.dtype(dtype)
    if dt.kind == 'b':
        return rng.random(shape) < 0.5
    if dt.kind in 'iu':
        return rng.integers(0 if dt.kind == 'u' else -5, 6, shape).astype(dt)
    x = rng.uniform(-1, 1, shape)
    if dt.kind == 'c':
        x = x + 1j * rng.uniform(-1, 1, shape)
    return x.astype(dt)


def compare(got, expected):
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        tol = {2: 2e-2, 4: 2e-5, 8: 1e-12}[np.finfo(expected.dtype).bits // 8]
        np.testing.assert_allclose(got.get(), expected, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got.get(), expected)


@pytest.mark.parametrize('dtype', DTYPES)
def test_products_dtypes(rng, dtype):
    a = small(rng, (3, 4), dtype)
    b = small(rng, (4, 5), dtype)
    v = small(rng, (4,), dtype)
    da, db, dv = cp.asarray(a), cp.asarray(b), cp.asarray(v)
    compare(cp.outer(dv, da), np.outer(v, a))
    compare(cp.inner(da, dv), np.inner(a, v))
    compare(cp.tensordot(da, db, axes=1), np.tensordot(a, b, axes=1))
    compare(cp.kron(da, db[:2]), np.kron(a, b[:2]))
    compare(cp.einsum('ij,jk->ik', da, db), np.einsum('ij,jk->ik', a, b))
    compare(cp.vdot(da, da), np.vdot(a, a))
    compare(cp.vecdot(da, dv), np.vecdot(a, v))


EINSUM_CASES = [
    ('bij,bjk->bik', [(3, 4, 5), (3, 5, 2)]),
    ('ij,jk', [(3, 4), (4, 5)]),
    ('i,i', [(6,), (6,)]),
    ('i,i->i', [(6,), (6,)]),
    ('ij->ji', [(3, 4)]),
    ('ii->i', [(4, 4)]),
    ('ii', [(4, 4)]),
    ('iij->ji', [(3, 3, 2)]),
    ('...ij,...jk', [(2, 3, 4), (4, 5)]),
    ('...ij,...jk->...ik', [(2, 1, 3, 4), (3, 4, 5)]),
    ('ijk->', [(2, 3, 4)]),
    ('ijk->k', [(2, 3, 4)]),
    ('ij,ij->i', [(3, 4), (3, 4)]),
    ('ij,kj->ik', [(3, 4), (5, 4)]),
    ('i,j->ij', [(3,), (4,)]),
    ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 2)]),
    ('bhqd,bhkd->bhqk', [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ('ij,j->i', [(3, 4), (4,)]),
    (',i->i', [(), (3,)]),
    ('i,i', [(0,), (0,)]),
    ('ij,jk', [(0, 3), (3, 2)]),
    ('ji', [(2, 3)]),
    ('ij,ji', [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize('spec,shapes', EINSUM_CASES)
def test_einsum(rng, spec, shapes):
    for dt in (np.float32, np.int32):
        ops = [small(rng, s, dt) for s in shapes]
        compare(cp.einsum(spec, *[cp.asarray(o) for o in ops]), np.einsum(spec, *ops))


def test_einsum_views_forms_out(rng):
    a = small(rng, (6, 8), np.float64)
    b = small(rng, (8, 6), np.complex128)
    da, db = cp.asarray(a), cp.asarray(b)
    compare(cp.einsum('ij,jk->ik', da[::2, 1::2], db[1::2, ::-2]),
            np.einsum('ij,jk->ik', a[::2, 1::2], b[1::2, ::-2]))
    compare(cp.einsum('ij,jk', da.T, db.T), np.einsum('ij,jk', a.T, b.T))
    # the sublist form
    compare(cp.einsum(da, [0, 1], db, [1, 2], [0, 2]), np.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    compare(cp.einsum(da, [Ellipsis, 1], [Ellipsis]), np.einsum(a, [Ellipsis, 1], [Ellipsis]))
    out = cp.zeros((6, 6), np.complex128)
    r = cp.einsum('ij,jk->ik', da, db, out=out)
    assert r is out
    compare(out, np.einsum('ij,jk->ik', a, b))
    compare(cp.einsum('ij->i', da, dtype=np.float32, casting='same_kind'),
            np.einsum('ij->i', a, dtype=np.float32, casting='same_kind'))
    i8 = small(rng, (50,), np.int8) * 10
    compare(cp.einsum('i,i', cp.asarray(i8), cp.asarray(i8)), np.einsum('i,i', i8, i8))
    compare(cp.einsum('ij,jk', da, db, optimize=True), np.einsum('ij,jk', a, b, optimize=True))


def test_einsum_errors(rng):
    d = cp.asarray(small(rng, (2, 3), np.float32))
    for spec, ops in [('ij,jk', (d, cp.ones((4, 2)))), ('ii->ii', (cp.ones((2, 2)),)),
                      ('i->j', (cp.ones(2),)), ('ijk->', (d,)), ('ij', (d, d)),
                      ('i1', (cp.ones((2, 2)),)), ('ij,jk', (d,)), ('...i->i', (d,))]:
        with pytest.raises(ValueError):
            cp.einsum(spec, *ops)
    with pytest.raises(TypeError):
        cp.einsum('ij->i', d, dtype=np.int8)
    with pytest.raises(TypeError):
        cp.einsum('ij', np.ones((2, 3)))


def test_tensordot_forms(rng):
    a = small(rng, (3, 4, 5), np.float64)
    b = small(rng, (4, 3, 2), np.float64)
    da, db = cp.asarray(a), cp.asarray(b)
    compare(cp.tensordot(da, db, axes=([0, 1], [1, 0])), np.tensordot(a, b, axes=([0, 1], [1, 0])))
    compare(cp.tensordot(da, db, axes=0), np.tensordot(a, b, axes=0))
    compare(cp.tensordot(da, db, axes=(1, 0)), np.tensordot(a, b, axes=(1, 0)))
    compare(cp.tensordot(da[:, ::-1, 1:3], db.T, axes=1),
            np.tensordot(a[:, ::-1, 1:3], b.T, axes=1))
    with pytest.raises(ValueError, match='shape-mismatch'):
        cp.tensordot(da, db, axes=1)
    with pytest.raises(ValueError, match='shape-mismatch'):
        cp.tensordot(da, db, axes=([0], [0, 1]))


def test_inner_vdot_outer_kron_edge(rng):
    a = small(rng, (2, 3), np.complex64)
    da = cp.asarray(a)
    compare(cp.inner(da, cp.asarray(np.complex64(2))), np.inner(a, np.complex64(2)))
    compare(cp.inner(da, da), np.inner(a, a))
    compare(cp.vdot(da, da.T), np.vdot(a, a.T))
    compare(cp.outer(da, da[0]), np.outer(a, a[0]))
    out = cp.zeros((6, 3), np.complex64)
    cp.outer(da, da[0], out=out)
    compare(out, np.outer(a, a[0]))
    compare(cp.kron(da, cp.asarray(np.float32(3))), np.kron(a, np.float32(3)))
    compare(cp.kron(da[0], da), np.kron(a[0], a))
    compare(cp.outer(cp.zeros(0), da), np.outer(np.zeros(0), a))
    with pytest.raises(ValueError, match='not aligned'):
        cp.inner(da, cp.ones(4))
    with pytest.raises(ValueError):
        cp.vdot(da, cp.ones(4))


def test_cross(rng):
    a = small(rng, (4, 3), np.float64)
    b = small(rng, (4, 3), np.float64)
    da, db = cp.asarray(a), cp.asarray(b)
    compare(cp.cross(da, db), np.cross(a, b))
    compare(cp.cross(da, db[0]), np.cross(a, b[0]))
    compare(cp.cross(da.T, db.T, axisa=0, axisb=0, axisc=0),
            np.cross(a.T, b.T, axisa=0, axisb=0, axisc=0))
    compare(cp.cross(da.T, db.T, axis=0), np.cross(a.T, b.T, axis=0))
    i = small(rng, (5, 3), np.int32)
    compare(cp.cross(cp.asarray(i), cp.asarray(i[::-1])), np.cross(i, i[::-1]))
    # 2-vectors: deprecated in NumPy 2.0, refused from 2.5 on; gpuarray
    # does what the installed NumPy does
    for x, y, dx, dy in ((a[:, :2], b, da[:, :2], db), (a, b[:, :2], da, db[:, :2]),
                         (a[:, :2], b[:, :2], da[:, :2], db[:, :2])):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', DeprecationWarning)
                expected = np.cross(x, y)
        except ValueError:
            with pytest.raises(ValueError, match='incompatible dimensions'):
                cp.cross(dx, dy)
        else:
            with pytest.warns(DeprecationWarning):
                compare(cp.cross(dx, dy), expected)
    with pytest.raises(ValueError, match='incompatible dimensions'):
        cp.cross(cp.ones((2, 4)), cp.ones((2, 3)))
    with pytest.raises(np.exceptions.AxisError):
        cp.cross(da, db, axisa=2)


def test_vecdot(rng):
    a = small(rng, (2, 3, 4), np.complex128)
    b = small(rng, (3, 4), np.complex128)
    da, db = cp.asarray(a), cp.asarray(b)
    compare(cp.vecdot(da, db), np.vecdot(a, b))
    compare(cp.vecdot(da[:, ::-1], db, axis=-1), np.vecdot(a[:, ::-1], b))
    compare(cp.vecdot(da.transpose(0, 2, 1), db.T, axis=-2),
            np.vecdot(a.transpose(0, 2, 1), b.T, axis=-2))
    compare(cp.vecdot(cp.zeros((2, 0)), cp.zeros((2, 0))), np.vecdot(np.zeros((2, 0)),
                                                                     np.zeros((2, 0))))
    with pytest.raises(ValueError, match='mismatch in its core dimension'):
        cp.vecdot(da, cp.ones(3))
    with pytest.raises(ValueError):
        cp.vecdot(cp.asarray(np.float64(1)), cp.ones(1))
