"""ndarray's operators through their C slots (csrc/python/operators.c): once
the general path has launched an operator for some dtypes, the same form
(array-array of one geometry, array with a Python int or float) launches
from C. Every result is compared with NumPy on random inputs, including
the cases the C path must hand back to Python: scalars out of the loop
type's range, floats that overflow float32, overlapping in-place operands,
views, subclasses and foreign operands."""
import operator
import warnings

import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _core

pytestmark = pytest.mark.device

BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
          operator.mod, operator.pow, operator.and_, operator.or_, operator.xor,
          operator.lshift, operator.rshift, operator.eq, operator.ne, operator.lt, operator.le,
          operator.gt, operator.ge]
INPLACE = [operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
           operator.imod, operator.ipow, operator.iand, operator.ior, operator.ixor,
           operator.ilshift, operator.irshift]
DTYPES = [np.int8, np.int32, np.uint16, np.int64, np.float32, np.float64]


def numpy_result(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with np.errstate(all='ignore'):
            try:
                return fn(*args), None
            except Exception as e:          # noqa: BLE001 - the device must raise the same
                return None, type(e)


def operands(rng, dtype, n=37):
    """x over the dtype's small range, y nonzero (for / // %) and, for
    shifts and powers, kept small."""
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        x = rng.uniform(-8, 8, n).astype(dt)
        y = rng.uniform(0.5, 3, n).astype(dt) * rng.choice([-1, 1], n).astype(dt)
    else:
        lo = 0 if dt.kind == 'u' else -20
        x = rng.integers(lo, 20, n).astype(dt)
        y = rng.integers(1, 5, n).astype(dt)
    return x, y


def check(fn, dev_args, host_args):
    want, err = numpy_result(fn, *host_args)
    if err is not None:
        with pytest.raises(err):
            fn(*dev_args)
        return
    got = fn(*dev_args)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
    if want.dtype.kind == 'f':
        np.testing.assert_allclose(got.get(), want, rtol=2e-6 if want.dtype == np.float32 else 1e-13)
    else:
        np.testing.assert_array_equal(got.get(), want)


@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('fn', BINARY, ids=lambda f: f.__name__)
def test_repeated_operators_match_numpy(rng, fn, dtype):
    x, y = operands(rng, dtype)
    dx, dy = cp.asarray(x), cp.asarray(y)
    s_int, s_float = int(rng.integers(1, 4)), float(rng.uniform(0.5, 2.5))
    # three rounds: the first launches through Python and registers the
    # kernel, the later ones launch from the C slot
    for _ in range(3):
        check(fn, (dx, dy), (x, y))
        check(fn, (dx, s_int), (x, s_int))
        if not (fn is operator.pow and np.dtype(dtype).kind in 'iu'):
            # (NumPy refuses negative integer powers; gpuarray's documented
            # difference gives the truncated value)
            check(fn, (s_int, dx), (s_int, x))
        check(fn, (dx, s_float), (x, s_float))
        check(fn, (s_float, dy), (s_float, y))


@pytest.mark.parametrize('dtype', [np.int32, np.float32, np.uint16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('fn', INPLACE, ids=lambda f: f.__name__)
def test_repeated_inplace_operators_match_numpy(rng, fn, dtype):
    x, y = operands(rng, dtype)
    dy = cp.asarray(y)
    for other, host_other in [(dy, y), (3, 3), (1.5, 1.5)]:
        for _ in range(3):
            want, err = numpy_result(fn, x.copy(), host_other)
            d = cp.asarray(x)
            ident = id(d)
            if err is not None:
                with pytest.raises(err):
                    fn(d, other)
                continue
            r = fn(d, other)
            assert r is d and id(r) == ident
            if want.dtype.kind == 'f':
                np.testing.assert_allclose(d.get(), want, rtol=2e-6)
            else:
                np.testing.assert_array_equal(d.get(), want)


def test_the_c_path_takes_over_after_the_first_launch(rng):
    x = cp.asarray(rng.standard_normal(16).astype(np.float32))
    y = cp.asarray(rng.standard_normal(16).astype(np.float32))
    _core._clear_operator_kernels()
    calls = []
    from gpuarray import _ufuncs
    x + y                                           # general path, registers
    kernel, out_dtype, per_block, loop_in = _ufuncs.add._aa[(x.dtype, y.dtype)]
    assert _core._register_operator_kernel('add', 'aa', x.dtype, y.dtype, kernel, out_dtype,
                                           per_block) is True
    # a Python fallback that records its calls: the C path must not call it
    fallback = _ufuncs._operator(_ufuncs.add, False)

    def spy(a, b):
        calls.append((a, b))
        return fallback(a, b)
    _core._set_operator_fallbacks({'add': (spy, _ufuncs._operator(_ufuncs.add, True),
                                           _ufuncs._inplace(_ufuncs.add))})
    try:
        r = x + y
        np.testing.assert_allclose(r.get(), x.get() + y.get(), rtol=1e-6)
        assert calls == []                          # launched from C
        x[::2] + y[::2]                             # views: the Python path
        assert len(calls) == 1
        x.reshape(4, 4) + y.reshape(1, 16)[:, :4]   # broadcasting: Python
        assert len(calls) == 2
        x + 1.5                                     # not registered yet: Python
        assert len(calls) == 3
    finally:
        _core._set_operator_fallbacks({'add': (fallback, _ufuncs._operator(_ufuncs.add, True),
                                               _ufuncs._inplace(_ufuncs.add))})


def test_scalars_the_c_path_hands_back_to_numpy_rules(rng):
    x8 = cp.asarray(rng.integers(-100, 100, 8).astype(np.int8))
    x8 + 1
    x8 + 1                                          # registered
    with pytest.raises(OverflowError):
        x8 + 1000                                   # NumPy: out of bounds for int8
    assert (x8 > 1000).get().tolist() == [False] * 8    # NumPy 2 compares by value
    assert (x8 < -1000).get().tolist() == [False] * 8
    u = cp.asarray(np.arange(8, dtype=np.uint32))
    u + 1
    with pytest.raises(OverflowError):
        u + (-1)
    f = cp.asarray(rng.standard_normal(8).astype(np.float32))
    f * 2.0
    with np.errstate(over='ignore'):
        got = (f * 1e300).get()
    assert np.all(np.isinf(got)) and got.dtype == np.float32
    # a big Python int on float32: NumPy's rounding (through the Python path)
    big = (1 << 60) + 1
    np.testing.assert_array_equal((f * 0 + big).get(), f.get() * 0 + np.float32(big))
    # bool is not int: the Python path, NumPy's result dtype
    b = cp.asarray(np.array([1, 2, 3], dtype=np.int16))
    assert (b + True).dtype == np.int16
    assert (b + True).get().tolist() == [2, 3, 4]


def test_inplace_with_overlap_reads_before_writing():
    h = np.arange(10, dtype=np.float32)
    d = cp.asarray(h)
    d[1:] += d[1:]                                  # same view: fine in place
    h[1:] += h[1:].copy()
    np.testing.assert_array_equal(d.get(), h)
    d2, h2 = cp.asarray(np.arange(10, dtype=np.float32)), np.arange(10, dtype=np.float32)
    a, b = d2[1:], d2[:-1]
    a += b                                          # overlapping, shifted
    h2[1:] += h2[:-1].copy()
    np.testing.assert_array_equal(d2.get(), h2)
    x = cp.asarray(np.arange(6, dtype=np.int32))
    x += x
    x += x
    assert x.get().tolist() == [0, 4, 8, 12, 16, 20]


def test_subclasses_and_foreign_operands():
    class Sub(cp.ndarray):
        pass
    x = cp.asarray(np.arange(5, dtype=np.float64))
    x + x
    s = Sub((5,), dtype=np.float64, memptr=x.data)
    np.testing.assert_array_equal((s + x).get(), np.arange(5) * 2.0)
    np.testing.assert_array_equal((x + s).get(), np.arange(5) * 2.0)
    np.testing.assert_array_equal((2.0 * s).get(), np.arange(5) * 2.0)
    assert x.__add__('a') is NotImplemented
    with pytest.raises(TypeError):
        x + 'a'
    with pytest.raises(TypeError):
        pow(x, 2, 3)
    # as NumPy 2: an object that is no array compares elementwise unequal
    np.testing.assert_array_equal((x == None).get(), np.arange(5.0) == None)  # noqa: E711
    np.testing.assert_array_equal((x != None).get(), np.arange(5.0) != None)  # noqa: E711
    with pytest.raises(TypeError):
        x < 'a'


def test_fast_path_follows_the_current_stream(rng):
    h = rng.standard_normal(1000).astype(np.float32)
    x = cp.asarray(h)
    x + x
    s = cp.cuda.Stream(non_blocking=True)
    with s:
        r = x + x
        r2 = r * 2.0
    s.synchronize()
    np.testing.assert_allclose(r2.get(), (h + h) * 2.0, rtol=1e-6)


def test_registration_rejects_bad_input(rng):
    x = cp.asarray(np.zeros(4, dtype=np.float32))
    with pytest.raises(TypeError):
        _core._register_operator_kernel('add', 'aa', x.dtype, x.dtype, object(), x.dtype, 1024)
    with pytest.raises(ValueError):
        _core._set_operator_fallbacks({'nonsense': (None, None, None)})
    assert _core._register_operator_kernel('minimum', 'aa', x.dtype, x.dtype, None, x.dtype,
                                           1024) is False
