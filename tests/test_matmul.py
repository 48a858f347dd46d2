"""gpuarray.matmul, gpuarray.dot and the @ operator against NumPy on random
inputs: dtypes, 1-D and batched operands, broadcasting, transposed and
strided views, out=, and NumPy's errors."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

RNG = np.random.default_rng(1234)
FLOAT_TYPES = ['float16', 'float32', 'float64', 'complex64', 'complex128']


def rand(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in 'iub':
        return RNG.integers(0, 5, size=shape).astype(dtype)
    x = RNG.standard_normal(shape)
    if dtype.kind == 'c':
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def tol(dtype, k):
    dtype = np.dtype(dtype)
    eps = {2: 1e-3, 4: 1e-6, 8: 1e-14}[dtype.itemsize if dtype.kind != 'c' else dtype.itemsize // 2]
    return dict(rtol=max(50 * eps, 1e-2 if dtype.itemsize == 2 else 0), atol=eps * 10 * max(k, 1) ** 0.5 * 4)


def check(a, b, **kw):
    expected = np.matmul(a, b)
    got = cp.matmul(cp.asarray(a), cp.asarray(b), **kw)
    assert isinstance(got, cp.ndarray)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    k = a.shape[-1]
    if expected.dtype.kind in 'iub':
        np.testing.assert_array_equal(got.get(), expected)
    else:
        np.testing.assert_allclose(got.get().astype(expected.dtype), expected, **tol(expected.dtype, k))


@pytest.mark.parametrize('dtype', FLOAT_TYPES)
@pytest.mark.parametrize('shapes', [((3, 4), (4, 5)), ((1, 7), (7, 1)), ((33, 65), (65, 17)),
                                    ((128, 96), (96, 80))])
def test_2d_matches_numpy(dtype, shapes):
    check(rand(shapes[0], dtype), rand(shapes[1], dtype))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'complex64'])
@pytest.mark.parametrize('shapes', [((5,), (5,)), ((5,), (5, 3)), ((4, 5), (5,)), ((2, 3, 5), (5,)),
                                    ((5,), (2, 5, 3))])
def test_1d_operands_drop_their_dimension(dtype, shapes):
    check(rand(shapes[0], dtype), rand(shapes[1], dtype))


@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64', 'complex128'])
@pytest.mark.parametrize('shapes', [((4, 3, 5), (4, 5, 2)), ((2, 1, 3, 5), (4, 5, 6)),
                                    ((3, 5), (2, 4, 5, 2)), ((1, 3, 5), (6, 5, 2)),
                                    ((0, 3, 5), (5, 2))])
def test_batched_and_broadcast(dtype, shapes):
    check(rand(shapes[0], dtype), rand(shapes[1], dtype))


def test_operator_and_reflected_operator():
    a, b = rand((6, 4), 'float32'), rand((4, 3), 'float32')
    ga, gb = cp.asarray(a), cp.asarray(b)
    np.testing.assert_allclose((ga @ gb).get(), a @ b, rtol=1e-5, atol=1e-5)
    # A NumPy operand on either side is uploaded.
    np.testing.assert_allclose((ga @ b).get(), a @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(cp.matmul(a, gb).get(), a @ b, rtol=1e-5, atol=1e-5)


def test_mixed_dtypes_promote_as_numpy():
    a, b = rand((3, 4), 'float32'), rand((4, 2), 'float64')
    check(a, b)
    check(rand((3, 4), 'float16'), rand((4, 2), 'float32'))
    check(rand((3, 4), 'float32'), rand((4, 2), 'complex64'))


@pytest.mark.parametrize('dtype', ['int32', 'int64', 'uint8', 'bool'])
def test_integer_and_bool(dtype):
    check(rand((3, 4), dtype), rand((4, 5), dtype))
    check(rand((2, 3, 4), dtype), rand((4,), dtype))


@pytest.mark.parametrize('dtype', ['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64',
                                   'uint64', 'bool'])
@pytest.mark.parametrize('shapes', [((5, 7), (7, 3)), ((7,), (7, 3)), ((5, 7), (7,)),
                                    ((7,), (7,)), ((2, 5, 7), (7, 3)), ((2, 1, 5, 7), (3, 7, 4)),
                                    ((1, 4, 5), (3, 5, 2)), ((4, 0), (0, 3)), ((0, 4), (4, 3))])
def test_integer_products_on_the_device_wrap_as_numpy(dtype, shapes):
    # values over the whole range, so that sums overflow and wrap
    dt = np.dtype(dtype)
    if dt.kind == 'b':
        a, b = RNG.random(shapes[0]) < 0.3, RNG.random(shapes[1]) < 0.3
    else:
        info = np.iinfo(dt)
        a = RNG.integers(info.min, info.max, size=shapes[0], dtype=dt, endpoint=True)
        b = RNG.integers(info.min, info.max, size=shapes[1], dtype=dt, endpoint=True)
    check(a, b)
    check(a.T if a.ndim == 2 else a, b if a.ndim != 2 else RNG.integers(
        0, 9, size=(a.shape[0], 3)).astype(dt))


def test_integer_products_of_views_and_mixed_types():
    a = RNG.integers(-50, 50, size=(6, 8)).astype(np.int8)
    b = RNG.integers(0, 200, size=(8, 6)).astype(np.uint8)
    check(a, b)                                     # int8 @ uint8 -> int16
    da, db = cp.asarray(a), cp.asarray(b)
    got = cp.matmul(da[:, ::2], db[::2, 1:])
    np.testing.assert_array_equal(got.get(), np.matmul(a[:, ::2], b[::2, 1:]))
    x = RNG.integers(-9, 9, size=(3, 4, 5)).astype(np.int32)
    y = RNG.integers(-9, 9, size=(2, 5, 6)).astype(np.int32)
    got = cp.dot(cp.asarray(x), cp.asarray(y))
    np.testing.assert_array_equal(got.get(), np.dot(x, y))
    assert got.shape == (3, 4, 2, 6)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32'])
def test_inplace_matmul(dtype):
    a, b = rand((4, 4), dtype) * 3, rand((4, 4), dtype)
    d = cp.asarray(a)
    ident = id(d)
    d @= cp.asarray(b)
    assert id(d) == ident
    want = a.copy()
    want @= b
    np.testing.assert_allclose(d.get(), want, rtol=1e-5, atol=1e-5)
    d @= d                                          # out overlaps both inputs
    want = want @ want
    np.testing.assert_allclose(d.get(), want, rtol=1e-5, atol=1e-4)


def test_inplace_matmul_errors_are_numpys():
    x = cp.asarray(np.arange(12).reshape(3, 4))
    with pytest.raises(ValueError, match='mismatch in its core dimension 1'):
        x @= cp.ones((4, 2), dtype=np.int64)
    with pytest.raises(TypeError, match='same_kind'):
        x2 = cp.asarray(np.arange(4).reshape(2, 2))
        x2 @= cp.ones((2, 2))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'complex64'])
def test_transposed_and_strided_views(dtype):
    a, b = rand((40, 30), dtype), rand((40, 50), dtype)
    ga, gb = cp.asarray(a), cp.asarray(b)
    t = tol(dtype, 40)
    np.testing.assert_allclose((ga.T @ gb).get(), a.T @ b, **t)
    np.testing.assert_allclose((gb.T @ ga).get(), b.T @ a, **t)
    np.testing.assert_allclose((ga[::2, ::3] @ gb[::3, 1::2][:10]).get(), a[::2, ::3] @ b[::3, 1::2][:10], **t)
    np.testing.assert_allclose((ga[::-1] .T @ gb[::-1]).get(), a[::-1].T @ b[::-1], **t)
    np.testing.assert_allclose(cp.matmul(ga[:, 3], gb[:, ::-5]).get(), a[:, 3] @ b[:, ::-5], **t)


def test_batched_views():
    a, b = rand((4, 6, 5), 'float32'), rand((6, 3, 4), 'float32')
    ga, gb = cp.asarray(a), cp.asarray(b)
    expected = np.matmul(a.transpose(0, 2, 1), b.transpose(2, 0, 1))
    got = cp.matmul(ga.transpose(0, 2, 1), gb.transpose(2, 0, 1))
    np.testing.assert_allclose(got.get(), expected, rtol=1e-5, atol=1e-5)
    b3 = rand((4, 10, 3), 'float32')
    np.testing.assert_allclose(cp.matmul(ga[::2], cp.asarray(b3)[::2, ::2]).get(),
                               np.matmul(a[::2], b3[::2, ::2]), rtol=1e-5, atol=1e-5)


def test_zero_sized_and_empty_inner_dimension():
    check(rand((3, 0), 'float32'), rand((0, 4), 'float32'))   # zeros, not garbage
    check(rand((0, 5), 'float64'), rand((5, 2), 'float64'))
    check(rand((3, 5), 'float64'), rand((5, 0), 'float64'))


def test_out_argument():
    a, b = rand((5, 4), 'float32'), rand((4, 3), 'float32')
    out = cp.full((5, 3), np.nan, dtype=np.float32)
    r = cp.matmul(cp.asarray(a), cp.asarray(b), out=out)
    assert r is out
    np.testing.assert_allclose(out.get(), a @ b, rtol=1e-5, atol=1e-5)
    # A transposed (Fortran-ordered) out is written through its view.
    outT = cp.full((3, 5), np.nan, dtype=np.float32)
    cp.matmul(cp.asarray(a), cp.asarray(b), out=outT.T)
    np.testing.assert_allclose(outT.get(), (a @ b).T, rtol=1e-5, atol=1e-5)
    out64 = cp.zeros((5, 3), dtype=np.float64)
    cp.matmul(cp.asarray(a), cp.asarray(b), out=out64)
    np.testing.assert_allclose(out64.get(), a @ b, rtol=1e-5, atol=1e-5)


def test_core_dimension_mismatch_is_numpys_value_error():
    a, b = np.ones((2, 3)), np.ones((2, 3))
    with pytest.raises(ValueError) as want:
        np.matmul(a, b)
    with pytest.raises(ValueError) as got:
        cp.matmul(cp.asarray(a), cp.asarray(b))
    assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match='mismatch in its core dimension 0'):
        cp.asarray(np.ones(3)) @ cp.asarray(np.ones(4))


def test_scalar_operand_and_batch_mismatch_errors():
    with pytest.raises(ValueError) as want:
        np.matmul(np.ones(()), np.ones(3))
    with pytest.raises(ValueError) as got:
        cp.matmul(cp.asarray(np.ones(())), cp.asarray(np.ones(3)))
    assert str(got.value) == str(want.value)
    a, b = np.ones((2, 2, 3)), np.ones((3, 3, 4))
    with pytest.raises(ValueError) as want:
        np.matmul(a, b)
    with pytest.raises(ValueError) as got:
        cp.matmul(cp.asarray(a), cp.asarray(b))
    assert str(got.value) == str(want.value)


def test_wrong_out_shape():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    with pytest.raises(ValueError) as want:
        np.matmul(a, b, out=np.ones((2, 5)))
    with pytest.raises(ValueError) as got:
        cp.matmul(cp.asarray(a), cp.asarray(b), out=cp.ones((2, 5)))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize('shapes', [((3,), (3,)), ((4, 3), (3,)), ((3,), (3, 2)), ((4, 3), (3, 2)),
                                    ((2, 4, 3), (3, 5)), ((2, 4, 3), (2, 3, 5)), ((4, 3), (6, 3, 2)),
                                    ((2, 3, 4, 3), (5, 3, 2))])
def test_dot_matches_numpy(shapes):
    a, b = rand(shapes[0], 'float64'), rand(shapes[1], 'float64')
    expected = np.dot(a, b)
    got = cp.dot(cp.asarray(a), cp.asarray(b))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.get(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cp.asarray(a).dot(cp.asarray(b)).get(), expected, rtol=1e-12, atol=1e-12)


def test_dot_with_a_scalar_multiplies():
    a = rand((3, 2), 'float32')
    np.testing.assert_allclose(cp.dot(cp.asarray(a), 2.0).get(), a * 2)


def test_larger_float32_product():
    # Several threads on the host backend, cuBLAS's blocked kernels on CUDA.
    a, b = rand((257, 300), 'float32'), rand((300, 129), 'float32')
    np.testing.assert_allclose((cp.asarray(a) @ cp.asarray(b)).get(), a @ b, rtol=1e-4, atol=1e-3)
