"""Elementwise operations on the device: ufuncs, operators, where, clip and
ElementwiseKernel, against NumPy on seeded random inputs of every dtype,
shapes from 0-d and empty to 3-d, broadcasting, strided views (basic
slicing), Python and NumPy scalars (NEP 50), out=, and the errors a NumPy
user would see."""
import warnings

import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _elementwise

pytestmark = pytest.mark.cuda

ALL_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
COMPLEX_DTYPES = [np.complex64, np.complex128]
#: A few of each kind, for the operations where every dtype would only cost compile time.
SOME_DTYPES = [np.bool_, np.int8, np.uint16, np.int32, np.uint64, np.float16, np.float32,
               np.float64, np.complex64, np.complex128]
SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 3, 4), (4, 0, 3)]

#: Relative tolerance per result dtype for arithmetic that rounds the same
#: way as NumPy's loops (the GPU's libm may differ by an ulp or two).
RTOL = {np.dtype(np.float16): 1e-3, np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-13,
        np.dtype(np.complex64): 2e-6, np.dtype(np.complex128): 1e-13}
#: ... and for transcendental functions.
RTOL_MATH = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12,
             np.dtype(np.complex64): 5e-5, np.dtype(np.complex128): 1e-11}


def assert_matches(dev, host, rtol=None, atol=0):
    """dev (a gpuarray.ndarray) has host's dtype and shape and its values
    (exactly for bool/int, to `rtol` for float/complex; NaNs in the same
    places)."""
    assert isinstance(dev, cp.ndarray), type(dev)
    host = np.asarray(host)
    assert dev.dtype == host.dtype, (dev.dtype, host.dtype)
    assert dev.shape == host.shape, (dev.shape, host.shape)
    got = dev.get()
    if host.dtype.kind in 'fc':
        r = RTOL[host.dtype] if rtol is None else rtol
        np.testing.assert_allclose(got, host, rtol=r, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, host)


