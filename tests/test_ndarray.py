"""gpuarray.ndarray: creation, host<->device copies, attributes, elements,
views, and the CuPy conventions around them. NumPy is the reference, on
seeded random data of every supported dtype."""
import pickle
import sys

import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.cuda

#: Every element type a gpuarray.ndarray can have.
ALL_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]

SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 3, 4), (4, 0, 3)]


def assert_same(dev, host):
    """dev (a gpuarray.ndarray) holds exactly `host`."""
    assert isinstance(dev, cp.ndarray)
    assert dev.shape == host.shape and dev.dtype == host.dtype
    np.testing.assert_array_equal(dev.get(), host)


# ---------------------------------------------------------------- round trips

@pytest.mark.parametrize('dtype', ALL_DTYPES)
@pytest.mark.parametrize('shape', SHAPES)
def test_asarray_then_get_round_trips(random, dtype, shape):
    h = random(shape, dtype)
    a = cp.asarray(h)
    assert a.shape == h.shape and a.dtype == h.dtype and a.size == h.size
    g = a.get()
    assert type(g) is np.ndarray and g.flags.c_contiguous
    np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize('dtype', [np.int8, np.float16, np.float64, np.complex64])
def test_non_contiguous_host_input(random, dtype):
    h = random((6, 8), dtype)
    for view in [h[::2, 1::3], h.T, h[:, ::-1], h[::-1, ::-2]]:
        assert_same(cp.asarray(view), view)


def test_fortran_order_input_stays_fortran(random):
    h = np.asfortranarray(random((4, 5), np.float32))
    a = cp.asarray(h)
    assert a.flags.f_contiguous and not a.flags.c_contiguous
    assert a.strides == h.strides
    np.testing.assert_array_equal(a.get(), h)
    assert a.get().flags.f_contiguous


def test_big_endian_input_becomes_native(random):
    h = random((10,), np.float64).astype('>f8')
    a = cp.asarray(h)
    assert a.dtype == np.dtype('<f8')
    np.testing.assert_array_equal(a.get(), h)


def test_lists_scalars_and_dtype_casts():
    assert_same(cp.asarray([[1.5, -2.0], [3.25, 4.0]]), np.array([[1.5, -2.0], [3.25, 4.0]]))
    assert_same(cp.asarray([1, 2, 3]), np.array([1, 2, 3]))
    assert_same(cp.asarray(True), np.array(True))
    assert_same(cp.asarray(2.5), np.array(2.5))
    assert_same(cp.asarray(1 - 2j), np.array(1 - 2j))
    assert_same(cp.asarray([1.7, -2.5, 3.9], dtype=cp.int32), np.asarray([1.7, -2.5, 3.9], dtype=np.int32))
    assert_same(cp.array([1, 2], dtype='float16'), np.array([1, 2], dtype=np.float16))
    assert_same(cp.asarray(np.float32(3.5)), np.array(3.5, dtype=np.float32))


def test_asarray_of_a_device_array_is_the_same_object(random):
    a = cp.asarray(random((5,), np.float32))
    assert cp.asarray(a) is a
    assert cp.asarray(a, dtype=np.float32) is a
    assert cp.array(a, copy=False) is a


def test_asarray_with_another_dtype_casts(random):
    h = random((6,), np.float64)
    b = cp.asarray(cp.asarray(h), dtype=np.int16)
    assert_same(b, h.astype(np.int16))


def test_array_copies(random):
    h = random((3, 4), np.int32)
    a = cp.asarray(h)
    b = cp.array(a)
    assert b is not a and b.data.ptr != a.data.ptr
    assert_same(b, h)
    a.fill(7)
    assert_same(b, h)          # independent of the original


def test_array_ndmin(random):
    h = random((3,), np.float32)
    a = cp.array(h, ndmin=3)
    assert a.shape == (1, 1, 3)
    np.testing.assert_array_equal(a.get(), np.array(h, ndmin=3))


def test_asnumpy(random):
    h = random((2, 3), np.complex128)
    a = cp.asarray(h)
    np.testing.assert_array_equal(cp.asnumpy(a), h)
    assert cp.asnumpy(h) is h or np.array_equal(cp.asnumpy(h), h)
    out = np.empty_like(h)
    assert cp.asnumpy(a, out=out) is out
    np.testing.assert_array_equal(out, h)
    np.testing.assert_array_equal(cp.asnumpy([1, 2]), np.array([1, 2]))


