"""Reductions on the device: sum, prod, mean, var, std, min, max, argmin,
argmax, any, all (functions and ndarray methods) over all or some axes,
with keepdims, dtype= and out=, and ReductionKernel; against NumPy on
seeded random inputs of every dtype, 0-d, empty, strided views, and sizes
that take the multi-block and the split-loop paths."""
import warnings

import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.cuda

ALL_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
SOME_DTYPES = [np.bool_, np.int8, np.uint32, np.int64, np.float16, np.float32, np.float64,
               np.complex64]
SHAPES_AXES = [((), None), ((), ()), ((7,), None), ((7,), 0), ((3, 5), None), ((3, 5), 0),
               ((3, 5), 1), ((3, 5), -1), ((2, 3, 4), (0, 2)), ((2, 3, 4), 1), ((2, 3, 4), (1, 2)),
               ((2, 3, 4), None), ((4, 0, 3), 0), ((4, 0, 3), 2), ((4, 0, 3), None), ((1, 6), 0)]

REDUCTIONS = ['sum', 'prod', 'mean', 'var', 'std', 'min', 'max', 'argmin', 'argmax', 'any', 'all']


def tolerance(dtype, n):
    """Summation order differs from NumPy's pairwise sums: rounding grows
    with the number of terms."""
    dtype = np.dtype(dtype)
    if dtype.kind not in 'fc':
        return 0
    eps = {2: 1e-3, 4: 1e-6, 8: 1e-15}[dtype.itemsize if dtype.kind == 'f' else dtype.itemsize // 2]
    return eps * max(4, 4 * np.sqrt(max(n, 1)))


def numpy_or_error(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with np.errstate(all='ignore'):
            try:
                return fn(*args, **kwargs), None
            except Exception as e:
                return None, e


def compare(got, expected, rtol, atol=0):
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        np.testing.assert_allclose(got.get(), expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)


def check(name, h, rtol=None, atol=0, **kwargs):
    """`name` over device h equals NumPy's over h (dtype, shape, values), or
    raises the same kind of error with NumPy's message."""
    expected, error = numpy_or_error(getattr(np, name), h, **kwargs)
    d = cp.asarray(h)
    if error is not None:
        base = next(e for e in (np.exceptions.AxisError, OverflowError, TypeError, ValueError)
                    if isinstance(error, e))
        with pytest.raises(base) as info:
            getattr(cp, name)(d, **kwargs)
        if base is ValueError:
            assert str(info.value) == str(error)
        return
    got = getattr(cp, name)(d, **kwargs)
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        if rtol is None:
            rtol = tolerance(expected.dtype, h.size)
        if name in ('sum', 'mean'):
            # Cancellation: the error scales with the terms, not the result.
            atol = max(atol, rtol * float(np.max(np.abs(h))) if h.size else 0)
        if name in ('var', 'std'):
            atol = max(atol, rtol * float(np.max(np.abs(h))) ** (2 if name == 'var' else 1)
                       if h.size else 0)
        np.testing.assert_allclose(got.get(), expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)
    # the method gives the same
    m = getattr(d, name)(**kwargs)
    assert m.dtype == got.dtype and m.shape == got.shape


#: Every kind and width of element, without the combinations that only
#: repeat another's code path.
REDUCTION_DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint16, np.uint64, np.float16,
                    np.float32, np.float64, np.complex64, np.complex128]


@pytest.mark.parametrize('name', REDUCTIONS)
@pytest.mark.parametrize('dtype', REDUCTION_DTYPES)
def test_all_axes_every_dtype(random, name, dtype):
    h = random((5, 6), dtype)
    if name == 'prod' and np.dtype(dtype).kind in 'fc':
        h = (h / 100 + 1).astype(dtype)
    if name in ('var', 'std', 'sum', 'mean') and np.dtype(dtype) == np.float16:
        # NumPy sums the squares in float16 and overflows to inf where
        # gpuarray, accumulating in float32, gives the finite variance.
        h = (h / 100).astype(dtype)
    check(name, h)


@pytest.mark.parametrize('shape_axis', SHAPES_AXES, ids=str)
@pytest.mark.parametrize('name', REDUCTIONS)
def test_shapes_and_axes(random, shape_axis, name):
    shape, axis = shape_axis
    if name in ('argmin', 'argmax') and isinstance(axis, tuple):
        axis = None if shape == () or len(axis) != 1 else axis[0]
    for dtype in [np.int32, np.float64] if name in ('sum', 'argmax') else [np.float64]:
        h = random(shape, dtype)
        if name == 'prod' and dtype == np.float64:
            h = h / 100
        check(name, h, axis=axis)
        check(name, h, axis=axis, keepdims=True)


# sum, max and argmax on every dtype; mean, var and any only on the dtypes
# whose code paths the first three do not already take.
STRIDED_CASES = [(name, dtype)
                 for name in ('sum', 'max', 'argmax', 'mean', 'var', 'any')
                 for dtype in (np.bool_, np.int8, np.float16, np.float32, np.complex64)
                 if name in ('sum', 'max', 'argmax') or dtype in (np.float32, np.complex64)]


@pytest.mark.parametrize('name,dtype', STRIDED_CASES,
                         ids=['{}-{}'.format(n, np.dtype(d).name) for n, d in STRIDED_CASES])
def test_strided_views(random, name, dtype):
    h = random((6, 8, 5), dtype)
    if np.dtype(dtype) == np.float16:
        h = (h / 100).astype(dtype)
    d = cp.asarray(h)
    for key in [(slice(None, None, 2),), (slice(1, None), slice(None), slice(None, None, 2)),
                (slice(None), 2, slice(None, None, -2))]:
        v, hv = d[key], h[key]
        for axis in [None, 0, -1]:
            expected, error = numpy_or_error(getattr(np, name), hv, axis=axis)
            got = getattr(cp, name)(v, axis=axis)
            tol = tolerance(got.dtype, hv.size)
            scale = float(np.max(np.abs(hv))) if hv.size and hv.dtype.kind in 'fc' else 0
            compare(got, expected, tol, tol * scale * (scale if name == 'var' else hv.size))


@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64, np.int32, np.uint8,
                                   np.complex64])
