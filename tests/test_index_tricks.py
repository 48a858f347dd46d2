"""NumPy's index helpers on the device - ix_, r_, c_, tril/triu/diag
indices, mask_indices, fill_diagonal, select, extract, place, putmask,
vander - against NumPy on seeded random inputs."""
import numpy as np
import pytest

import gpuarray as cp

from conftest import assert_matches_numpy as compare, random_array

pytestmark = pytest.mark.device


def compare_all(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        compare(g, w)


def test_ix_(rng):
    a = random_array(rng, (5, 6, 4), np.float32)
    d = cp.asarray(a)
    rows, cols, deps = [0, 3, 4], np.array([True, False, True, True, False, True]), [2]
    got = cp.ix_(cp.asarray(np.array(rows)), cp.asarray(cols), deps)
    want = np.ix_(rows, cols, deps)
    compare_all(got, want)
    compare(d[got], a[want])
    compare_all(cp.ix_([], [1, 2]), np.ix_([], [1, 2]))
    with pytest.raises(ValueError, match='1 dimensional'):
        cp.ix_(cp.zeros((2, 2), np.int64))


def test_r_and_c_(rng):
    x = random_array(rng, (4,), np.float64)
    y = random_array(rng, (3,), np.int32)
    dx, dy = cp.asarray(x), cp.asarray(y)
    compare(cp.r_[dx, dy], np.r_[x, y])
    compare(cp.r_[dx, 0, 1.5, dy[::-1]], np.r_[x, 0, 1.5, y[::-1]])
    compare(cp.r_[1:7:2, dy], np.r_[1:7:2, y])
    compare(cp.r_[-1:1:5j], np.r_[-1:1:5j])
    compare(cp.c_[dx[:3], dy], np.c_[x[:3], y])
    m = random_array(rng, (2, 3), np.float32)
    dm = cp.asarray(m)
    compare(cp.r_[dm, dm], np.r_[m, m])
    compare(cp.r_['-1', dm, dm], np.r_['-1', m, m])
    compare(cp.r_['0,2', dx[:3], dm.astype(np.float64)], np.r_['0,2', x[:3], m.astype(np.float64)])
    compare(cp.r_['0,2,0', dx[:2], dx[2:]], np.r_['0,2,0', x[:2], x[2:]])
    compare(cp.c_[dm, dm], np.c_[m, m])
    with pytest.raises(TypeError, match='gpuarray.asarray'):
        cp.r_[x, dx]
    with pytest.raises(NotImplementedError):
        cp.r_['r', dx]


@pytest.mark.parametrize('k', [0, 1, -2])
def test_triangle_and_diagonal_indices(rng, k):
    compare_all(cp.tril_indices(5, k), np.tril_indices(5, k))
    compare_all(cp.triu_indices(4, k, 6), np.triu_indices(4, k, 6))
    a = random_array(rng, (4, 7), np.int16)
    d = cp.asarray(a)
    compare_all(cp.tril_indices_from(d, k), np.tril_indices_from(a, k))
    compare_all(cp.triu_indices_from(d, k), np.triu_indices_from(a, k))
    compare(d[cp.triu_indices_from(d, k)], a[np.triu_indices_from(a, k)])
    compare_all(cp.mask_indices(4, cp.triu, k), np.mask_indices(4, np.triu, k))


def test_diag_indices_and_fill_diagonal(rng):
    compare_all(cp.diag_indices(4, 3), np.diag_indices(4, 3))
    c = random_array(rng, (3, 3, 3), np.float64)
    compare_all(cp.diag_indices_from(cp.asarray(c)), np.diag_indices_from(c))
    for shape, wrap in [((4, 4), False), ((7, 3), False), ((7, 3), True), ((3, 6), False),
                        ((3, 3, 3), False)]:
        for val in (5, np.array([1.5, -2.0])):
            h = random_array(rng, shape, np.float32)
            d = cp.asarray(h)
            cp.fill_diagonal(d, cp.asarray(val) if isinstance(val, np.ndarray) else val,
                             wrap=wrap)
            np.fill_diagonal(h, val, wrap=wrap)
            compare(d, h)
    with pytest.raises(ValueError, match='at least 2-d'):
        cp.fill_diagonal(cp.zeros(3), 1)
    with pytest.raises(ValueError, match='equal length'):
        cp.fill_diagonal(cp.zeros((2, 3, 2)), 1)
    with pytest.raises(ValueError, match='equal length'):
        cp.diag_indices_from(cp.zeros((2, 3)))


def test_select_and_extract(rng):
    x = random_array(rng, (5, 6), np.float64)
    d = cp.asarray(x)
    conds = [x < -50, x > 50]
    choices = [x * 2, np.full(6, 7.0)]
    got = cp.select([d < -50, d > 50], [d * 2, cp.asarray(choices[1])], default=-1)
    compare(got, np.select(conds, choices, default=-1))
    i = random_array(rng, (5, 6), np.int16)
    compare(cp.select([d > 0], [cp.asarray(i)]), np.select([x > 0], [i]))
    with pytest.raises(ValueError, match='same length'):
        cp.select([d > 0], [d, d])
    with pytest.raises(ValueError, match='empty condition list'):
        cp.select([], [])
    with pytest.raises(TypeError, match='boolean'):
        cp.select([cp.asarray(i)], [d])
    compare(cp.extract(d > 0, d), np.extract(x > 0, x))
    compare(cp.extract(cp.asarray(i), d.T), np.extract(i, x.T))


def test_place_and_putmask(rng):
    for dtype in (np.float32, np.int64):
        h = random_array(rng, (4, 5), dtype)
        m = rng.random((4, 5)) < 0.4
        vals = random_array(rng, (3,), dtype)
        d = cp.asarray(h)
        cp.place(d, cp.asarray(m), cp.asarray(vals))
        e = h.copy()
        np.place(e, m, vals)
        compare(d, e)
        d = cp.asarray(h)
        cp.putmask(d, cp.asarray(m), cp.asarray(vals))
        e = h.copy()
        np.putmask(e, m, vals)
        compare(d, e)
    d = cp.asarray(random_array(rng, (3,), np.float64))
    with pytest.raises(ValueError, match='empty array'):
        cp.place(d, cp.asarray(np.array([True, False, True])), [])
    with pytest.raises(ValueError, match='same size'):
        cp.putmask(d, cp.asarray(np.array([True, False])), 1.0)


@pytest.mark.parametrize('dtype', [np.float64, np.int32, np.complex64])
def test_vander(rng, dtype):
    x = (rng.integers(-4, 5, 6) if np.dtype(dtype).kind == 'i' else
         rng.uniform(-2, 2, 6)).astype(dtype)
    d = cp.asarray(x)
    compare(cp.vander(d), np.vander(x))
    compare(cp.vander(d, 3, increasing=True), np.vander(x, 3, increasing=True))
    compare(cp.vander(d, 0), np.vander(x, 0))
    with pytest.raises(ValueError, match='one-dimensional'):
        cp.vander(cp.zeros((2, 2)))
