"""The methods of gpuarray's ufuncs - reduce, accumulate, reduceat, outer,
at - against NumPy's on seeded random inputs of sampled dtypes: axes,
keepdims, initial, where, dtype=, out=, 0-d, empty, strided views,
repeated indices in ``at``, the non-reorderable ufuncs (sequential), and
NumPy's errors."""
import numpy as np
import pytest

import gpuarray as cp

from conftest import random_array

pytestmark = pytest.mark.device


def compare(got, expected, rtol=None):
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        eps = np.finfo(expected.dtype).eps
        np.testing.assert_allclose(got.get(), expected, rtol=rtol or 200 * eps,
                                   atol=200 * eps * (np.nanmax(np.abs(expected))
                                                     if expected.size else 0),
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)


REDUCE_CASES = [
    ('add', np.int8), ('add', np.float32), ('add', np.complex64), ('add', np.bool_),
    ('multiply', np.uint16), ('maximum', np.float64), ('minimum', np.int32),
    ('fmax', np.float16), ('bitwise_and', np.uint8), ('bitwise_or', np.int64),
    ('bitwise_xor', np.int16), ('logical_and', np.float32), ('logical_or', np.bool_),
    ('logaddexp', np.float64),
]


@pytest.mark.parametrize('name,dtype', REDUCE_CASES)
def test_reduce(rng, name, dtype):
    x = random_array(rng, (3, 4, 5), dtype)
    if name == 'multiply':
        x = (x % 3).astype(dtype)
    d = cp.asarray(x)
    for axis in (0, 1, -1, (0, 2), None):
        for keepdims in (False, True):
            compare(getattr(cp, name).reduce(d, axis=axis, keepdims=keepdims),
                    getattr(np, name).reduce(x, axis=axis, keepdims=keepdims))
    compare(getattr(cp, name).reduce(d[::2, :, ::-2], axis=1),
            getattr(np, name).reduce(x[::2, :, ::-2], axis=1))


def test_reduce_initial_where_dtype_out(rng):
    x = random_array(rng, (4, 6), np.float32)
    d = cp.asarray(x)
    w = rng.random((6,)) < 0.5
    compare(cp.add.reduce(d, axis=0, initial=5.0), np.add.reduce(x, axis=0, initial=5.0))
    compare(cp.add.reduce(d, axis=1, where=cp.asarray(w)), np.add.reduce(x, axis=1, where=w))
    compare(cp.maximum.reduce(d, axis=1, initial=-1.0, where=cp.asarray(w)),
            np.maximum.reduce(x, axis=1, initial=-1.0, where=w))
    compare(cp.maximum.reduce(d, axis=0, initial=50.0), np.maximum.reduce(x, axis=0, initial=50.0))
    i = random_array(rng, (5, 7), np.int8)
    compare(cp.add.reduce(cp.asarray(i), axis=1, dtype=np.int8),
            np.add.reduce(i, axis=1, dtype=np.int8))
    compare(cp.multiply.reduce(cp.asarray(i), axis=0, dtype=np.float64),
            np.multiply.reduce(i, axis=0, dtype=np.float64))
    out = cp.zeros((7,), np.int16)
    r = cp.add.reduce(cp.asarray(i), axis=0, out=out)
    assert r is out
    o = np.zeros((7,), np.int16)
    np.add.reduce(i, axis=0, out=o)
    compare(out, o)
    # 0-d and empty
    z = np.float64(3.5)
    compare(cp.add.reduce(cp.asarray(z)), np.add.reduce(z))
    e = np.zeros((0, 3), np.float32)
    compare(cp.add.reduce(cp.asarray(e), axis=0), np.add.reduce(e, axis=0))
    compare(cp.maximum.reduce(cp.asarray(e), axis=0, initial=2.0),
            np.maximum.reduce(e, axis=0, initial=2.0))
    compare(cp.bitwise_and.reduce(cp.asarray(np.zeros((0,), np.uint8))),
            np.bitwise_and.reduce(np.zeros((0,), np.uint8)))
    compare(cp.maximum.reduce(cp.asarray(e), axis=1), np.maximum.reduce(e, axis=1))


def _ordered_fold(binary, x, axis):
    """NumPy's reduce of a non-reorderable ufunc, as a left fold of its
    binary form: ((x0 op x1) op x2) ... The reference is built this way
    rather than with np.<ufunc>.reduce because NumPy 2.5.2's float64
    power.reduce is wrong for 1-D input on the lent GPU machine's Xeon:
    np.power.reduce(np.array([2., 3., 2.])) gave 4.0 there, not 64.0 (its
    reduce along axis 0 of a 2-D array and its elementwise power were
    right), so that the test checks gpuarray, not the CPU it runs on."""
    rows = np.moveaxis(x, axis, 0)
    acc = rows[0]
    for row in rows[1:]:
        acc = binary(acc, row)
    return acc