def test_large_reductions_take_the_two_pass_paths(random, dtype):
    """Long reductions split over several blocks (inner) or over gridDim.y
    (outer); both are combined by a second launch."""
    h = random((1 << 20) + 3, dtype)
    if np.dtype(dtype).kind == 'f' and np.dtype(dtype).itemsize == 2:
        h = (h / 100).astype(dtype)
    d = cp.asarray(h)
    for name in ['sum', 'max', 'argmin', 'mean']:
        expected, _ = numpy_or_error(getattr(np, name), h)
        for view, hv in [(d, h), (d[1:], h[1:]), (d[::3], h[::3])]:
            expected, _ = numpy_or_error(getattr(np, name), hv)
            compare(getattr(cp, name)(view), expected, tolerance(expected.dtype, hv.size) * 10)
    t = random((40000, 3), dtype)
    td = cp.asarray(t)
    for name in ['sum', 'min', 'argmax', 'any']:
        expected, _ = numpy_or_error(getattr(np, name), t, axis=0)
        compare(getattr(cp, name)(td, axis=0), expected, tolerance(expected.dtype, 40000) * 10)
    w = random((3, 70000), dtype)
    for name in ['sum', 'max', 'argmin']:
        expected, _ = numpy_or_error(getattr(np, name), w, axis=1)
        compare(getattr(cp, name)(cp.asarray(w), axis=1), expected,
                tolerance(expected.dtype, 70000) * 10)


def test_many_short_rows(random):
    h = random((20000, 5), np.float32)
    for name in ['sum', 'max', 'argmax', 'mean']:
        check(name, h, axis=1)
        check(name, h, axis=0)


def test_sum_of_64k_ones_is_exact():
    d = cp.ones(1 << 16, cp.float32)
    assert float(d.sum().get()) == 65536.0
    assert int(cp.ones((300, 700), cp.int8).sum()) == 210000


def test_nan_and_ties_follow_numpy():
    h = np.array([[1.0, np.nan, 3.0, 3.0, np.nan], [2.0, 2.0, -1.0, -1.0, 0.5],
                  [np.inf, 1.0, np.inf, -np.inf, -np.inf]])
    for name in ['min', 'max', 'argmin', 'argmax', 'sum', 'mean', 'any', 'all']:
        for axis in [None, 0, 1]:
            check(name, h, axis=axis, rtol=1e-15)
    c = np.array([1 + 2j, 1 + 3j, 1 + 3j, 0 + 9j, 1 + 1j, 2 - 5j], np.complex64)
    for name in ['min', 'max', 'argmin', 'argmax']:
        check(name, c)
    c[2] = complex(1, np.nan)
    for name in ['min', 'max', 'argmin', 'argmax']:
        check(name, c)


def test_accumulation_types_and_dtype_argument(random):
    h = np.full(1000, 100, np.int8)
    check('sum', h)                       # int64: no wrap-around
    check('sum', h, dtype=np.int8)        # wraps, as NumPy's
    check('prod', np.array([3, 5, 7, 11], np.uint8))
    check('sum', random((50,), np.bool_))
    check('mean', random((50,), np.int16))
    check('mean', random((50,), np.float32), dtype=np.float64)
    check('sum', random((50,), np.float32), dtype=np.float64)
    check('mean', (random((300,), np.float16) / 100).astype(np.float16))
    check('var', random((40,), np.complex64))
    check('std', random((40,), np.complex128), axis=0)


