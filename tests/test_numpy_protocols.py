"""NumPy's dispatch protocols on gpuarray arrays: NumPy's ufuncs and their
methods (NEP 13), NumPy's functions (NEP 18) and like= (NEP 35) run
gpuarray's own on the device and return gpuarray arrays, checked against
NumPy on random inputs (0-d, empty, non-contiguous views, broadcasting);
host arrays, unknown ufuncs and functions are TypeErrors that say so."""
import inspect

import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _numpy_protocols
from conftest import random_array

pytestmark = pytest.mark.device

# inputs by shape: 0-d, empty, 1-d, 2-d, 3-d
SHAPES = [(), (0,), (7,), (5, 6), (2, 3, 4)]


def same(got, want, rtol=1e-6, exact=False):
    assert isinstance(got, cp.ndarray), type(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if exact or want.dtype.kind in 'biu':
        np.testing.assert_array_equal(got.get(), want)
    else:
        np.testing.assert_allclose(got.get(), want, rtol=rtol, atol=1e-6, equal_nan=True)


def _gpuarray_ufuncs():
    return sorted(n for n in dir(cp) if isinstance(getattr(cp, n), cp.ufunc)
                  and getattr(cp, n).__name__ == n)


def _inputs(rng, name, nin, dtype, shape):
    """Operands in the ufunc's domain (positive for log, within [-1, 1] for
    arcsin, small exponents for power, ...), random otherwise."""
    dtype = np.dtype(dtype)
    out = []
    for i in range(nin):
        if dtype.kind == 'f':
            if name in ('arccosh',):
                h = 1 + rng.random(shape) * 5
            elif name in ('arcsin', 'arccos', 'arctanh'):
                h = rng.uniform(-0.95, 0.95, shape)
            elif name in ('log', 'log2', 'log10', 'sqrt', 'log1p', 'power', 'float_power',
                          'reciprocal', 'floor_divide', 'remainder', 'fmod', 'divide',
                          'true_divide', 'logaddexp', 'logaddexp2'):
                h = 0.5 + rng.random(shape) * 4
            else:
                h = rng.standard_normal(shape) * 2
            out.append(h.astype(dtype))
        elif dtype.kind == 'i':
            lo = 1 if name in ('floor_divide', 'remainder', 'fmod', 'divide', 'true_divide',
                               'power', 'left_shift', 'right_shift', 'gcd', 'lcm') else -50
            hi = 5 if name in ('power', 'left_shift', 'right_shift') else 50
            out.append(rng.integers(lo, hi, size=shape).astype(dtype))
        else:
            out.append(rng.random(shape) < 0.5)
    return out


def _dtypes_for(name):
    """The dtypes among a sample of families (float32, float64, int32,
    uint8, bool) whose loop NumPy's ufunc has for all inputs alike."""
    np_uf = getattr(np, name)
    found = []
    for dt in (np.float32, np.int32, np.float64, np.uint8, np.bool_):
        char = np.dtype(dt).char
        if any(t.split('->')[0] == char * np_uf.nin for t in np_uf.types):
            found.append(dt)
    return found


@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_every_gpuarray_ufunc_runs_through_numpy(rng, shape):
    """numpy.<name>(g, ...) for every ufunc gpuarray has: same values and
    dtype as NumPy on the host, and a gpuarray array. The shapes alternate
    between each ufunc's first two dtypes (sampled, not a cross product)."""
    checked = 0
    for name in _gpuarray_ufuncs():
        if not isinstance(getattr(np, name, None), np.ufunc):
            continue
        dts = _dtypes_for(name)
        if not dts:
            continue
        dt = dts[SHAPES.index(shape) % 2 % len(dts)]
        hs = _inputs(rng, name, getattr(np, name).nin, dt, shape)
        with np.errstate(all='ignore'):
            want = getattr(np, name)(*hs)
        got = getattr(np, name)(*[cp.asarray(h) for h in hs])
        if isinstance(want, tuple):
            assert isinstance(got, tuple) and len(got) == len(want)
            for g, w in zip(got, want):
                same(g, w, rtol=2e-5)
        else:
            try:
                same(got, want, rtol=2e-5)
            except AssertionError as e:
                raise AssertionError('numpy.{} on {}: {}'.format(name, np.dtype(dt).name, e)) from None
        checked += 1
    assert checked >= 60, checked


@pytest.mark.parametrize('dtype', [np.float64, np.int16, np.uint8, np.complex64],
                         ids=lambda d: np.dtype(d).name)
def test_binary_ufuncs_broadcast_and_take_views(rng, dtype):
    a = random_array(rng, (4, 1, 5), dtype)
    full = random_array(rng, (3, 10), dtype)
    b = full[:, ::2]                                    # a non-contiguous view, (3, 5)
    ga, gb = cp.asarray(a), cp.asarray(full)[:, ::2]
    with np.errstate(all='ignore'):
        for name in ('add', 'multiply', 'subtract', 'equal', 'maximum'):
            f = getattr(np, name)
            same(f(ga, gb), f(a, b), rtol=1e-5)
            same(f(gb, ga), f(b, a), rtol=1e-5)


def test_out_argument_is_filled_and_returned(rng):
    h = rng.standard_normal((6, 7)).astype(np.float32)
    g = cp.asarray(h)
    o = cp.empty_like(g)
    r = np.exp(g, out=o)
    assert r is o
    same(o, np.exp(h), rtol=1e-6)
    o2 = cp.empty_like(g)
    r2 = np.add(g, g, out=(o2,))
    assert r2 is o2
    same(o2, h + h)
    # out= of a wider dtype casts as NumPy does
    o3 = cp.empty((6, 7), dtype=np.float64)
    np.multiply(g, 3, out=o3)
    same(o3, (h * np.float32(3)).astype(np.float64))


def test_where_keeps_out_where_the_mask_is_false(rng):
    h = rng.standard_normal((5, 8))
    mask = rng.random((5, 8)) < 0.5
    base = rng.standard_normal((5, 8))
    o = cp.asarray(base)
    np.add(cp.asarray(h), 1.0, out=o, where=cp.asarray(mask))
    same(o, np.where(mask, h + 1.0, base))


@pytest.mark.parametrize('scalar', [2, 2.5, np.float32(1.5), np.int64(3), np.array(4.0),
                                    np.array(7, dtype=np.int8), True],
                         ids=lambda s: type(s).__name__ + str(np.asarray(s).dtype))
def test_scalars_mix_in_as_scalars(rng, scalar):
    """Python scalars, NumPy scalars and 0-d NumPy arrays are scalars (as in
    CuPy), promoting as NumPy does."""
    for dtype in (np.float32, np.int32, np.int8):
        h = random_array(rng, (3, 4), dtype) // 4
        g = cp.asarray(h)
        for f in (np.add, np.multiply, np.maximum):
            same(f(g, scalar), f(h, scalar))
            same(f(scalar, g), f(scalar, h))


def test_ufunc_on_a_zero_d_gpuarray_array(rng):
    h = np.float64(rng.standard_normal())
    g = cp.asarray(h)
    same(np.sin(g), np.sin(np.asarray(h)))
    same(np.add(g, g), np.asarray(h + h))


def test_host_arrays_are_a_type_error_naming_asarray(rng):
    g = cp.asarray(rng.standard_normal(3))
    h = np.ones(3)
    for f in (lambda: np.add(g, h), lambda: g + h, lambda: h + g, lambda: np.multiply(h, g),
              lambda: np.subtract(g, h, out=cp.empty(3))):
        with pytest.raises(TypeError, match=r'gpuarray\.asarray'):
            f()
    with pytest.raises(TypeError, match='out='):
        np.exp(g, out=np.empty(3))


def test_unknown_ufunc_and_method_are_type_errors_naming_them(monkeypatch):
    g = cp.arange(4, dtype=np.float64)
    identity = np.frompyfunc(lambda v: v, 1, 1)
    with pytest.raises(TypeError, match=r'no ufunc'):
        identity(g)
    monkeypatch.setattr(cp.ufunc, 'reduceat', None, raising=False)
    with pytest.raises(TypeError, match=r"numpy\.add\.reduceat.*'reduceat'"):
        np.add.reduceat(g, [0, 2])
    with pytest.raises(TypeError, match='signature'):
        np.add(g, g, signature=('f8', 'f8', 'f8'))


@pytest.mark.parametrize('dtype', [np.float32, np.int64], ids=lambda d: np.dtype(d).name)
def test_ufunc_methods_reduce_accumulate_outer_at(rng, dtype):
    h = random_array(rng, (6, 5), dtype) // 1000 if np.dtype(dtype).kind == 'i' else \
        rng.standard_normal((6, 5)).astype(dtype)
    g = cp.asarray(h)
    same(np.add.reduce(g, axis=0), np.add.reduce(h, axis=0), rtol=1e-5)
    same(np.add.reduce(g, axis=1), np.add.reduce(h, axis=1), rtol=1e-5)
    same(np.maximum.reduce(g, axis=None), np.maximum.reduce(h, axis=None))
    same(np.maximum.accumulate(g), np.maximum.accumulate(h))
    same(np.add.accumulate(g, axis=1), np.add.accumulate(h, axis=1), rtol=1e-5)
    v = h[0]
    same(np.multiply.outer(cp.asarray(v), cp.asarray(v)), np.multiply.outer(v, v), rtol=1e-6)
    # scatter-add accumulates repeated indices
    idx = rng.integers(0, 6, size=20)
    vals = random_array(rng, (20, 5), dtype) // 1000 if np.dtype(dtype).kind == 'i' else \
        rng.standard_normal((20, 5)).astype(dtype)
    want = h.copy()
    np.add.at(want, idx, vals)
    np.add.at(g, cp.asarray(idx), cp.asarray(vals))
    same(g, want, rtol=1e-5)


def test_matmul_is_dispatched_as_numpy_2s_gufunc(rng):
    a = rng.standard_normal((4, 6)).astype(np.float32)
    b = rng.standard_normal((6, 3)).astype(np.float32)
    same(np.matmul(cp.asarray(a), cp.asarray(b)), a @ b, rtol=1e-5)


# --------------------------------------------------------------- functions

def _dispatched_function_cases(rng):
    h = rng.standard_normal((5, 6))
    hv = h[::2, 1::2]                                   # a non-contiguous view
    g = cp.asarray(h)
    gv = g[::2, 1::2]
    i = rng.integers(-9, 9, size=(4, 3)).astype(np.int32)
    return [
        ('concatenate', lambda m, a, b: m.concatenate([a, b]), (h[:, ::2], hv), (g[:, ::2], gv)),
        ('concatenate0', lambda m, a: m.concatenate([a, a]), (hv,), (gv,)),
        ('stack', lambda m, a: m.stack([a, a], axis=-1), (hv,), (gv,)),
        ('where', lambda m, a: m.where(a > 0, a, -a), (hv,), (gv,)),
        ('clip', lambda m, a: m.clip(a, -0.5, 0.5), (h,), (g,)),
        ('mean', lambda m, a: m.mean(a, axis=0), (hv,), (gv,)),
        ('mean_keepdims', lambda m, a: m.mean(a, axis=1, keepdims=True), (h,), (g,)),
        ('sum', lambda m, a: m.sum(a, axis=(0, 1)), (hv,), (gv,)),
        ('std', lambda m, a: m.std(a, ddof=1), (h,), (g,)),
        ('var', lambda m, a: m.var(a, axis=0), (hv,), (gv,)),
        ('prod', lambda m, a: m.prod(a, axis=1), (i,), (cp.asarray(i),)),
        ('amax', lambda m, a: m.amax(a, axis=0), (i,), (cp.asarray(i),)),
        ('argmin', lambda m, a: m.argmin(a, axis=1), (hv,), (gv,)),
        ('transpose', lambda m, a: m.transpose(a), (hv,), (gv,)),
        ('reshape', lambda m, a: m.reshape(a, (6, 5)), (h,), (g,)),
        ('moveaxis', lambda m, a: m.moveaxis(a, 0, -1), (hv,), (gv,)),
        ('expand_dims', lambda m, a: m.expand_dims(a, 1), (hv,), (gv,)),
        ('squeeze', lambda m, a: m.squeeze(a[:1]), (hv,), (gv,)),
        ('ravel', lambda m, a: m.ravel(a), (hv,), (gv,)),
        ('isclose', lambda m, a: m.isclose(a, a + 1e-9), (hv,), (gv,)),
        ('count_nonzero', lambda m, a: m.count_nonzero(a > 0, axis=0), (h,), (g,)),
        ('nonzero', lambda m, a: m.nonzero(a > 0)[1], (h,), (g,)),
        ('dot', lambda m, a: m.dot(a, a.T), (hv,), (gv,)),
        ('unravel_index', lambda m, a: m.unravel_index(m.argmax(a), a.shape)[1], (h,), (g,)),
    ]


def test_numpy_functions_dispatch_to_gpuarray(rng):
    for name, f, host_args, dev_args in _dispatched_function_cases(rng):
        want = f(np, *host_args)
        got = f(np, *dev_args)
        try:
            same(got, want, rtol=1e-6)
        except AssertionError as e:
            raise AssertionError('numpy.{} on gpuarray arrays: {}'.format(name, e)) from None


def test_whole_array_comparisons_give_numpys_answer(rng):
    h = rng.standard_normal((3, 4))
    g = cp.asarray(h)
    assert bool(np.array_equal(g, g)) is True
    assert bool(np.array_equal(g, g + 1)) is False
    assert bool(np.allclose(g, g + 1e-12)) is True
    assert bool(np.allclose(g, g + 1)) is False
    assert bool(np.array_equiv(g, g[:1] * 0 + g)) is True


def test_empty_and_zero_d_through_functions():
    e = cp.zeros((0, 3))
    same(np.sum(e, axis=0), np.zeros(3))
    same(np.concatenate([e, e]), np.zeros((0, 3)))
    z = cp.asarray(np.float32(2.5))
    same(np.mean(z), np.mean(np.float32(2.5)))


def test_like_creates_gpuarray_arrays(rng):
    g = cp.zeros(2)
    h = rng.standard_normal((3, 2)).astype(np.float32)
    cases = [
        (np.zeros(3, like=g), np.zeros(3)),
        (np.ones((2, 2), dtype=np.int8, like=g), np.ones((2, 2), dtype=np.int8)),
        (np.full(4, 7, like=g), np.full(4, 7)),
        (np.arange(1, 10, 3, like=g), np.arange(1, 10, 3)),
        (np.asarray(h, like=g), h),
        (np.array([[1, 2], [3, 4]], like=g), np.array([[1, 2], [3, 4]])),
    ]
    for got, want in cases:
        same(got, want, exact=True)
    assert np.empty((2, 3), like=g).shape == (2, 3)


def test_unimplemented_function_is_a_type_error_naming_it():
    g = cp.arange(3.0)
    with pytest.raises(TypeError, match=r'numpy\.piecewise is not implemented for gpuarray'):
        np.piecewise(g, [g > 1], [0, 1])


def test_host_array_among_function_arguments_is_a_type_error(rng):
    g = cp.asarray(rng.standard_normal(3))
    with pytest.raises(TypeError, match=r'numpy\.concatenate.*gpuarray\.asarray'):
        np.concatenate([g, np.ones(3)])
    with pytest.raises(TypeError, match=r'gpuarray\.asarray'):
        np.where(g > 0, g, np.ones(3))


def test_other_libraries_get_notimplemented_first():
    """A type gpuarray does not know (here: a minimal duck array) is asked
    in its turn, as NEP 18 requires."""
    class Duck:
        def __array_function__(self, func, types, args, kwargs):
            return 'duck'

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return 'duck'

    g = cp.arange(3.0)
    assert np.concatenate([g, Duck()]) == 'duck'
    assert np.add(g, Duck()) == 'duck'


def _numpy_functions_gpuarray_implements():
    """(name, numpy function, gpuarray function) for every public NumPy
    function, also in linalg/fft, that dispatches to gpuarray."""
    out = []
    for sub in ('', 'linalg', 'fft'):
        np_ns = getattr(np, sub) if sub else np
        for name in dir(np_ns):
            f = getattr(np_ns, name)
            if name.startswith('_') or not callable(f) or isinstance(f, (type, np.ufunc)):
                continue
            # only functions that dispatch (NEP 18, or like= of NEP 35)
            if not hasattr(f, '_implementation') and \
                    'like' not in str(getattr(f, '__text_signature__', None)) + str(f.__doc__)[:300]:
                continue
            impl = _numpy_protocols._gpuarray_function_for(f)
            if impl is not None:
                out.append(((sub + '.' if sub else '') + name, f, impl))
    return out


# like= is consumed by NumPy's dispatch itself; ndmax= (NumPy 2.4) limits
# the depth at which nested sequences become object arrays, which gpuarray
# does not have.
_NOT_NUMPYS_ARRAY_API = {'like', 'ndmax'}


def test_dispatched_functions_take_numpys_parameters():
    """Every NumPy function that reaches gpuarray takes NumPy's parameter
    names (a call written for NumPy binds), beyond like=."""
    found = _numpy_functions_gpuarray_implements()
    assert len(found) >= 60, len(found)
    problems = []
    for name, f, impl in found:
        try:
            np_params = inspect.signature(f).parameters
            ga_sig = inspect.signature(impl)
        except (TypeError, ValueError):
            continue
        ga_params = ga_sig.parameters
        if any(p.kind is p.VAR_KEYWORD for p in ga_params.values()):
            continue
        # positional-only parameters bind by position, whatever their name
        missing = [p for p in np_params if p not in ga_params and p not in _NOT_NUMPYS_ARRAY_API
                   and np_params[p].kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                 inspect.Parameter.VAR_KEYWORD,
                                                 inspect.Parameter.POSITIONAL_ONLY)]
        if missing:
            problems.append('{}: {}'.format(name, ', '.join(missing)))
    assert not problems, 'gpuarray functions lacking NumPy parameters:\n' + '\n'.join(problems)


def test_geometry_functions_read_the_header(rng):
    h = rng.standard_normal((3, 4, 5))
    g = cp.asarray(h)
    for f in (np, cp):
        assert f.ndim(g) == 3 and f.shape(g) == (3, 4, 5)
        assert f.size(g) == 60 and f.size(g, 1) == 4 and f.size(g, -1) == 5
    assert cp.size(g, (0, 2)) == 15
    assert cp.ndim([[1, 2]]) == 2 and cp.shape(7.0) == () and cp.size([1, 2, 3]) == 3
    with pytest.raises(IndexError):
        cp.size(g, 3)