@pytest.mark.parametrize('name,dtype', [('subtract', np.float64), ('subtract', np.int32),
                                        ('divide', np.float32), ('power', np.float64),
                                        ('floor_divide', np.int16)])
def test_reduce_ordered(rng, name, dtype):
    x = random_array(rng, (4, 5), dtype)
    if name == 'power':
        x = rng.uniform(0.5, 1.5, (4, 5)).astype(dtype)
    if name in ('divide', 'floor_divide'):
        x = np.where(x == 0, 1, x).astype(dtype)
    d = cp.asarray(x)
    for axis in (0, 1):
        expect = _ordered_fold(getattr(np, name), x, axis)
        compare(getattr(cp, name).reduce(d, axis=axis), expect, rtol=1e-5)
        compare(getattr(cp, name).reduce(d, axis=axis, keepdims=True),
                np.expand_dims(expect, axis), rtol=1e-5)
    compare(cp.subtract.reduce(cp.asarray(x[0]), initial=7),
            np.subtract.reduce(x[0], initial=7))
    with pytest.raises(ValueError, match='not reorderable'):
        getattr(cp, name).reduce(d, axis=(0, 1))


def test_reduce_errors(rng):
    d = cp.asarray(random_array(rng, (3, 4), np.float32))
    with pytest.raises(ValueError, match='no identity'):
        cp.maximum.reduce(cp.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError, match="to use a where mask one has to specify 'initial'"):
        cp.maximum.reduce(d, where=cp.asarray(np.array([True, False, True, True])))
    with pytest.raises(ValueError, match='binary'):
        cp.sin.reduce(d)
    with pytest.raises(ValueError, match='single value'):
        cp.divmod.reduce(d)
    with pytest.raises(np.exceptions.AxisError):
        cp.add.reduce(d, axis=2)
    with pytest.raises(TypeError):
        cp.logaddexp.reduce(d.astype(np.complex64))
    with pytest.raises(ValueError):
        cp.add.reduce(d, axis=0, out=cp.zeros(5, np.float32))


@pytest.mark.parametrize('name,dtype', [('add', np.int8), ('add', np.float64),
                                        ('multiply', np.complex64), ('maximum', np.uint16),
                                        ('minimum', np.float16), ('subtract', np.int32),
                                        ('bitwise_xor', np.uint64), ('true_divide', np.float64)])
def test_accumulate(rng, name, dtype):
    x = random_array(rng, (5, 60), dtype)
    if name in ('multiply', 'true_divide'):
        x = (rng.uniform(0.8, 1.25, (5, 60))).astype(dtype)
    d = cp.asarray(x)
    for axis in (0, 1, -1):
        compare(getattr(cp, name).accumulate(d, axis=axis),
                getattr(np, name).accumulate(x, axis=axis), rtol=1e-4)
    compare(getattr(cp, name).accumulate(d[:, ::-3], axis=1),
            getattr(np, name).accumulate(x[:, ::-3], axis=1), rtol=1e-4)


def test_accumulate_dtype_out_errors(rng):
    x = random_array(rng, (40,), np.int16)
    d = cp.asarray(x)
    compare(cp.add.accumulate(d), np.add.accumulate(x))
    compare(cp.add.accumulate(d, dtype=np.int16), np.add.accumulate(x, dtype=np.int16))
    small = (x % 2 + 1).astype(np.int16)
    out = cp.zeros((40,), np.float32)
    cp.multiply.accumulate(cp.asarray(small), out=out)
    o = np.zeros((40,), np.float32)
    np.multiply.accumulate(small, out=o)
    compare(out, o, rtol=1e-5)
    compare(cp.add.accumulate(d, axis=None), np.add.accumulate(x, axis=None))
    with pytest.raises(TypeError, match='scalar'):
        cp.add.accumulate(cp.asarray(np.float32(1)))
    with pytest.raises(ValueError, match='multiple axes'):
        cp.add.accumulate(cp.ones((2, 2)), axis=(0, 1))
    with pytest.raises(TypeError):
        cp.less.accumulate(d)


def test_reduceat(rng):
    x = random_array(rng, (8, 5), np.float32)
    d = cp.asarray(x)
    for idx in ([0, 4, 1, 5], [0, 3, 3, 7], [5], [0, 1, 2, 3, 4, 5, 6, 7]):
        compare(cp.add.reduceat(d, idx), np.add.reduceat(x, idx))
        compare(cp.maximum.reduceat(d, idx), np.maximum.reduceat(x, idx))
    compare(cp.multiply.reduceat(d.T, [0, 2], axis=1), np.multiply.reduceat(x.T, [0, 2], axis=1))
    i = random_array(rng, (9,), np.int8)
    compare(cp.add.reduceat(cp.asarray(i), cp.asarray(np.array([0, 4]))),
            np.add.reduceat(i, [0, 4]))
    compare(cp.subtract.reduceat(cp.asarray(i), [0, 4], dtype=np.int8),
            np.subtract.reduceat(i, [0, 4], dtype=np.int8))
    with pytest.raises(IndexError, match='out-of-bounds'):
        cp.add.reduceat(d, [0, 8])