def numpy_or_error(fn, *args, **kwargs):
    """NumPy's result, or the exception type it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with np.errstate(all='ignore'):
            try:
                return fn(*args, **kwargs), None
            except Exception as e:     # the same must be raised on the device
                return None, type(e)


def check(cp_fn, np_fn, hosts, rtol=None, atol=0):
    """cp_fn on device copies of `hosts` (scalars stay scalars) gives what
    np_fn gives on `hosts`, or raises what it raises."""
    expected, error = numpy_or_error(np_fn, *hosts)
    devs = [cp.asarray(h) if isinstance(h, np.ndarray) else h for h in hosts]
    if error is not None:
        base = next(e for e in (OverflowError, TypeError, ValueError, ArithmeticError, Exception)
                    if issubclass(error, e))
        with pytest.raises(base):
            cp_fn(*devs)
        return
    assert_matches(cp_fn(*devs), expected, rtol, atol)


def operand(random, shape, dtype, kind=None):
    """Random data; `kind` narrows it for operations that need it."""
    h = random(shape, dtype)
    dt = np.dtype(dtype)
    if kind == 'small' and dt.kind in 'iu':
        h = (np.abs(h.astype(np.int64)) % 5).astype(dtype)
    elif kind == 'unit' and dt.kind in 'fc':
        h = (h / 100).astype(dtype)     # inside the domains of arcsin/arccos, no overflow
    elif kind == 'positive' and dt.kind in 'fc':
        h = (np.abs(h) + 1).astype(dtype)
    return h


# ------------------------------------------------------------- binary ufuncs

BINARY = ['add', 'subtract', 'multiply', 'true_divide', 'floor_divide', 'remainder', 'power',
          'minimum', 'maximum', 'equal', 'not_equal', 'less', 'less_equal', 'greater',
          'greater_equal', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'left_shift',
          'right_shift']


#: Every kind and width of element, without the combinations that only
#: repeat another's code path.
BINARY_DTYPES = [np.bool_, np.int8, np.int16, np.int64, np.uint8, np.uint32, np.uint64,
                 np.float16, np.float32, np.float64, np.complex64, np.complex128]


@pytest.mark.parametrize('name', BINARY)
@pytest.mark.parametrize('dtype', BINARY_DTYPES)
def test_binary_ufunc_same_dtype(random, name, dtype):
    x = operand(random, (5, 7), dtype)
    y = operand(random, (5, 7), dtype, 'small' if name in ('power', 'left_shift', 'right_shift')
                else None)
    if name == 'power' and np.dtype(dtype).kind in 'fc':
        # exp(y log x): libm differences grow with |y log x|
        x = operand(random, (5, 7), dtype, 'unit')
        y = operand(random, (5, 7), dtype, 'unit') * 3
        check(cp.power, np.power, [x, y], rtol=RTOL_MATH[np.dtype(dtype)])
        return
    check(getattr(cp, name), getattr(np, name), [x, y])


MIXED = [(np.int8, np.uint8), (np.int16, np.float16), (np.uint32, np.int64), (np.int64, np.uint64),
         (np.float32, np.float64), (np.float16, np.complex64), (np.bool_, np.int32),
         (np.uint8, np.float32), (np.int32, np.complex128)]


@pytest.mark.parametrize('name', ['add', 'multiply', 'true_divide', 'floor_divide', 'maximum',
                                  'less', 'equal', 'bitwise_or'])
@pytest.mark.parametrize('dtypes', MIXED, ids=lambda d: '%s-%s' % (np.dtype(d[0]), np.dtype(d[1])))
def test_binary_ufunc_mixed_dtypes_promote_as_numpy(random, name, dtypes):
    x = operand(random, (6,), dtypes[0])
    y = operand(random, (6,), dtypes[1])
    check(getattr(cp, name), getattr(np, name), [x, y])


def test_int64_uint64_comparisons_are_by_value():
    x = np.array([-1, 0, 5, -(1 << 63), (1 << 63) - 1], dtype=np.int64)
    y = np.array([(1 << 64) - 1, 0, 5, 0, 1 << 63], dtype=np.uint64)
    for name in ['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal']:
        check(getattr(cp, name), getattr(np, name), [x, y])
        check(getattr(cp, name), getattr(np, name), [y, x])


@pytest.mark.parametrize('shapes', [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)),
                                    ((5,), ()), ((), ()), ((0,), (1,)), ((4, 0, 3), (3,)),
                                    ((1,), (6,))])
@pytest.mark.parametrize('dtype', [np.int32, np.float32, np.complex64])
def test_broadcasting(random, shapes, dtype):
    x = operand(random, shapes[0], dtype)
    y = operand(random, shapes[1], dtype)
    check(cp.add, np.add, [x, y])
    check(cp.multiply, np.multiply, [y, x])
    check(cp.less, np.less, [x, y])


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('dtype', [np.int16, np.float64])
def test_shapes(random, shape, dtype):
    x = operand(random, shape, dtype)
    y = operand(random, shape, dtype)
    check(cp.subtract, np.subtract, [x, y])
    check(cp.maximum, np.maximum, [x, y])


def test_float_semantics_follow_numpy_loops():
    """NaN-propagating min/max, Python's floor rounding, signed zeros,
    division by zero."""
    v = np.array([1.5, -1.5, 0.0, -0.0, np.inf, -np.inf, np.nan, 7.0, -7.0, 1e-30], np.float64)
    x, y = np.meshgrid(v, v)
    x, y = x.ravel(), y.ravel()
    for dtype in FLOAT_DTYPES:
        xs, ys = x.astype(dtype), y.astype(dtype)
        for name in ['add', 'subtract', 'multiply', 'true_divide', 'floor_divide', 'remainder',
                     'minimum', 'maximum', 'less', 'greater_equal', 'equal', 'not_equal', 'power']:
            check(getattr(cp, name), getattr(np, name), [xs, ys], rtol=1e-6)


def test_integer_semantics_follow_numpy_loops():
    """Floor division and remainder of negative numbers, by zero (0), of
    MIN by -1 (wraps), shifts past the width."""
    for dtype in [np.int8, np.int32, np.int64, np.uint8, np.uint64]:
        info = np.iinfo(dtype)
        v = np.array(sorted(x for x in {info.min, info.min + 1, -7, -1, 0, 1, 3, 7, info.max}
                            if info.min <= x <= info.max), dtype=dtype)
        x, y = np.meshgrid(v, v)
        x, y = x.ravel(), y.ravel()
        for name in ['floor_divide', 'remainder', 'add', 'subtract', 'multiply']:
            check(getattr(cp, name), getattr(np, name), [x, y])
        shifts = np.array([0, 1, 3, info.bits - 1, info.bits, info.bits + 5, 100], dtype=dtype)
        xs, ss = np.meshgrid(v, shifts)
        check(cp.left_shift, np.left_shift, [xs.ravel(), ss.ravel()])
        check(cp.right_shift, np.right_shift, [xs.ravel(), ss.ravel()])


def test_integer_power_wraps_as_numpy(random):
    for dtype in [np.int8, np.int32, np.uint16, np.int64]:
        x = random((50,), dtype)
        y = (np.abs(random((50,), np.int64)) % 70).astype(dtype)
        check(cp.power, np.power, [x, y])


def test_bool_arithmetic():
    x = np.array([True, True, False, False])
    y = np.array([True, False, True, False])
    for name in ['add', 'multiply', 'maximum', 'minimum', 'bitwise_and', 'bitwise_or',
                 'bitwise_xor', 'logical_and', 'logical_or', 'logical_xor', 'equal', 'less']:
        check(getattr(cp, name), getattr(np, name), [x, y])
    check(cp.subtract, np.subtract, [x, y])   # a TypeError in NumPy too


# -------------------------------------------------------------- unary ufuncs

UNARY_MATH = ['sqrt', 'exp', 'log', 'log2', 'log10', 'sin', 'cos', 'tan', 'tanh', 'arcsin',
              'arccos', 'arctan']


@pytest.mark.parametrize('name', UNARY_MATH)
@pytest.mark.parametrize('dtype', FLOAT_DTYPES + COMPLEX_DTYPES + [np.int16, np.uint8])
def test_unary_math(random, name, dtype):
    if name in ('sqrt', 'log', 'log2', 'log10') and np.dtype(dtype).kind == 'f':
        x = operand(random, (40,), dtype, 'positive')
    else:
        x = operand(random, (40,), dtype, 'unit')
    if np.dtype(dtype).kind in 'iu':
        x = (x % 10).astype(dtype)
    expected, _ = numpy_or_error(getattr(np, name), x)
    rtol = RTOL_MATH[expected.dtype]
    check(getattr(cp, name), getattr(np, name), [x], rtol=rtol, atol=rtol)


@pytest.mark.parametrize('name', ['negative', 'positive', 'absolute', 'floor', 'ceil', 'invert',
                                  'logical_not', 'square'])
@pytest.mark.parametrize('dtype', SOME_DTYPES)
def test_unary_ufuncs(random, name, dtype):
    check(getattr(cp, name), getattr(np, name), [operand(random, (3, 4), dtype)])


def test_math_on_special_values():
    v = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, np.inf, -np.inf, np.nan, 1e-300], np.float64)
    for name in UNARY_MATH + ['floor', 'ceil', 'absolute', 'negative']:
        check(getattr(cp, name), getattr(np, name), [v], rtol=1e-12)


def test_float16_rounds_like_numpy():
    """float16 results are computed in float and rounded once to nearest
    even, so they match NumPy bit for bit; casts from float64 round once."""
    bits = np.arange(0, 1 << 16, 7, dtype=np.uint16)
    h = bits.view(np.float16)
    g = h[::-1].copy()
    with np.errstate(all='ignore'):
        for name in ['add', 'subtract', 'multiply', 'true_divide']:
            expected = getattr(np, name)(h, g)
            got = getattr(cp, name)(cp.asarray(h), cp.asarray(g)).get()
            np.testing.assert_array_equal(got, expected)
    d = np.concatenate([np.random.default_rng(5).standard_normal(2000) * 10.0 ** np.arange(-8, 6).repeat(143)[:2000],
                        [65504.0, 65519.99, 65520.0, 1e6, 6e-8, 3e-8, 2.9802322387695312e-08]])
    out = cp.empty(d.shape, cp.float16)
    cp.add(cp.asarray(d), 0.0, out=out, casting='unsafe')
    with np.errstate(over='ignore'):
        np.testing.assert_array_equal(out.get(), (d + 0.0).astype(np.float16))


def test_complex_semantics(random):
    x = operand(random, (64,), np.complex128, 'unit') * 3
    y = operand(random, (64,), np.complex128, 'unit') * 3
    y[:4] = [0, 1j, -2, 1e-320]
    for name in ['add', 'subtract', 'multiply', 'true_divide', 'equal', 'not_equal', 'less',
                 'less_equal', 'greater', 'greater_equal', 'maximum', 'minimum']:
        check(getattr(cp, name), getattr(np, name), [x, y], rtol=1e-13)
    check(cp.power, np.power, [x, y], rtol=1e-11)
    check(cp.power, np.power, [x, np.array([2, 3, -2, 0.5, 7, 0] * 10 + [1, 2, 3, 4],
                                           np.complex128)], rtol=1e-12)
    check(cp.absolute, np.absolute, [x])


# ------------------------------------------------------------------ scalars

@pytest.mark.parametrize('dtype', SOME_DTYPES)
@pytest.mark.parametrize('scalar', [3, -2, 2.5, 1 - 2j, True], ids=repr)
def test_python_scalars_are_weak(random, dtype, scalar):
    x = operand(random, (9,), dtype)
    check(lambda a, s: a + s, lambda a, s: a + s, [x, scalar])
    check(lambda a, s: s * a, lambda a, s: s * a, [x, scalar])
    check(lambda a, s: a < s, lambda a, s: a < s, [x, scalar])


@pytest.mark.parametrize('scalar', [np.float64(2.5), np.int8(-3), np.uint64(7), np.float16(1.5),
                                    np.complex64(1 + 1j), np.bool_(True)], ids=repr)
@pytest.mark.parametrize('dtype', [np.int8, np.float32, np.uint32])
def test_numpy_scalars_are_strong(random, dtype, scalar):
    x = operand(random, (6,), dtype)
    check(lambda a, s: a - s, lambda a, s: a - s, [x, scalar])
    check(lambda a, s: s - a, lambda a, s: s - a, [x, scalar])


def test_python_int_out_of_range_is_numpys_overflow_error():
    x = cp.asarray(np.arange(5, dtype=np.int8))
    with pytest.raises(OverflowError):
        x + 300
    with pytest.raises(OverflowError):
        cp.asarray(np.arange(3, dtype=np.uint8)) - (-1)
    # comparisons take any Python int, as NumPy 2
    assert_matches(x > 1000, np.arange(5, dtype=np.int8) > 1000)
    assert_matches(x != -1000, np.arange(5, dtype=np.int8) != -1000)
    assert_matches(x >= -200, np.arange(5, dtype=np.int8) >= -200)


def test_zero_d_arrays_broadcast_like_arrays(random):
    x = operand(random, (4, 3), np.float32)
    s = np.array(2.5, dtype=np.float64)
    check(cp.add, np.add, [x, s])
    check(cp.multiply, np.multiply, [s, x])


def test_only_scalars_give_a_zero_d_array():
    r = cp.add(np.float32(1.5), 2)
    assert_matches(r, np.add(np.float32(1.5), 2))


# ---------------------------------------------------------- strided views

def test_strided_views(random):
    x = operand(random, (8, 10), np.float32)
    y = operand(random, (8, 10), np.float32)
    X, Y = cp.asarray(x), cp.asarray(y)
    for sx, sy in [((slice(None, None, 2), slice(1, None, 3)), (slice(1, None, 2), slice(None, 9, 3))),
                   ((slice(None, None, -1), slice(None)), (slice(None), slice(None))),
                   ((slice(None), slice(None, None, -2)), (slice(None, None, -1), slice(1, None, 2))),
                   ((3, slice(None)), (slice(2, 3), slice(None))),
                   ((slice(None), None, slice(2, 5)), (slice(None), slice(2, 5)))]:
        assert_matches(X[sx] + Y[sy], x[sx] + y[sy])
        assert_matches(cp.maximum(X[sx], 0.5), np.maximum(x[sx], 0.5))
        assert_matches(-X[sx], -x[sx])


def test_strided_views_of_every_dtype(random):
    for dtype in SOME_DTYPES:
        x = operand(random, (6, 5, 4), dtype)
        X = cp.asarray(x)
        assert_matches(X[::2, :, 1:] == X[1::2, :, :3], x[::2, :, 1:] == x[1::2, :, :3])
        assert_matches(cp.maximum(X[:, ::-2], X[:, ::2]), np.maximum(x[:, ::-2], x[:, ::2]))


def test_fortran_order_inputs_give_fortran_output(random):
    x = np.asfortranarray(operand(random, (5, 6), np.float64))
    y = np.asfortranarray(operand(random, (5, 6), np.float64))
    r = cp.asarray(x) * cp.asarray(y)
    assert r.flags.f_contiguous
    assert_matches(r, x * y)
    assert_matches(cp.asarray(x) + cp.asarray(np.ascontiguousarray(y)), x + y)


def test_misaligned_and_large_arrays_take_both_paths(random):
    """The dense kernel's 16-byte vectors need aligned pointers; a view
    starting one element in takes the scalar loop. Sizes that are not a
    multiple of the vector width leave a tail."""
    for dtype in [np.int8, np.float16, np.float32, np.float64, np.complex128]:
        x = operand(random, (100003,), dtype)
        y = operand(random, (100003,), dtype)
        X, Y = cp.asarray(x), cp.asarray(y)
        assert_matches(X + Y, x + y)
        assert_matches(X[1:] + Y[:-1], x[1:] + y[:-1])
        assert_matches(X[3:] * 2, x[3:] * 2)


# ------------------------------------------------------------------- out=

def test_out_argument(random):
    x = operand(random, (4, 5), np.float32)
    y = operand(random, (5,), np.float32)
    out = cp.empty((4, 5), cp.float32)
    r = cp.add(cp.asarray(x), cp.asarray(y), out=out)
    assert r is out
    assert_matches(out, x + y)
    # the result cast to out's dtype (same_kind), and out given positionally
    out64 = cp.empty((4, 5), cp.float64)
    cp.multiply(cp.asarray(x), cp.asarray(y), out64)
    assert_matches(out64, (x * y).astype(np.float64))
    # int8 arithmetic, then cast: wraps in int8 first, as NumPy
    a = np.array([100, -100, 50], np.int8)
    o = cp.empty(3, cp.int64)
    cp.add(cp.asarray(a), cp.asarray(a), out=(o,))
    np.testing.assert_array_equal(o.get(), np.add(a, a, out=np.empty(3, np.int64)))
    # out into a strided view
    big = cp.zeros((4, 10), cp.float32)
    cp.subtract(cp.asarray(x), 1, out=big[:, ::2])
    expected = np.zeros((4, 10), np.float32)
    np.subtract(x, 1, out=expected[:, ::2])
    assert_matches(big, expected)


def test_out_errors(random):
    x = cp.asarray(operand(random, (4, 5), np.float32))
    with pytest.raises(ValueError, match='non-broadcastable output operand'):
        cp.add(x, x, out=cp.empty((5,), cp.float32))
    with pytest.raises(ValueError):
        cp.add(x, x, out=cp.empty((3, 5), cp.float32))
    with pytest.raises(TypeError, match='same_kind'):
        cp.add(x, x, out=cp.empty((4, 5), cp.int32))
    with pytest.raises(TypeError):
        cp.add(x, x, out=np.empty((4, 5), np.float32))
    # out bigger than the inputs: they broadcast to it, as in NumPy
    o = cp.empty((2, 4, 5), cp.float32)
    cp.add(x, 1, out=o)
    assert_matches(o, np.broadcast_to(x.get() + 1, (2, 4, 5)))


def test_overlapping_out_reads_inputs_first(random):
    h = operand(random, (12,), np.float64)
    d = cp.asarray(h)
    cp.add(d[:-1], 1, out=d[1:])
    expected = h.copy()
    np.add(expected[:-1], 1, out=expected[1:])
    assert_matches(d, expected)
    d = cp.asarray(h)
    cp.multiply(d[::-1], d, out=d)
    assert_matches(d, h[::-1] * h)


def test_dtype_argument(random):
    x = operand(random, (8,), np.int16)
    check(lambda a: cp.add(a, a, dtype=np.float32), lambda a: np.add(a, a, dtype=np.float32), [x])
    check(lambda a: cp.true_divide(a, 3, dtype=np.float16),
          lambda a: np.true_divide(a, 3, dtype=np.float16), [x])


# -------------------------------------------------------------- operators

OPERATORS = [('+', lambda a, b: a + b), ('-', lambda a, b: a - b), ('*', lambda a, b: a * b),
             ('/', lambda a, b: a / b), ('//', lambda a, b: a // b), ('%', lambda a, b: a % b),
             ('**', lambda a, b: a ** b), ('&', lambda a, b: a & b), ('|', lambda a, b: a | b),
             ('^', lambda a, b: a ^ b), ('<<', lambda a, b: a << b), ('>>', lambda a, b: a >> b),
             ('==', lambda a, b: a == b), ('!=', lambda a, b: a != b), ('<', lambda a, b: a < b),
             ('<=', lambda a, b: a <= b), ('>', lambda a, b: a > b), ('>=', lambda a, b: a >= b)]


# Every operator on int32; on float32 only those whose float loop the ufunc
# tests do not already cover (bitwise ones have none).
OPERATOR_CASES = [(op, dtype) for dtype in (np.int32, np.float32) for op in OPERATORS
                  if not (dtype == np.float32 and
                          op[0] in ('&', '|', '^', '<<', '>>', '!=', '<=', '>', '>='))]


@pytest.mark.parametrize('op,dtype', OPERATOR_CASES,
                         ids=['{}-{}'.format(o[0], np.dtype(d).name) for o, d in OPERATOR_CASES])
def test_operators(random, op, dtype):
    fn = op[1]
    x = operand(random, (3, 4), dtype)
    y = operand(random, (3, 4), dtype, 'small')
    if op[0] == '**' and np.dtype(dtype).kind == 'f':
        x = operand(random, (3, 4), dtype, 'positive')
    check(fn, fn, [x, y])
    check(fn, fn, [x, 2])
    check(fn, fn, [3, y])
    check(fn, fn, [x[:, ::2], y[1:2, 1::2]])
    # and again: the second time goes through the operator's fast path
    check(fn, fn, [x, y])
    check(fn, fn, [x, 2])


def test_unary_operators(random):
    for dtype in [np.int8, np.float32, np.complex64, np.bool_]:
        x = operand(random, (5,), dtype)
        check(lambda a: -a, lambda a: -a, [x])
        check(lambda a: +a, lambda a: +a, [x])
        check(lambda a: abs(a), lambda a: abs(a), [x])
        check(lambda a: ~a, lambda a: ~a, [x])


def test_inplace_operators(random):
    x = operand(random, (6, 3), np.float32)
    y = operand(random, (3,), np.float32)
    d = cp.asarray(x)
    ident = id(d)
    d += cp.asarray(y)
    d *= 2
    d -= 1.5
    d /= cp.asarray(y)
    d **= 2
    assert id(d) == ident
    assert_matches(d, ((((x + y) * 2) - 1.5) / y) ** 2, rtol=1e-5)
    i = cp.asarray(np.arange(6, dtype=np.int32))
    i <<= 2
    i //= 3
    i %= 5
    i |= 8
    assert_matches(i, (((np.arange(6, dtype=np.int32) << 2) // 3) % 5) | 8)
    with pytest.raises(TypeError, match='same_kind'):
        i += 1.5
    with pytest.raises(TypeError):
        i /= 2


def test_unsupported_operands():
    x = cp.asarray(np.arange(4, dtype=np.float32))
    with pytest.raises(TypeError):
        x + np.arange(4, dtype=np.float32)
    with pytest.raises(TypeError):
        x + 'a'
    with pytest.raises(TypeError):
        x + [1, 2, 3, 4]
    with pytest.raises(TypeError):
        cp.add(x, np.arange(4))
    assert x.__add__('a') is NotImplemented
    with pytest.raises(TypeError):
        hash(x)


def test_unsupported_dtype_combinations_are_numpys_type_errors():
    f = cp.asarray(np.ones(3, np.float32))
    c = cp.asarray(np.ones(3, np.complex64))
    b = cp.asarray(np.ones(3, np.bool_))
    with pytest.raises(TypeError, match="ufunc 'bitwise_and' not supported"):
        f & f
    with pytest.raises(TypeError):
        f << 1
    with pytest.raises(TypeError):
        cp.floor(c)
    with pytest.raises(TypeError):
        c // c
    with pytest.raises(TypeError):
        -b
    with pytest.raises(TypeError):
        b - b


def test_shapes_that_do_not_broadcast():
    x = cp.asarray(np.ones((2, 3)))
    y = cp.asarray(np.ones((4,)))
    with pytest.raises(ValueError, match=r'operands could not be broadcast together with shapes '
                                         r'\(2,3\) \(4,\)'):
        x + y
    with pytest.raises(ValueError):
        cp.where(x > 0, x, y)


# ------------------------------------------------------------ where, clip

@pytest.mark.parametrize('dtype', [np.int8, np.float16, np.float64, np.complex64, np.bool_])
def test_where(random, dtype):
    c = random((4, 5), np.bool_)
    x = operand(random, (4, 5), dtype)
    y = operand(random, (5,), dtype)
    check(cp.where, np.where, [c, x, y])
    check(cp.where, np.where, [c, x, 3])
    check(cp.where, np.where, [c[:, :1], 2.5, y])
    check(cp.where, np.where, [operand(random, (4, 5), np.float32), x, y])   # nonzero is true


@pytest.mark.parametrize('dtype', [np.int8, np.uint16, np.float32, np.float64])
def test_clip(random, dtype):
    x = operand(random, (30,), dtype)
    if np.dtype(dtype).kind == 'f':
        x[::7] = np.nan
    check(lambda a: cp.clip(a, -5, 20), lambda a: np.clip(a, -5, 20), [x])
    check(lambda a: cp.clip(a, None, 20), lambda a: np.clip(a, None, 20), [x])
    check(lambda a: a.clip(3, None), lambda a: a.clip(3, None), [x])
    check(lambda a, lo: cp.clip(a, lo, 50), lambda a, lo: np.clip(a, lo, 50), [x, x[::-1]])
    check(lambda a: cp.clip(a, 0, 300), lambda a: np.clip(a, 0, 300), [x])
    check(lambda a: cp.clip(a, None, None), lambda a: np.clip(a, None, None), [x])


# ------------------------------------------------------------- caching

def test_kernels_are_compiled_once_per_key(random):
    x = cp.asarray(operand(random, (10,), np.float32))
    y = cp.asarray(operand(random, (10,), np.float32))
    x + y
    x[::2] + y[1::2]
    n = len(_elementwise._kernels)
    for _ in range(3):
        x + y
        x[::2] + y[1::2]
        cp.asarray(operand(random, (1000,), np.float32)) + cp.asarray(operand(random, (1000,), np.float32))
    assert len(_elementwise._kernels) == n


def test_generated_kernels_use_plain_cuda_c(random):
    x = cp.asarray(operand(random, (10,), np.complex64))
    cp.sqrt(x[::2]) + 1
    cp.asarray(operand(random, (10,), np.float16)) * 2
    for src in _elementwise.kernel_sources().values():
        assert '#include' not in src and 'asm(' not in src and 'asm volatile' not in src


# ------------------------------------------------------- ElementwiseKernel

def test_elementwise_kernel_concrete_types(random):
    k = cp.ElementwiseKernel('float32 x, float32 y', 'float32 z', 'z = (x - y) * (x - y)',
                             'squared_diff')
    x = operand(random, (5, 6), np.float32)
    y = operand(random, (6,), np.float32)
    assert_matches(k(cp.asarray(x), cp.asarray(y)), (x - y) * (x - y))
    z = cp.empty((5, 6), cp.float32)
    assert k(cp.asarray(x), cp.asarray(y), z) is z
    assert_matches(z, (x - y) * (x - y))
    with pytest.raises(TypeError, match='Type is mismatched'):
        k(cp.asarray(x.astype(np.float64)), cp.asarray(y))


@pytest.mark.parametrize('dtype', [np.int32, np.float16, np.float64, np.complex64])
def test_elementwise_kernel_type_placeholders(random, dtype):
    k = cp.ElementwiseKernel('T x, T y', 'T z', 'z = x * y + x', 'mul_add')
    x = operand(random, (7,), dtype)
    y = operand(random, (7,), dtype)
    with np.errstate(all='ignore'):
        expected = (x * y + x).astype(dtype)
    assert_matches(k(cp.asarray(x), cp.asarray(y)), expected, rtol=RTOL_MATH.get(np.dtype(dtype)))
    # strided views and broadcasting take the N-d indexer
    X, Y = cp.asarray(x), cp.asarray(y)
    assert_matches(k(X[::2], Y[::-2]), (x[::2] * y[::-2] + x[::2]).astype(dtype),
                   rtol=RTOL_MATH.get(np.dtype(dtype)))


def test_elementwise_kernel_scalars_raw_and_index(random):
    k = cp.ElementwiseKernel('T x, T a', 'T y', 'y = a * x + (T)i', 'axpi')
    x = operand(random, (10,), np.float64)
    assert_matches(k(cp.asarray(x), 2.5), 2.5 * x + np.arange(10))
    rev = cp.ElementwiseKernel('raw T x', 'T y', 'y = x[_ind.size() - i - 1]', 'reverse')
    y = cp.empty(10, cp.float64)
    rev(cp.asarray(x), y)
    assert_matches(y, x[::-1])
    fill = cp.ElementwiseKernel('', 'raw int32 y', 'y[i] = (int)(i * 3)', 'fill3')
    out = cp.zeros(8, cp.int32)
    fill(out, size=8)
    assert_matches(out, np.arange(8, dtype=np.int32) * 3)


def test_elementwise_kernel_outputs_and_options(random):
    k = cp.ElementwiseKernel('T x', 'T s, T d', 's = x + x; d = x * x', 'two', return_tuple=False)
    x = operand(random, (3, 3), np.int64)
    s, d = k(cp.asarray(x))
    assert_matches(s, x + x)
    assert_matches(d, x * x)
    k1 = cp.ElementwiseKernel('T x', 'T y', 'y = x', 'ident', return_tuple=True)
    r = k1(cp.asarray(x))
    assert isinstance(r, tuple) and len(r) == 1
    k2 = cp.ElementwiseKernel('T x', 'T y', 'y = x + OFFSET', 'offs', no_return=True,
                              preamble='#define OFFSET 5', loop_prep='', after_loop='')
    out = cp.empty((3, 3), cp.int64)
    assert k2(cp.asarray(x), out) is None
    assert_matches(out, x + 5)
    with pytest.raises(ValueError):
        cp.ElementwiseKernel('T i', 'T y', 'y = i', 'bad')
    with pytest.raises(TypeError):
        k(cp.asarray(x), cp.asarray(x))     # wrong argument count
    with pytest.raises(ValueError, match='Loop size'):
        cp.ElementwiseKernel('T x', 'raw T y', 'y[i] = x', 'r')(3, cp.empty(3, cp.int64))


# ------------------------------------------- ufuncs beyond the list

MORE_UNARY = ['isnan', 'isinf', 'isfinite', 'sign', 'sinh', 'cosh', 'arcsinh', 'arccosh',
              'arctanh', 'log1p', 'expm1', 'exp2', 'cbrt', 'trunc', 'rint', 'fabs']
#: The complex loops gpuarray has of these (the others are a TypeError).
MORE_COMPLEX = ('isnan', 'isinf', 'isfinite')
SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 0.999, -0.5, 7.25])


@pytest.mark.parametrize('name', MORE_UNARY)
@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64, np.int32, np.uint8,
                                   np.complex64])
def test_more_unary_ufuncs(random, name, dtype):
    dt = np.dtype(dtype)
    if dt.kind in 'fc':
        h = np.concatenate([SPECIAL, random((30,), np.float64) / 50]).astype(dtype)
        if dt.kind == 'c':
            h.imag = np.roll(h.real, 3)
    else:
        h = random((40,), dtype)
    expected, error = numpy_or_error(getattr(np, name), h)
    if dt.kind == 'c' and name not in MORE_COMPLEX and error is None:
        with pytest.raises(TypeError, match='not supported by gpuarray for complex'):
            getattr(cp, name)(cp.asarray(h))
        return
    rtol = RTOL_MATH[expected.dtype] if error is None and expected.dtype.kind in 'fc' else None
    check(getattr(cp, name), getattr(np, name), [h], rtol=rtol, atol=rtol or 0)


@pytest.mark.parametrize('name', ['arctan2', 'hypot', 'copysign', 'fmod', 'fmax', 'fmin'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.int16, np.uint16, np.bool_])
def test_more_binary_ufuncs(random, name, dtype):
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        x = np.concatenate([SPECIAL, random((20,), np.float64) / 10]).astype(dtype)
        y = np.concatenate([np.roll(SPECIAL, 4), random((20,), np.float64) / 10]).astype(dtype)
    else:
        x, y = random((30,), dtype), random((30,), dtype)
        if dt.kind != 'b':
            y[::7] = 0                                     # fmod by zero gives 0
        if dt.kind == 'i':
            x[0], y[0] = np.iinfo(dt).min, -1               # fmod's undefined C case
    expected, error = numpy_or_error(getattr(np, name), x, y)
    rtol = RTOL_MATH[expected.dtype] if error is None and expected.dtype.kind == 'f' else None
    check(getattr(cp, name), getattr(np, name), [x, y], rtol=rtol)


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.complex64, np.int32])
def test_isclose_allclose_array_equal(random, dtype):
    dt = np.dtype(dtype)
    a = random((50,), dtype)
    b = a.copy()
    if dt.kind in 'fc':
        b[::3] = b[::3] * (1 + 1e-6 if dt.itemsize >= 8 else 1 + 1e-6)
        b[1::5] += 1
        a[::11], b[::11] = np.nan, np.nan
        a[5], b[5] = np.inf, np.inf
        a[6], b[6] = -np.inf, np.inf
    else:
        b[1::5] += 1
    for equal_nan in (False, True):
        got = cp.isclose(cp.asarray(a), cp.asarray(b), equal_nan=equal_nan)
        assert_matches(got, np.isclose(a, b, equal_nan=equal_nan))
        assert bool(cp.allclose(cp.asarray(a), cp.asarray(b), equal_nan=equal_nan)) == \
            np.allclose(a, b, equal_nan=equal_nan)
        assert bool(cp.array_equal(cp.asarray(a), cp.asarray(a), equal_nan=equal_nan)) == \
            np.array_equal(a, a, equal_nan=equal_nan)
    assert bool(cp.allclose(cp.asarray(a[1:5]), cp.asarray(a[1:5])))
    assert not bool(cp.array_equal(cp.asarray(a), cp.asarray(a[:-1])))
    assert bool(cp.array_equiv(cp.asarray(a[1:3]), cp.asarray(np.stack([a[1:3], a[1:3]]))))
    assert not bool(cp.array_equiv(cp.asarray(a[:3]), cp.asarray(a[:4])))