def test_ascontiguousarray(random):
    h = np.asfortranarray(random((3, 4), np.float64))
    a = cp.ascontiguousarray(cp.asarray(h))
    assert a.flags.c_contiguous
    np.testing.assert_array_equal(a.get(), h)
    assert cp.ascontiguousarray(5.0).shape == (1,)


# ----------------------------------------------------------------- creation

def test_empty_attributes():
    a = cp.empty((3, 4))
    assert a.dtype == np.float64            # CuPy's default, as NumPy's
    assert (a.shape, a.strides, a.size, a.ndim, a.itemsize, a.nbytes) == ((3, 4), (32, 8), 12, 2, 8, 96)
    assert a.flags.c_contiguous and not a.flags.f_contiguous and a.flags.owndata
    assert a.base is None
    assert isinstance(a.data, cp.cuda.MemoryPointer) and isinstance(a.data.ptr, int)
    assert a.data.ptr != 0 and int(a.data) == a.data.ptr
    assert a.device == cp.cuda.Device(0)
    assert len(a) == 3


def test_empty_shapes_and_orders():
    assert cp.empty(5).shape == (5,)
    assert cp.empty([2, 3]).shape == (2, 3)
    assert cp.empty(np.int64(4)).shape == (4,)
    assert cp.empty((np.int32(2), 3)).shape == (2, 3)
    assert cp.empty(()).shape == () and cp.empty(()).size == 1
    f = cp.empty((3, 4), dtype=cp.float32, order='F')
    assert f.strides == (4, 12) and f.flags.f_contiguous
    z = cp.empty((0, 5))
    assert z.size == 0 and z.nbytes == 0
    assert cp.empty(3, dtype=int).dtype == np.dtype(int)
    assert cp.empty(3, dtype='complex64').dtype == np.complex64
    assert cp.empty(3, np.dtype('bool')).dtype == np.bool_


@pytest.mark.parametrize('shape', [-1, (2, -3), [4, -1]])
def test_negative_dimensions_are_value_errors(shape):
    with pytest.raises(ValueError, match='negative dimensions'):
        cp.empty(shape)
    with pytest.raises(ValueError, match='negative dimensions'):
        cp.zeros(shape)


@pytest.mark.parametrize('shape', [1.5, 'abc', (2, 1.5), None])
def test_bad_shapes_are_type_errors(shape):
    with pytest.raises(TypeError):
        cp.empty(shape)


def test_too_many_dimensions_or_bytes():
    with pytest.raises(ValueError):
        cp.empty((1,) * 33)
    with pytest.raises(ValueError, match='too big'):
        cp.empty((2 ** 40, 2 ** 40))


@pytest.mark.parametrize('dtype', [object, 'U3', 'S2', 'datetime64[s]', np.longdouble,
                                   [('a', 'f4')], '>f4'])
def test_unsupported_dtypes_are_type_errors(dtype):
    with pytest.raises(TypeError, match='dtype'):
        cp.empty(3, dtype=dtype)


def test_unsupported_host_data_is_a_type_error():
    with pytest.raises(TypeError, match='not supported'):
        cp.asarray(['a', 'b'])
    with pytest.raises(TypeError, match='not supported'):
        cp.asarray(np.array([1, None], dtype=object))


def test_bad_order_and_arguments():
    with pytest.raises(ValueError, match='order'):
        cp.empty(3, order='X')
    with pytest.raises(TypeError, match='unexpected keyword'):
        cp.empty(3, dtyp=np.float32)
    with pytest.raises(TypeError, match='positional'):
        cp.empty(3, np.float32, 'C', 4)
    with pytest.raises(TypeError, match='missing'):
        cp.zeros()


@pytest.mark.parametrize('dtype', ALL_DTYPES)
def test_zeros_ones(dtype):
    for shape in [(), (5,), (3, 7), (1001,)]:
        assert_same(cp.zeros(shape, dtype=dtype), np.zeros(shape, dtype=dtype))
        assert_same(cp.ones(shape, dtype=dtype), np.ones(shape, dtype=dtype))
    assert_same(cp.zeros((3, 4), dtype, order='F'), np.zeros((3, 4), dtype, order='F'))


