"""Basic indexing gives views that share memory; writes into views (strided
ones too) land in the base; set/fill/copy/astype of views run on the device."""
import numpy as np
import pytest

import gpuarray as cp

DTYPES = [np.float32, np.int64, np.complex128, np.bool_, np.float16, np.uint8]

KEYS = [1, -1, (2, 3), (2, 3, 1), slice(1, 4), (slice(None), 2), (slice(None, None, -1),),
        (Ellipsis, 0), (0, Ellipsis, slice(None, None, 2)), (None, 1), (slice(None), None, 1),
        (slice(4, 0, -2), slice(1, None, 3)), slice(10, 20), (Ellipsis,), (), (Ellipsis, None),
        (slice(None, None, -2), slice(None, None, -1), slice(None, None, -3)),
        (np.int64(2), slice(-1, None)), (slice(3, 3),)]


@pytest.mark.parametrize('dtype', DTYPES)
def test_views_match_numpy_and_share_memory(random, dtype):
    h = random((5, 6, 4), dtype)
    a = cp.asarray(h)
    for k in KEYS:
        v = a[k]
        assert v.shape == h[k].shape, k
        assert v.strides == h[k].strides, k
        assert v.base is a and not v.flags.owndata
        assert v.flags.c_contiguous == h[k].flags.c_contiguous, k
        assert v.flags.f_contiguous == h[k].flags.f_contiguous, k
        np.testing.assert_array_equal(v.get(), h[k])


def test_view_keeps_base_alive(random):
    h = random((8, 8), np.float64)
    v = cp.asarray(h)[1::2, ::-3]
    import gc
    gc.collect()
    np.testing.assert_array_equal(v.get(), h[1::2, ::-3])
    assert v.base.shape == (8, 8)


def test_views_of_views(random):
    h = random((9, 7), np.int32)
    a = cp.asarray(h)
    v = a[::-1][1::2][:, ::-2][1:]
    assert v.base is a
    np.testing.assert_array_equal(v.get(), h[::-1][1::2][:, ::-2][1:])
    v[...] = 0
    h[::-1][1::2][:, ::-2][1:] = 0
    np.testing.assert_array_equal(a.get(), h)


def test_zero_dim_and_empty(random):
    h = random((), np.float64)
    a = cp.asarray(h)
    assert a[()].shape == () and a[...].shape == () and a[None].shape == (1,)
    np.testing.assert_array_equal(a[None].get(), h[None])
    e = cp.zeros((0, 3))
    assert e[:, 1].shape == (0,) and e[::-1].shape == (0, 3)
    e[...] = 5       # nothing to write
    assert e.get().shape == (0, 3)


def test_out_of_range_and_bad_indices():
    a = cp.zeros((3, 4))
    with pytest.raises(IndexError, match='index 3 is out of bounds for axis 0 with size 3'):
        a[3]
    with pytest.raises(IndexError, match='index -5 is out of bounds for axis 1 with size 4'):
        a[0, -5]
    with pytest.raises(IndexError, match='too many indices for array'):
        a[1, 2, 3]
    with pytest.raises(IndexError, match='too many indices for array'):
        a[..., 1, 2, 3]
    with pytest.raises(IndexError, match='ellipsis'):
        a[..., ...]
    with pytest.raises(IndexError, match='valid indices'):
        a['x']
    with pytest.raises(IndexError, match='valid indices'):
        a[1.5]
    with pytest.raises(IndexError, match='array is 0-dimensional, but 1 were indexed'):
        cp.zeros(())[0]


# ----------------------------------------------------------------- setitem

@pytest.mark.parametrize('dtype', [np.float64, np.int32, np.complex64, np.float16])
def test_setitem_scalars_and_arrays_with_broadcasting(random, dtype):
    h = random((6, 5, 4), dtype)
    a = cp.asarray(h)
    r = random((4,), dtype)
    r2 = random((3, 1, 4), dtype)
    cases = [
        (1, 7), ((2, 3), -1), ((slice(None), 1), r), ((slice(None, None, 2), 0), r),
        ((slice(None, None, -2), slice(1, 4)), r2[:1]), ((slice(0, 3), slice(None), slice(None, None, -1)), r2),
        ((Ellipsis, slice(None, None, 3)), 2.5 if dtype != np.int32 else 2), ((slice(1, 5), None, 2), r),
        ((0,), [[1, 2, 3, 4]] * 5), ((slice(None), slice(None), 0), np.float64(3)),
    ]
    for k, val in cases:
        a[k] = cp.asarray(val) if isinstance(val, np.ndarray) and k != 1 else val
        h[k] = val
        np.testing.assert_array_equal(a.get(), h, err_msg=str(k))


def test_setitem_device_source_casts_and_broadcasts(random):
    h = random((4, 6), np.float32)
    a = cp.asarray(h)
    src = random((6,), np.int16)
    a[::-1, ::2] = cp.asarray(src[:3])
    h[::-1, ::2] = src[:3]
    a[1:3] = cp.asarray(src.astype(np.float64))[::-1]
    h[1:3] = src.astype(np.float64)[::-1]
    np.testing.assert_array_equal(a.get(), h)


def test_setitem_from_overlapping_view(random):
    h = random((10,), np.int64)
    a = cp.asarray(h)
    a[1:] = a[:-1]
    h[1:] = h[:-1].copy()
    np.testing.assert_array_equal(a.get(), h)
    a[::-1] = a
    h[::-1] = h.copy()
    np.testing.assert_array_equal(a.get(), h)