def test_var_std_ddof(random):
    h = random((6, 7), np.float64)
    for ddof in [0, 1, 3]:
        check('var', h, ddof=ddof)
        check('std', h, axis=1, ddof=ddof)
    check('var', h, axis=0, ddof=6)      # N - ddof = 0: inf/nan as NumPy


def test_empty_reductions():
    e = np.zeros((0,), np.float32)
    check('sum', e)
    check('prod', e)
    check('any', e)
    check('all', e)
    check('min', e)                       # ValueError, NumPy's message
    check('argmax', e)
    check('max', np.zeros((3, 0)), axis=1)
    check('max', np.zeros((0, 3)), axis=1)
    check('sum', np.zeros((3, 0), np.int32), axis=1)
    check('mean', np.zeros((0, 4), np.float64), axis=0)


def test_axis_errors():
    h = np.ones((2, 3))
    check('sum', h, axis=2)
    check('sum', h, axis=-3)
    check('max', h, axis=(0, 0))
    check('argmax', h, axis=5)
    with pytest.raises(np.exceptions.AxisError):
        cp.asarray(h).sum(axis=(0, 4))
    with pytest.raises(TypeError):
        cp.sum(h)


def test_out_argument(random):
    h = random((4, 5), np.float32)
    d = cp.asarray(h)
    out = cp.empty(5, cp.float32)
    assert cp.sum(d, axis=0, out=out) is out
    np.testing.assert_allclose(out.get(), h.sum(axis=0), rtol=1e-5)
    out64 = cp.empty((4, 1), cp.float64)
    d.max(axis=1, keepdims=True, out=out64)
    np.testing.assert_array_equal(out64.get(), h.max(axis=1, keepdims=True).astype(np.float64))
    strided = cp.zeros(10, cp.float32)
    cp.mean(d, axis=0, out=strided[::2])
    np.testing.assert_allclose(strided.get()[::2], h.mean(axis=0), rtol=1e-5)
    with pytest.raises(ValueError):
        cp.sum(d, axis=0, out=cp.empty(4, cp.float32))


# ------------------------------------------------------------ ReductionKernel

def test_reduction_kernel_l2norm(random):
    l2norm = cp.ReductionKernel('T x', 'T y', 'x * x', 'a + b', 'y = sqrt(a)', '0', 'l2norm')
    h = random((10, 30), np.float32)
    d = cp.asarray(h)
    np.testing.assert_allclose(l2norm(d).get(), np.sqrt((h * h).sum()), rtol=1e-5)
    np.testing.assert_allclose(l2norm(d, axis=1).get(), np.sqrt((h * h).sum(axis=1)), rtol=1e-5)
    r = l2norm(d, axis=0, keepdims=True)
    assert r.shape == (1, 30) and r.dtype == np.float32
    np.testing.assert_allclose(r.get(), np.sqrt((h * h).sum(axis=0, keepdims=True)), rtol=1e-5)


def test_reduction_kernel_two_inputs_scalars_and_types(random):
    dot = cp.ReductionKernel('T x, T y, T w', 'float64 z', 'x * y * w', 'a + b', 'z = a', '0',
                             'wdot', reduce_type='float64')
    x = random((8, 9), np.float32)
    y = random((9,), np.float32)
    got = dot(cp.asarray(x), cp.asarray(y), 2.0, axis=1)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.get(), (x.astype(np.float64) * y * 2).sum(axis=1), rtol=1e-5)
    mean = cp.ReductionKernel('T x', 'float64 m', 'x', 'a + b',
                              'm = a / (_in_ind.size() / _out_ind.size())', '0', 'mymean',
                              reduce_type='float64')
    h = random((7, 11), np.int32)
    np.testing.assert_allclose(mean(cp.asarray(h), axis=0).get(), h.mean(axis=0), rtol=1e-12)
    first = cp.ReductionKernel('T x', 'int64 i', 'x > 0 ? _j : 1000000', 'min(a, b)', 'i = a',
                               '1000000', 'first_positive', reduce_type='int64')
    v = np.array([-1, -2, 0, 5, 3, -1], np.int32)
    assert int(first(cp.asarray(v))) == 3


def test_reduction_kernel_errors(random):
    k = cp.ReductionKernel('T x', 'T y', 'x', 'a > b ? a : b', 'y = a', None, 'mymax')
    d = cp.asarray(random((3, 4), np.float64))
    np.testing.assert_array_equal(k(d, axis=1).get(), d.get().max(axis=1))
    with pytest.raises(ValueError):
        k(cp.zeros((0,), cp.float64))
    with pytest.raises(np.exceptions.AxisError):
        k(d, axis=3)
    with pytest.raises(TypeError):
        k(np.ones(3))
    with pytest.raises(TypeError, match='Type is mismatched'):
        cp.ReductionKernel('T x, T y', 'T z', 'x * y', 'a + b', 'z = a', '0', 'k2')(
            d, cp.asarray(np.ones(4, np.float32)))