@pytest.mark.parametrize('dtype', ALL_DTYPES)
def test_full_with_random_values(random, dtype):
    value = random((), dtype)[()]
    for shape in [(), (3,), (17, 5)]:
        assert_same(cp.full(shape, value, dtype=dtype), np.full(shape, value, dtype=dtype))


def test_full_infers_numpys_dtype():
    assert_same(cp.full(3, 7), np.full(3, 7))
    assert_same(cp.full((2, 2), 2.5), np.full((2, 2), 2.5))
    assert_same(cp.full(2, True), np.full(2, True))
    assert_same(cp.full(2, np.float32(1.25)), np.full(2, np.float32(1.25)))
    assert_same(cp.full(3, 2.7, dtype=np.int32), np.full(3, 2.7, dtype=np.int32))


def test_full_rejects_array_values_and_overflow():
    with pytest.raises(ValueError, match='scalar'):
        cp.full(3, [1, 2, 3])
    with pytest.raises(OverflowError):
        cp.full(3, 300, dtype=np.int8)


def test_fill_large_arrays_whose_bytes_do_not_repeat(random):
    # float64 values take the upload-and-double path; sizes around chunking
    for n in [1, 8191, 8192, 8193, 100003]:
        v = random((), np.float64)[()]
        a = cp.empty(n)
        a.fill(v)
        assert_same(a, np.full(n, v))
    a = cp.empty(50001, dtype=np.complex128)
    a.fill(1.5 - 2.25j)
    assert_same(a, np.full(50001, 1.5 - 2.25j))


def test_fill_values_whose_bytes_repeat():
    for dtype, v in [(np.int32, -1), (np.uint16, 0x0101), (np.int64, 0x0000000500000005),
                     (np.float32, 1.0), (np.int8, -7), (np.complex64, 0)]:
        a = cp.empty(1003, dtype=dtype)
        a.fill(v)
        assert_same(a, np.full(1003, v, dtype=dtype))


@pytest.mark.parametrize('args,kwargs', [((10,), {}), ((2, 11, 3), {}), ((0.5, 3.0, 0.25), {}),
                                         ((5,), {'dtype': np.float32}), ((-4, 4), {'dtype': np.int8}),
                                         ((3, -7, -2), {})])
def test_arange_matches_numpy(args, kwargs):
    assert_same(cp.arange(*args, **kwargs), np.arange(*args, **kwargs))


def test_arange_bad_dtype():
    with pytest.raises(TypeError):
        cp.arange(3, dtype=object)


@pytest.mark.parametrize('proto_on_device', [True, False])
def test_like_functions(random, proto_on_device):
    h = np.asfortranarray(random((3, 4), np.int16))
    p = cp.asarray(h) if proto_on_device else h
    e = cp.empty_like(p)
    assert e.shape == h.shape and e.dtype == h.dtype and e.flags.f_contiguous
    assert_same(cp.zeros_like(p), np.zeros_like(h))
    assert_same(cp.ones_like(p, dtype=np.float32), np.ones_like(h, dtype=np.float32))
    assert_same(cp.full_like(p, 9), np.full_like(h, 9))
    assert cp.empty_like(p, order='C').flags.c_contiguous
    assert cp.zeros_like(p, shape=(2, 5)).shape == (2, 5)