def test_setitem_broadcast_error_is_numpy_message():
    a = cp.zeros((2, 4))
    with pytest.raises(ValueError, match=r'could not broadcast input array from shape \(3,\) into '
                                         r'shape \(2,4\)'):
        a[0:2] = np.ones(3)
    with pytest.raises(ValueError, match='could not broadcast'):
        a[:, ::2] = cp.ones((3, 2))
    with pytest.raises(ValueError, match='cannot delete'):
        del a[0]


def test_setitem_leading_ones_are_dropped(random):
    h = random((3, 4), np.float64)
    a = cp.asarray(h)
    r = random((1, 1, 4), np.float64)
    a[1] = r
    h[1] = r
    a[::2, 1] = cp.asarray(r[0, :, :2])
    h[::2, 1] = r[0, :, :2]
    np.testing.assert_array_equal(a.get(), h)


@pytest.mark.parametrize('dtype', [np.float64, np.uint8, np.complex64, np.bool_])
def test_fill_and_set_of_strided_views(random, dtype):
    h = random((7, 6), dtype)
    a = cp.asarray(h)
    v = a[1::2, ::-3]
    val = random((), dtype)[()]
    v.fill(val)
    h[1::2, ::-3] = val
    np.testing.assert_array_equal(a.get(), h)
    r = random(h[::3, 1::2].shape, dtype)
    a[::3, 1::2].set(r)
    h[::3, 1::2] = r
    np.testing.assert_array_equal(a.get(), h)
    a.T.set(h.T.copy())           # F-contiguous view of a C array: one upload
    np.testing.assert_array_equal(a.get(), h)


def test_fill_from_one_element_device_array(random):
    a = cp.zeros((4, 4), np.float32)
    a[:, 1].fill(cp.asarray([3.5]))
    want = np.zeros((4, 4), np.float32)
    want[:, 1] = 3.5
    np.testing.assert_array_equal(a.get(), want)


# ------------------------------------------------------- copies and casts

@pytest.mark.parametrize('order', ['C', 'F', 'K', 'A'])
def test_copy_orders_of_views(random, order):
    h = random((5, 4, 3), np.float64)
    a = cp.asarray(h)
    for v, hv in [(a, h), (a[::-1, 1:, ::2], h[::-1, 1:, ::2]), (a.transpose(2, 0, 1), h.transpose(2, 0, 1)),
                  (a.T, h.T)]:
        c = v.copy(order=order)
        hc = hv.copy(order=order)
        assert c.flags.owndata and c.base is None
        assert c.flags.c_contiguous == hc.flags.c_contiguous, (order, hv.strides)
        assert c.flags.f_contiguous == hc.flags.f_contiguous, (order, hv.strides)
        np.testing.assert_array_equal(c.get(), hv)
        c[...] = 0                       # a copy, not a view
    np.testing.assert_array_equal(a.get(), h)


@pytest.mark.parametrize('src,dst', [(np.float64, np.int32), (np.int16, np.float32), (np.float32, np.float16),
                                     (np.int64, np.bool_), (np.float64, np.complex64), (np.uint8, np.int64)])
def test_astype_matches_numpy(random, src, dst):
    h = random((6, 5), src)
    if np.dtype(src).kind == 'f' and np.dtype(dst).kind in 'iu':
        h = np.clip(h, -1000, 1000)
    a = cp.asarray(h)
    for v, hv in [(a, h), (a[::2, ::-1], h[::2, ::-1]), (a.T, h.T)]:
        r = v.astype(dst)
        assert r.dtype == np.dtype(dst)
        np.testing.assert_array_equal(r.get(), hv.astype(dst))
        assert r.flags.f_contiguous == hv.astype(dst).flags.f_contiguous


def test_astype_copy_false_and_order():
    a = cp.zeros((3, 4), np.float32)
    assert a.astype(np.float32, copy=False) is a
    b = a.astype(np.float32)
    assert b is not a and b.flags.owndata
    assert a.astype(np.float64, order='F').flags.f_contiguous
    assert a.T.astype(np.float32, copy=False) is not None
    assert a.T.astype(np.float32, copy=False, order='C').flags.c_contiguous


def test_ascontiguousarray(random):
    h = random((4, 6), np.int32)
    a = cp.asarray(h)
    assert cp.ascontiguousarray(a) is a
    v = a[:, ::2]
    c = cp.ascontiguousarray(v)
    assert c.flags.c_contiguous and c.base is None
    np.testing.assert_array_equal(c.get(), np.ascontiguousarray(h[:, ::2]))
    f = cp.ascontiguousarray(a.T, dtype=np.float64)
    assert f.flags.c_contiguous and f.dtype == np.float64
    np.testing.assert_array_equal(f.get(), h.T.astype(np.float64))


def test_flags_object():
    a = cp.zeros((3, 4))
    f = a.flags
    assert f.c_contiguous and not f.f_contiguous and f.owndata
    assert f['C_CONTIGUOUS'] and f['OWNDATA'] and not f['F_CONTIGUOUS']
    t = a.T.flags
    assert t.f_contiguous and not t.c_contiguous and not t.owndata
    assert cp.zeros((1, 5))[:, ::2].flags.c_contiguous is False
    assert cp.zeros((0, 3)).flags.c_contiguous and cp.zeros((0, 3)).flags.f_contiguous
    with pytest.raises(KeyError):
        f['NOPE']


def test_get_of_any_view(random):
    h = random((5, 4, 6), np.complex64)
    a = cp.asarray(h)
    for k in [(slice(None, None, -1), slice(None), slice(None, None, -2)), (Ellipsis, 3), (1, slice(None, None, -1))]:
        np.testing.assert_array_equal(a[k].get(), h[k])
    np.testing.assert_array_equal(a.transpose(1, 2, 0)[::-1].get(), h.transpose(1, 2, 0)[::-1])
