"""Advanced indexing against NumPy: integer index arrays (device, NumPy,
lists; negative; out of range) and boolean masks, reads and writes."""
import numpy as np
import pytest

import gpuarray as cp


@pytest.mark.parametrize('dtype', [np.float32, np.int64, np.complex64, np.bool_, np.uint8])
def test_integer_array_reads(random, rng, dtype):
    h = random((7, 5, 3), dtype)
    a = cp.asarray(h)
    idx = rng.integers(-7, 7, size=10)
    for key in [idx, cp.asarray(idx), list(idx), cp.asarray(idx.astype(np.int32)),
                cp.asarray(idx)[::-2], np.array([], np.int64)]:
        hk = key.get() if isinstance(key, cp.ndarray) else np.asarray(key, dtype=np.int64)
        got = a[key]
        want = h[hk]
        assert got.shape == want.shape and got.dtype == want.dtype
        assert got.flags.owndata
        np.testing.assert_array_equal(got.get(), want)


def test_integer_arrays_with_basic_indices(random, rng):
    h = random((6, 5, 4), np.float64)
    a = cp.asarray(h)
    i5 = rng.integers(-5, 5, size=7)
    i4 = rng.integers(0, 4, size=7)
    keys = [(slice(None), i5), (Ellipsis, i4), (1, slice(None), i4), (slice(None, None, -2), i5, 2),
            (i5, slice(1, 3)), (slice(None), i5, i4), (i5, slice(None), i4), (None, i5),
            (np.array([[0, 1], [2, 3]]), 0), (slice(None), [4, 0, -1])]
    for k in keys:
        dk = tuple(cp.asarray(x) if isinstance(x, np.ndarray) else x for x in k)
        got = a[dk]
        want = h[k]
        assert got.shape == want.shape, k
        np.testing.assert_array_equal(got.get(), want, err_msg=str(k))
    v = a[::-1, 1:]
    np.testing.assert_array_equal(v[cp.asarray(i5 % 4)].get(), h[::-1, 1:][i5 % 4])


def test_index_out_of_range_is_index_error():
    a = cp.zeros((3, 4))
    with pytest.raises(IndexError, match='index 5 is out of bounds for axis 0 with size 3'):
        a[cp.asarray([0, 5])]
    with pytest.raises(IndexError, match='index -4 is out of bounds for axis 0 with size 3'):
        a[cp.asarray([-4, 1])]
    with pytest.raises(IndexError, match='index 4 is out of bounds for axis 1 with size 4'):
        a[:, [1, 4]]
    with pytest.raises(IndexError, match='index 9 is out of bounds'):
        a[np.array([9])]
    with pytest.raises(IndexError, match='shape mismatch'):
        a[[1, 2], [1, 2, 3]]
    with pytest.raises(IndexError, match='too many indices'):
        a[[0], [0], [0]]
    with pytest.raises(IndexError):
        a[cp.asarray([0.5])]
    with pytest.raises(IndexError):
        a[[1.5]]


@pytest.mark.parametrize('dtype', [np.float64, np.int16, np.complex128])
def test_boolean_mask_reads(random, dtype):
    h = random((6, 7), dtype)
    a = cp.asarray(h)
    m = random((6, 7), np.bool_)
    got = a[cp.asarray(m)]
    np.testing.assert_array_equal(got.get(), h[m])
    assert got.shape == h[m].shape
    row = random((6,), np.bool_)
    np.testing.assert_array_equal(a[cp.asarray(row)].get(), h[row])
    col = random((7,), np.bool_)
    np.testing.assert_array_equal(a[:, cp.asarray(col)].get(), h[:, col])
    np.testing.assert_array_equal(a[::-1][cp.asarray(m)].get(), h[::-1][m])
    np.testing.assert_array_equal(a[m].get(), h[m])                 # a host mask
    if dtype != np.complex128:
        np.testing.assert_array_equal(a[a > 0].get(), h[h > 0])
    np.testing.assert_array_equal(a[cp.zeros((6, 7), np.bool_)].get(), h[np.zeros((6, 7), bool)])
    np.testing.assert_array_equal(a[cp.ones((6, 7), np.bool_)].get(), h[np.ones((6, 7), bool)])


def test_boolean_mask_large_and_strided(random):
    h = random((3000,), np.float32)
    a = cp.asarray(h)
    m = random((3000,), np.bool_)
    np.testing.assert_array_equal(a[cp.asarray(m)].get(), h[m])
    mm = cp.asarray(random((6000,), np.bool_))[::2]
    np.testing.assert_array_equal(a[mm].get(), h[mm.get()])


def test_boolean_mask_shape_mismatch():
    a = cp.zeros((3, 4))
    with pytest.raises(IndexError, match='boolean index did not match indexed array along axis 0; '
                                         'size of axis is 3 but size of corresponding boolean axis is 2'):
        a[cp.asarray([True, False])]
    with pytest.raises(IndexError, match='along axis 1'):
        a[cp.ones((3, 3), np.bool_)]


def test_python_bool_and_zero_d_keys(random):
    h = random((3, 2), np.float64)
    a = cp.asarray(h)
    np.testing.assert_array_equal(a[True].get(), h[True])
    assert a[False].shape == h[False].shape
    np.testing.assert_array_equal(a[np.array(1)].get(), h[np.array(1)])
    np.testing.assert_array_equal(a[cp.asarray(2)].get(), h[2])


@pytest.mark.parametrize('dtype', [np.float32, np.int32, np.complex64])
def test_integer_array_and_mask_writes(random, rng, dtype):
    h = random((6, 5), dtype)
    a = cp.asarray(h)
    idx = np.array([4, -1, 0, 2])
    a[cp.asarray(idx)] = 3
    h[idx] = 3
    vals = random((4, 5), dtype)
    a[idx] = cp.asarray(vals)
    h[idx] = vals
    a[:, [1, -2]] = random((1,), dtype)[0]
    h[:, [1, -2]] = a.get()[0, 1]
    m = random((6, 5), np.bool_)
    a[cp.asarray(m)] = 0
    h[m] = 0
    np.testing.assert_array_equal(a.get(), h)
    v = a[::-1, ::2]
    hv = h[::-1, ::2]
    v[[0, 2]] = cp.asarray(random((3,), dtype))[None] * 0 + 7
    hv[[0, 2]] = 7
    np.testing.assert_array_equal(a.get(), h)
    mv = random(hv.shape, np.bool_)
    v[cp.asarray(mv)] = cp.asarray(hv[mv] + 1)
    hv[mv] = hv[mv] + 1
    np.testing.assert_array_equal(a.get(), h)
    with pytest.raises(IndexError):
        a[[6]] = 1
