"""Shape functions against NumPy: reshape (view when possible), ravel,
flatten, transpose/.T, swapaxes, squeeze, expand_dims, concatenate, stack."""
import numpy as np
import pytest

import gpuarray as cp

AxisError = np.exceptions.AxisError if hasattr(np, 'exceptions') else np.AxisError


def shares_memory(v, a):
    return v.base is (a.base if a.base is not None else a)


@pytest.mark.parametrize('dtype', [np.float32, np.int16, np.complex128, np.bool_])
def test_reshape_matches_numpy(random, dtype):
    h = random((4, 6), dtype)
    a = cp.asarray(h)
    for shape in [(24,), (2, 12), (3, -1), (-1, 2, 2), (1, 24, 1), (4, 1, 6), (2, 2, 2, 3)]:
        r = a.reshape(shape)
        assert r.shape == h.reshape(shape).shape
        assert shares_memory(r, a) and not r.flags.owndata
        np.testing.assert_array_equal(r.get(), h.reshape(shape))
    np.testing.assert_array_equal(a.reshape(8, 3).get(), h.reshape(8, 3))
    np.testing.assert_array_equal(cp.reshape(a, (6, 4)).get(), np.reshape(h, (6, 4)))
    np.testing.assert_array_equal(a.reshape((3, 8), order='F').get(), h.reshape((3, 8), order='F'))


def test_reshape_of_views_is_a_view_when_numpy_s_is(random):
    h = random((6, 8), np.float64)
    a = cp.asarray(h)
    cases = [(a[:, ::2], h[:, ::2], (6, 2, 2)), (a[::2], h[::2], (3, 2, 4)), (a.T, h.T, (2, 4, 6)),
             (a[:, ::2], h[:, ::2], (24,)), (a.T, h.T, (48,)), (a[::-1], h[::-1], (3, 16)),
             (a[1:5, 2:6], h[1:5, 2:6], (16,)), (a[None, :, None], h[None, :, None], (2, 3, 8))]
    for v, hv, shape in cases:
        r = v.reshape(shape)
        want = hv.reshape(shape)
        np.testing.assert_array_equal(r.get(), want)
        assert (want.base is not None and np.shares_memory(want, h)) == shares_memory(r, a), shape
        if shares_memory(r, a):
            assert r.strides == want.strides


def test_reshape_copy_does_not_alias(random):
    h = random((4, 6), np.int32)
    a = cp.asarray(h)
    r = a[:, :3].reshape(12)
    assert r.flags.owndata
    r[...] = 0
    np.testing.assert_array_equal(a.get(), h)


def test_reshape_zero_dim_and_empty(random):
    a = cp.asarray(np.float64(3.5))
    assert a.reshape(1, 1).shape == (1, 1)
    assert a.reshape(-1).get().tolist() == [3.5]
    assert cp.zeros((1, 1)).reshape(()).shape == ()
    e = cp.zeros((0, 4))
    assert e.reshape(4, 0, 3).shape == (4, 0, 3)
    assert e.reshape(-1).shape == (0,)
    with pytest.raises(ValueError):
        e.reshape(-1, 0)


def test_reshape_errors_are_numpy_s():
    a = cp.zeros(6)
    with pytest.raises(ValueError, match=r'cannot reshape array of size 6 into shape \(4,\)'):
        a.reshape(4)
    with pytest.raises(ValueError, match='cannot reshape array of size 6 into shape'):
        a.reshape(4, -1)
    with pytest.raises(ValueError, match='can only specify one unknown dimension'):
        a.reshape(-1, -1)
    with pytest.raises(TypeError):
        a.reshape(2.0, 3)


def test_ravel_and_flatten(random):
    h = random((3, 4, 5), np.float32)
    a = cp.asarray(h)
    r = a.ravel()
    assert shares_memory(r, a)
    np.testing.assert_array_equal(r.get(), h.ravel())
    for v, hv in [(a[:, ::2], h[:, ::2]), (a.T, h.T), (a[::-1, 1], h[::-1, 1])]:
        np.testing.assert_array_equal(v.ravel().get(), hv.ravel())
        np.testing.assert_array_equal(cp.ravel(v).get(), np.ravel(hv))
        np.testing.assert_array_equal(v.flatten().get(), hv.flatten())
        np.testing.assert_array_equal(v.ravel('F').get(), hv.ravel('F'))
    f = a.flatten()
    assert f.flags.owndata
    f[...] = 0
    np.testing.assert_array_equal(a.get(), h)


def test_transpose_and_T(random):
    h = random((2, 3, 4), np.int64)
    a = cp.asarray(h)
    for axes in [None, (0, 2, 1), (2, 0, 1), (-1, 0, -2)]:
        t = a.transpose(axes) if axes is not None else a.transpose()
        want = h.transpose(axes)
        assert t.shape == want.shape and t.strides == want.strides and shares_memory(t, a)
        np.testing.assert_array_equal(t.get(), want)
        np.testing.assert_array_equal(cp.transpose(a, axes).get(), np.transpose(h, axes))
    np.testing.assert_array_equal(a.transpose(1, 0, 2).get(), h.transpose(1, 0, 2))
    np.testing.assert_array_equal(a.T.get(), h.T)
    assert a.T.flags.f_contiguous and not a.T.flags.c_contiguous
    assert cp.zeros(()).T.shape == ()
    with pytest.raises(ValueError, match='repeated axis in transpose'):
        a.transpose(0, 0, 1)
    with pytest.raises(ValueError, match="axes don't match array"):
        a.transpose(0, 1)
    with pytest.raises(AxisError):
        a.transpose(0, 1, 3)