def test_outer(rng):
    a = random_array(rng, (3,), np.float32)
    b = random_array(rng, (2, 4), np.int16)
    compare(cp.multiply.outer(cp.asarray(a), cp.asarray(b)), np.multiply.outer(a, b))
    compare(cp.subtract.outer(cp.asarray(b), cp.asarray(a)), np.subtract.outer(b, a))
    compare(cp.greater.outer(cp.asarray(a), 0.5), np.greater.outer(a, 0.5))
    q, r = cp.divmod.outer(cp.asarray(b), cp.asarray(np.array([3, -7], np.int16)))
    eq, er = np.divmod.outer(b, np.array([3, -7], np.int16))
    compare(q, eq)
    compare(r, er)
    with pytest.raises(ValueError, match='binary'):
        cp.sin.outer(cp.asarray(a), cp.asarray(a))


@pytest.mark.parametrize('name,dtype', [
    ('add', np.float32), ('add', np.float64), ('add', np.int64), ('add', np.int32),
    ('add', np.int8), ('add', np.float16), ('add', np.complex64), ('add', np.complex128),
    ('subtract', np.uint32), ('multiply', np.complex128), ('maximum', np.int16),
    ('minimum', np.float64), ('bitwise_or', np.uint8), ('add', np.bool_)])
def test_at(rng, name, dtype):
    a = random_array(rng, (10, 3), dtype)
    if name == 'multiply' or dtype in (np.float16,):
        a = rng.uniform(0.5, 2, (10, 3)).astype(dtype)
    idx = rng.integers(-10, 10, 25)
    v = random_array(rng, (25, 3), dtype)
    if name == 'multiply' or dtype in (np.float16,):
        v = rng.uniform(0.9, 1.1, (25, 3)).astype(dtype)
    d = cp.asarray(a)
    getattr(cp, name).at(d, cp.asarray(idx), cp.asarray(v))
    e = a.copy()
    getattr(np, name).at(e, idx, v)
    compare(d, e, rtol=1e-3 if dtype == np.float16 else 1e-5)


def test_at_forms(rng):
    # a scalar value, a list of indices, broadcasting, unary ufuncs
    a = np.zeros(6)
    d = cp.asarray(a)
    cp.add.at(d, [0, 0, 5, 0], 1.0)
    np.add.at(a, [0, 0, 5, 0], 1.0)
    compare(d, a)
    m = random_array(rng, (4, 5), np.int32)
    d = cp.asarray(m)
    cp.add.at(d, [1, 1, 3], cp.asarray(np.arange(5, dtype=np.int32)))
    np.add.at(m, [1, 1, 3], np.arange(5, dtype=np.int32))
    compare(d, m)
    # tuple (multi-dimensional) keys, slices, masks
    cp.add.at(d, (cp.asarray(np.array([0, 0, 2])), cp.asarray(np.array([1, 1, 4]))), 7)
    np.add.at(m, (np.array([0, 0, 2]), np.array([1, 1, 4])), 7)
    compare(d, m)
    cp.multiply.at(d, (slice(None), 2), 3)
    np.multiply.at(m, (slice(None), 2), 3)
    compare(d, m)
    cp.negative.at(d, [0, 0, 3])
    np.negative.at(m, [0, 0, 3])
    compare(d, m)
    # the result is cast to a's dtype with unsafe casting, as NumPy
    i = np.array([3, 3], np.int64)
    di = cp.asarray(i)
    cp.multiply.at(di, [0], 1.5)
    np.multiply.at(i, [0], 1.5)
    compare(di, i)
    # a non-contiguous a
    big = random_array(rng, (6, 8), np.float32)
    db = cp.asarray(big)
    cp.add.at(db[:, ::2], [0, 0, 5], 1.0)
    np.add.at(big[:, ::2], [0, 0, 5], 1.0)
    compare(db, big)
    # many collisions on few elements
    h = np.zeros(4, np.float32)
    dh = cp.asarray(h)
    k = rng.integers(0, 4, 20000)
    cp.add.at(dh, cp.asarray(k), 1.0)
    np.add.at(h, k, 1.0)
    compare(dh, h)


def test_at_errors(rng):
    d = cp.zeros(5)
    with pytest.raises(IndexError):
        cp.add.at(d, [5], 1.0)
    with pytest.raises(ValueError, match='second operand needed'):
        cp.add.at(d, [1])
    with pytest.raises(ValueError):
        cp.add.at(d, [1, 2], cp.ones(3))
    with pytest.raises(TypeError):
        cp.add.at(np.zeros(5), [1], 1.0)