def test_ndarray_constructor():
    a = cp.ndarray((2, 3), dtype=np.float32)
    assert a.shape == (2, 3) and a.dtype == np.float32
    b = cp.ndarray((3, 2), np.float32, memptr=a.data)      # a view of the same bytes
    a.set(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(b.get(), np.arange(6, dtype=np.float32).reshape(3, 2))
    t = cp.ndarray((3, 2), np.float32, memptr=a.data, strides=(4, 12))
    np.testing.assert_array_equal(t.get(), a.get().T)
    r = cp.ndarray((3,), np.float32, memptr=a.data + 8, strides=(-4,))
    np.testing.assert_array_equal(r.get(), [2, 1, 0])
    with pytest.raises(ValueError, match='outside'):
        cp.ndarray((7,), np.float32, memptr=a.data)
    with pytest.raises(ValueError, match='outside'):
        cp.ndarray((3,), np.float32, memptr=a.data + 4, strides=(-4,))
    with pytest.raises(ValueError, match='strides'):
        cp.ndarray((3,), np.float32, memptr=a.data, strides=(4, 4))
    with pytest.raises(TypeError):
        cp.ndarray((2,), memptr=12345)


# ------------------------------------------------------------------ copies

def test_get_into_out(random):
    h = random((4, 5), np.float32)
    a = cp.asarray(h)
    out = np.empty((4, 5), np.float32)
    assert a.get(out=out) is out
    np.testing.assert_array_equal(out, h)
    fout = np.empty((4, 5), np.float32, order='F')
    a.get(out=fout)
    np.testing.assert_array_equal(fout, h)


@pytest.mark.parametrize('out,exc,match', [
    (np.empty((4, 4), np.float32), ValueError, 'shape'),
    (np.empty((4, 5), np.float64), TypeError, 'dtype'),
    ([0.0] * 20, TypeError, 'numpy'),
    (np.empty((4, 10), np.float32)[:, ::2], ValueError, 'contiguous'),
])
def test_get_bad_out(random, out, exc, match):
    a = cp.asarray(random((4, 5), np.float32))
    with pytest.raises(exc, match=match):
        a.get(out=out)


def test_get_into_read_only_out(random):
    a = cp.asarray(random((3,), np.float32))
    out = np.empty(3, np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match='read-only'):
        a.get(out=out)


def test_get_of_a_large_array(random):
    h = random((1 << 18,), np.float64)    # 2 MiB: the GIL is released
    np.testing.assert_array_equal(cp.asarray(h).get(), h)


def test_get_with_stream_and_order(random):
    h = random((3, 4), np.float64)
    a = cp.asarray(h)
    s = cp.cuda.Stream()
    np.testing.assert_array_equal(a.get(stream=s), h)
    assert a.get(order='F').flags.f_contiguous
    with pytest.raises(TypeError, match='stream'):
        a.get(stream=3)


@pytest.mark.parametrize('dtype', [np.uint8, np.float16, np.float32, np.complex128])
def test_set(random, dtype):
    a = cp.empty((5, 6), dtype=dtype)
    h = random((5, 6), dtype)
    a.set(h)
    assert_same(a, h)
    g = random((6, 5), dtype).T           # a non-contiguous host array
    a.set(g)
    assert_same(a, np.ascontiguousarray(g))
    s = cp.cuda.Stream()
    a.set(h, stream=s)
    s.synchronize()
    assert_same(a, h)


def test_set_bad_inputs(random):
    a = cp.empty((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match='shape'):
        a.set(np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match='dtype'):
        a.set(np.zeros((2, 3), np.float64))
    with pytest.raises(TypeError, match='numpy'):
        a.set([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(TypeError, match='numpy'):
        a.set(cp.zeros((2, 3), np.float32))


def test_copy_is_independent(random):
    h = random((4, 3), np.int64)
    a = cp.asarray(h)
    b = a.copy()
    assert b.data.ptr != a.data.ptr and b.flags.owndata
    a.fill(0)
    assert_same(b, h)
    f = cp.asarray(np.asfortranarray(h))
    assert f.copy().flags.c_contiguous and f.copy(order='K').flags.f_contiguous
    np.testing.assert_array_equal(f.copy().get(), h)
    import copy
    np.testing.assert_array_equal(copy.copy(a).get(), a.get())
    np.testing.assert_array_equal(copy.deepcopy(b).get(), h)


def test_astype(random):
    h = random((7,), np.float64)
    a = cp.asarray(h)
    assert_same(a.astype(np.float32), h.astype(np.float32))
    assert_same(a.astype(np.int8), h.astype(np.int8))
    assert a.astype(np.float64, copy=False) is a
    assert a.astype(np.float64).data.ptr != a.data.ptr


# ------------------------------------------------------------- elements

def test_textbook_scalar_print():
    # chapter 7.1: y = cp.ones(n, dtype=cp.float32) * 3 ... f"result[0] = {y[0]}"
    y = cp.ones(1000, dtype=cp.float32) * 3
    y[0] = 5.0
    assert f"result[0] = {y[0]}" == "result[0] = 5.0"
    assert y.dtype == np.float32


def test_indexing_a_1d_array_gives_0d_views(random):
    h = random((9,), np.float32)
    a = cp.asarray(h)
    for i in [0, 4, 8, -1, -9, np.int64(3)]:
        x = a[i]
        assert isinstance(x, cp.ndarray) and x.shape == () and x.base is a
        assert x.item() == h[i] and float(x) == float(h[i])
        assert x.data.ptr == a.data.ptr + (int(i) % 9) * 4


@pytest.mark.parametrize('i', [9, -10, 100])
def test_index_out_of_bounds(random, i):
    a = cp.asarray(random((9,), np.float32))
    with pytest.raises(IndexError, match='out of bounds'):
        a[i]


def test_0d_arrays_convert_like_numpy(random):
    f = cp.asarray(np.float32(2.75))
    assert float(f) == 2.75 and int(f) == 2 and complex(f) == 2.75 + 0j and bool(f)
    assert f"{f}" == "2.75" and f"{f:.3f}" == "2.750" and str(f) == '2.75'
    assert repr(f) == 'array(2.75, dtype=float32)'
    i = cp.asarray(np.int32(-5))
    assert [0, 1, 2, 3, 4, 5, 6][-int(i) + 1] == 6 and [10, 20, 30][cp.asarray(1)] == 20
    assert bool(cp.asarray(0)) is False
    with pytest.raises(TypeError, match='integer'):
        [1, 2][cp.asarray(1.0)]
    with pytest.raises(TypeError):
        len(f)
    with pytest.raises(TypeError):
        iter(f)
    with pytest.raises(IndexError):
        f[0]


def test_size_1_rules():
    a = cp.asarray([1.5, 2.5])
    with pytest.raises(TypeError, match='size-1'):
        float(a)
    with pytest.raises(ValueError, match='ambiguous'):
        bool(a)
    with pytest.raises(ValueError, match='ambiguous'):
        bool(cp.empty(0))
    with pytest.raises(ValueError, match='size 1'):
        a.item()
    with pytest.raises(TypeError, match='format'):
        f"{a:.2f}"
    assert float(cp.asarray([[4.5]])) == 4.5


def test_item_with_indices(random):
    h = random((3, 4), np.int32)
    a = cp.asarray(h)
    assert a.item(5) == h.item(5) and a.item(-1) == h.item(-1)
    assert a.item(2, 1) == h.item(2, 1) and a.item((1, 3)) == h.item((1, 3))
    assert type(a.item(0)) is int
    with pytest.raises(IndexError):
        a.item(12)
    with pytest.raises(IndexError):
        a.item(3, 0)


@pytest.mark.parametrize('dtype', ALL_DTYPES)
def test_item_types(random, dtype):
    h = random((2,), dtype)
    a = cp.asarray(h)
    assert a.item(1) == h.item(1) and type(a.item(1)) is type(h.item(1))


def test_repr_and_str_match_numpy(random):
    for h in [np.array([1., 2.], dtype=np.float32), random((3, 4), np.int16), random((2, 2), np.complex64),
              np.array([True, False]), np.zeros((0, 3))]:
        a = cp.asarray(h)
        assert repr(a) == repr(h) and str(a) == str(h)
    assert repr(cp.asarray(np.array([1., 2.], dtype=np.float32))) == 'array([1., 2.], dtype=float32)'


def test_len_and_iteration(random):
    h = random((4, 3), np.float64)
    a = cp.asarray(h)
    assert len(a) == 4
    rows = list(a)
    assert len(rows) == 4 and all(r.shape == (3,) for r in rows)
    np.testing.assert_array_equal(np.stack([r.get() for r in rows]), h)
    assert [float(x) for x in cp.asarray([1.5, 2.5])] == [1.5, 2.5]


def test_implicit_numpy_conversion_is_a_type_error():
    a = cp.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match='get'):
        np.asarray(a)
    with pytest.raises(TypeError):
        np.array([a, a])


def test_numpy_operands_defer_or_refuse():
    a = cp.asarray([1.0, 2.0])
    r = np.float64(2.0) * a                  # a NumPy scalar works, as a Python one
    assert isinstance(r, cp.ndarray)
    np.testing.assert_array_equal(r.get(), [2.0, 4.0])
    with pytest.raises(TypeError):
        np.ones(2) + a                       # host arrays do not mix, as in CuPy
    with pytest.raises(TypeError):
        a + np.ones(2)


def test_unhashable():
    with pytest.raises(TypeError):
        hash(cp.asarray([1]))


def test_pickle_round_trip(random):
    h = random((3, 2), np.complex64)
    b = pickle.loads(pickle.dumps(cp.asarray(h)))
    assert_same(b, h)


def test_tolist(random):
    h = random((2, 3), np.int64)
    assert cp.asarray(h).tolist() == h.tolist()


# ------------------------------------------------------------------- views

def test_basic_indexing_gives_views_like_numpy(random):
    h = random((5, 6, 4), np.float32)
    a = cp.asarray(h)
    keys = [1, -1, (2, 3), (2, 3, 1), slice(1, 4), (slice(None), 2), (slice(None, None, -1),),
            (Ellipsis, 0), (0, Ellipsis, slice(None, None, 2)), (None, 1), (slice(None), None, 1),
            (slice(4, 0, -2), slice(1, None, 3)), slice(10, 20), (Ellipsis,), ()]
    for k in keys:
        v = a[k]
        assert v.shape == h[k].shape, k
        assert v.base is a
        np.testing.assert_array_equal(v.get(), h[k])
        assert v.flags.c_contiguous == h[k].flags.c_contiguous, k


def test_views_of_views_share_one_base(random):
    a = cp.asarray(random((6, 6), np.int32))
    v = a[1:][::2]
    assert v.base is a and not v.flags.owndata


def test_bad_indices():
    a = cp.zeros((3, 4))
    with pytest.raises(IndexError, match='too many'):
        a[1, 2, 3]
    with pytest.raises(IndexError, match='ellipsis'):
        a[..., ...]
    with pytest.raises(IndexError, match='valid indices'):
        a['x']
    with pytest.raises(IndexError, match='valid indices'):
        a[1.5]
    with pytest.raises(IndexError, match='out of bounds'):
        a[[0, 3]]                    # advanced indexing: tests/test_indexing.py


def test_setitem(random):
    h = random((4, 5), np.float64)
    a = cp.asarray(h)
    a[1] = 7.5
    h[1] = 7.5
    a[2, 3] = -1
    h[2, 3] = -1
    r = random((5,), np.float64)
    a[3] = r
    h[3] = r
    a[0, 1:4] = [1, 2, 3]
    h[0, 1:4] = [1, 2, 3]
    a[1:3] = cp.asarray(r)          # broadcast from a device array, through the host
    h[1:3] = r
    a[0] = a[3]                      # device to device
    h[0] = h[3]
    a[...] = cp.asarray(h)
    np.testing.assert_array_equal(a.get(), h)


def test_setitem_into_strided_views():     # more in tests/test_views.py
    a = cp.zeros(10)
    a[::2] = 1.0
    a[1::2].fill(2.0)
    a[::-3].set(np.arange(4.0))
    want = np.zeros(10)
    want[::2] = 1.0
    want[1::2] = 2.0
    want[::-3] = np.arange(4.0)
    np.testing.assert_array_equal(a.get(), want)


def test_get_of_strided_views(random):
    h = random((7, 9), np.complex128)
    a = cp.asarray(h)
    for k in [(slice(None, None, -1), slice(None, None, 3)), (slice(None), 4), (slice(2, 6), slice(8, 0, -2))]:
        np.testing.assert_array_equal(a[k].get(), h[k])
        out = np.empty(h[k].shape, h.dtype)
        a[k].get(out=out)
        np.testing.assert_array_equal(out, h[k])
        np.testing.assert_array_equal(a[k].copy().get(), h[k])


def test_flags():
    a = cp.zeros((3, 4))
    f = a.flags
    assert f['C_CONTIGUOUS'] and not f['F_CONTIGUOUS'] and f['OWNDATA'] and f.c_contiguous
    assert 'C_CONTIGUOUS : True' in repr(f)
    col = a[:, 1]
    assert not col.flags.c_contiguous and not col.flags.f_contiguous and not col.flags.owndata
    with pytest.raises(KeyError):
        f['NOPE']


# ------------------------------------------------------- CUDA array interface

@pytest.mark.cuda_only('__cuda_array_interface__ describes CUDA memory; on the host backend it '
                       'raises AttributeError (tests/test_interop.py checks that)')
def test_cuda_array_interface(random):
    a = cp.asarray(random((3, 4), np.float32))
    cai = a.__cuda_array_interface__
    assert cai['version'] == 3 and cai['shape'] == (3, 4) and cai['typestr'] == '<f4'
    assert cai['data'] == (a.data.ptr, False) and cai['strides'] is None
    assert cai['stream'] == 1                       # the legacy null stream
    col = a[:, 1]
    assert col.__cuda_array_interface__['strides'] == (16,)
    assert col.__cuda_array_interface__['data'][0] == a.data.ptr + 4
    s = cp.cuda.Stream()
    with s:
        assert a.__cuda_array_interface__['stream'] == s.ptr
    assert cp.empty(0).__cuda_array_interface__['data'] == (0, False)


# ---------------------------------------------------- host fallback arithmetic

def test_arithmetic_matches_numpy(random):
    x = random((6,), np.float32)
    y = random((6,), np.float32)
    a, b = cp.asarray(x), cp.asarray(y)
    for got, want in [(a + b, x + y), (a - b, x - y), (a * b, x * y), (a / b, x / y),
                      (a * 3, x * 3), (3 * a, 3 * x), (2.5 - a, 2.5 - x), (-a, -x), (abs(a), abs(x)),
                      (a ** 2, x ** 2), (a < b, x < y), (a == a, x == x)]:
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got.get(), want, rtol=1e-6)
    i = cp.asarray(np.array([5, -3, 7], np.int32))
    np.testing.assert_array_equal((i // 2).get(), np.array([5, -3, 7], np.int32) // 2)
    np.testing.assert_array_equal((i & 6).get(), np.array([5, -3, 7], np.int32) & 6)


def test_in_place_arithmetic_keeps_the_array(random):
    x = random((5,), np.float64)
    a = cp.asarray(x)
    ptr = a.data.ptr
    a *= 3
    a += 1
    assert a.data.ptr == ptr
    np.testing.assert_allclose(a.get(), x * 3 + 1)
    i = cp.zeros(3, dtype=np.int32)
    with pytest.raises(TypeError):
        i += 1.5                             # NumPy's same-kind casting rule


# ----------------------------------------------------------------- refcounts

def test_dtype_refcounts_do_not_grow(random):
    d = np.dtype(np.float32)
    h = random((8,), np.float32)
    for _ in range(10):
        cp.empty(8, dtype=np.float32).get()
    before = sys.getrefcount(d)
    for _ in range(200):
        a = cp.empty(8, dtype=np.float32)
        b = cp.asarray(h)
        b.get()
        a[3]
        attrs = a.dtype, b.shape, a.data, a.__dlpack_device__(), b.__dlpack__()
        del a, b, attrs
    assert sys.getrefcount(d) == before


@pytest.mark.parametrize('nbytes', [(1 << 20) + 3, (4 << 20) - 8, (12 << 20) + 7, 37 << 20],
                         ids=lambda n: str(n))
def test_large_pageable_round_trips_at_chunk_edges(random, nbytes):
    # Big pageable copies are bounced through pinned chunks, each chunk's
    # memcpy split over threads: sizes around the chunk and part edges,
    # into new arrays and into reused ones, with an offset source view.
    h = random((nbytes + 16,), np.uint8)
    src = h[5:5 + nbytes]                              # not 16-byte aligned
    d = cp.asarray(src)
    np.testing.assert_array_equal(d.get(), src)
    out = np.full(nbytes, 0xAB, np.uint8)
    d.get(out=out)
    np.testing.assert_array_equal(out, src)
    d2 = cp.empty(nbytes, np.uint8)
    d2.set(h[3:3 + nbytes])
    np.testing.assert_array_equal(d2.get(), h[3:3 + nbytes])