def test_swapaxes_and_moveaxis(random):
    h = random((2, 3, 4), np.float64)
    a = cp.asarray(h)
    np.testing.assert_array_equal(a.swapaxes(0, 2).get(), h.swapaxes(0, 2))
    np.testing.assert_array_equal(cp.swapaxes(a, -1, 1).get(), np.swapaxes(h, -1, 1))
    np.testing.assert_array_equal(cp.moveaxis(a, 0, -1).get(), np.moveaxis(h, 0, -1))
    with pytest.raises(AxisError):
        a.swapaxes(0, 3)


def test_squeeze_and_expand_dims(random):
    h = random((1, 3, 1, 4), np.float32)
    a = cp.asarray(h)
    for axis in [None, 0, 2, (0, 2), -2]:
        s = a.squeeze(axis) if axis is not None else a.squeeze()
        np.testing.assert_array_equal(s.get(), h.squeeze(axis))
        assert s.shape == h.squeeze(axis).shape and shares_memory(s, a)
        np.testing.assert_array_equal(cp.squeeze(a, axis).get(), np.squeeze(h, axis))
    with pytest.raises(ValueError, match='cannot select an axis to squeeze out'):
        a.squeeze(1)
    with pytest.raises(AxisError):
        a.squeeze(4)
    g = random((3, 4), np.int8)
    b = cp.asarray(g)[:, ::-1]
    for axis in [0, 1, 2, -1, (0, 3), (1, -1)]:
        e = cp.expand_dims(b, axis)
        want = np.expand_dims(g[:, ::-1], axis)
        assert e.shape == want.shape and shares_memory(e, b)
        np.testing.assert_array_equal(e.get(), want)
    with pytest.raises(AxisError):
        cp.expand_dims(b, 3)
    with pytest.raises(ValueError, match='repeated axis'):
        cp.expand_dims(b, (0, 0))


@pytest.mark.parametrize('axis', [0, 1, -1, None])
def test_concatenate(random, axis):
    x = random((3, 4), np.float32)
    y = random((3, 4), np.float32)[::-1, ::-1]
    z = random((3, 4), np.int16)
    got = cp.concatenate([cp.asarray(x), cp.asarray(random((3, 4), np.float32))[::-1, ::-1] * 0
                          + cp.asarray(y), cp.asarray(z)], axis=axis)
    want = np.concatenate([x, y, z], axis=axis)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.get(), want)


def test_concatenate_shapes_and_errors(random):
    a = cp.asarray(random((2, 3), np.float64))
    b = cp.asarray(random((4, 3), np.float64))
    np.testing.assert_array_equal(cp.concatenate((a, b)).get(), np.concatenate((a.get(), b.get())))
    np.testing.assert_array_equal(cp.concatenate((a, cp.zeros((0, 3)))).get(), a.get())
    with pytest.raises(ValueError, match='all the input array dimensions except for the concatenation '
                                         'axis must match exactly'):
        cp.concatenate([a, b], axis=1)
    with pytest.raises(ValueError, match='same number of dimensions'):
        cp.concatenate([a, cp.zeros(3)])
    with pytest.raises(ValueError, match='need at least one array'):
        cp.concatenate([])
    with pytest.raises(ValueError, match='zero-dimensional'):
        cp.concatenate([cp.zeros(()), cp.zeros(())])
    with pytest.raises(AxisError):
        cp.concatenate([a, a], axis=2)
    out = cp.empty((4, 3))
    assert cp.concatenate([a, a], out=out) is out
    np.testing.assert_array_equal(out.get(), np.concatenate([a.get(), a.get()]))


@pytest.mark.parametrize('axis', [0, 1, 2, -1])
def test_stack(random, axis):
    hs = [random((3, 4), np.int32) for _ in range(3)]
    got = cp.stack([cp.asarray(h) for h in hs], axis=axis)
    np.testing.assert_array_equal(got.get(), np.stack(hs, axis=axis))


def test_stack_errors():
    with pytest.raises(ValueError, match='all input arrays must have the same shape'):
        cp.stack([cp.zeros((2, 3)), cp.zeros((3, 3))])
    with pytest.raises(AxisError):
        cp.stack([cp.zeros(3), cp.zeros(3)], axis=2)
    assert cp.stack([cp.zeros(()), cp.ones(())]).get().tolist() == [0.0, 1.0]


def test_reshape_copy_keyword(rng):
    h = rng.standard_normal((2, 6))
    a = cp.asarray(h)
    v = cp.reshape(a, (3, 4), copy=False)
    c = cp.reshape(a, (3, 4), copy=True)
    assert v.data.mem is a.data.mem and c.data.mem is not a.data.mem
    np.testing.assert_array_equal(c.get(), h.reshape(3, 4))
    with pytest.raises(ValueError, match='copy=False'):
        cp.reshape(a.T, (12,), copy=False)
    np.testing.assert_array_equal(np.reshape(a.T, (12,), copy=True).get(), h.T.reshape(12))
