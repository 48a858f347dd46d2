"""gpuarray.fuse: a fused function gives what the same code gives eagerly.

Every test runs the function twice, fused and as plain gpuarray code
(``f.func``), on random inputs, and compares dtype, shape and values.
dtypes are sampled one per family: each new signature is a kernel compile
on the host backend.
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _elementwise

pytestmark = pytest.mark.device


def _rand(rng, shape, dtype):
    dt = np.dtype(dtype)
    if dt.kind == 'b':
        return cp.asarray(rng.random(shape) < 0.5)
    if dt.kind in 'iu':
        return cp.asarray(rng.integers(1, 50, shape).astype(dt))
    if dt.kind == 'c':
        return cp.asarray((rng.uniform(-2, 2, shape) + 1j * rng.uniform(-2, 2, shape)).astype(dt))
    return cp.asarray(rng.uniform(-2, 2, shape).astype(dt))


def _same(fused, eager, rtol=1e-6):
    """Fused and eager results agree: the same structure, dtypes, shapes
    and values (to rounding: NVRTC may contract a * b + c into an fma)."""
    if isinstance(eager, tuple):
        assert isinstance(fused, tuple) and len(fused) == len(eager)
        for f, e in zip(fused, eager):
            _same(f, e, rtol)
        return
    assert isinstance(fused, cp.ndarray), type(fused)
    assert fused.dtype == eager.dtype
    assert fused.shape == eager.shape
    f, e = fused.get(), eager.get()
    if f.dtype.kind in 'fc':
        tol = 2e-3 if f.dtype == np.float16 else rtol
        np.testing.assert_allclose(f, e, rtol=tol, atol=1e-6)
    else:
        np.testing.assert_array_equal(f, e)


def _check(f, *args, rtol=1e-6):
    with warnings.catch_warnings():
        warnings.simplefilter('error', cp.FusionWarning)
        fused = f(*args)
    _same(fused, f.func(*args), rtol)
    return fused


@cp.fuse(kernel_name='fused_saxpy')
def saxpy(a, x, y):
    return a * x + y


@pytest.mark.parametrize('dtype, scalar', [
    ('float32', 2.5), ('float64', -1.25), ('int32', 3), ('uint8', 7), ('float16', 0.5),
    ('complex64', 1.5 - 2j)])
def test_saxpy_matches_eager_with_weak_scalar(rng, dtype, scalar):
    x, y = _rand(rng, 1001, dtype), _rand(rng, 1001, dtype)
    r = _check(saxpy, scalar, x, y)
    assert r.dtype == np.dtype(dtype)      # the Python scalar is weak, as eagerly


def test_mixed_dtypes_promote_as_numpy(rng):
    @cp.fuse
    def f(x, y, s):
        return cp.sqrt(cp.abs(x * y)) - s * x

    x = _rand(rng, (7, 9), 'int8')
    y = _rand(rng, (7, 9), 'float32')
    r = _check(f, x, y, np.float64(0.5))      # a NumPy scalar is strong: float64
    assert r.dtype == np.float64


def test_scalars_combined_first_stay_weak(rng):
    @cp.fuse
    def f(a, b, x):
        return (a + b) * x + (a < b)

    x = _rand(rng, 300, 'float32')
    assert _check(f, 1.5, 2.25, x).dtype == np.float32


def test_chain_of_ufuncs_and_numpy_ufuncs(rng):
    @cp.fuse
    def f(x, y):
        t = cp.exp(-x * x) + np.sin(y)
        return cp.where(t > 1, t, cp.maximum(x, y)) / 3

    _check(f, _rand(rng, 513, 'float32'), _rand(rng, 513, 'float32'))


def test_broadcasting_and_outputs_of_different_shapes(rng):
    @cp.fuse
    def f(x, y):
        return x * 2, x + y, y - 1

    x = _rand(rng, (5, 1), 'float32')
    y = _rand(rng, (3, 1, 4), 'float32')
    _check(f, x, y)


def test_zero_dim_and_one_element_inputs(rng):
    x = _rand(rng, 257, 'float32')
    _check(saxpy, 2.0, cp.asarray(np.float32(1.5)), x)
    _check(saxpy, 2.0, cp.asarray(np.float32(1.5)), cp.asarray(np.float32(-3)))
    _check(saxpy, 2.0, x[:1], x)


def test_strided_and_fortran_inputs(rng):
    base = _rand(rng, (40, 30), 'float32')
    _check(saxpy, 0.5, base[::2, 1::3], base[1::2, ::3])
    _check(saxpy, 0.5, base.T, base.T)
    r = saxpy(0.5, base.T, base.T)
    assert r.flags.f_contiguous       # the layout eager code gives


def test_empty_inputs(rng):
    x = _rand(rng, (0, 3), 'float32')
    _check(saxpy, 2.0, x, x)


@pytest.mark.parametrize('name, kwargs', [
    ('sum', {}), ('sum', {'axis': 1}), ('max', {'axis': 0, 'keepdims': True}), ('min', {}),
    ('prod', {'axis': -1}), ('mean', {}), ('any', {}), ('argmax', {})])
def test_final_reduction(rng, name, kwargs):
    @cp.fuse
    def f(x, y):
        return getattr(x * y + 0.25, name)(**kwargs)

    x, y = _rand(rng, (33, 70), 'float32'), _rand(rng, (33, 70), 'float32')
    _check(f, x, y, rtol=2e-5)


def test_reduction_by_module_function_and_dtype(rng):
    @cp.fuse
    def f(x):
        return cp.sum(x * x, dtype=np.int64)

    @cp.fuse
    def g(x):
        return cp.sum(x * x)             # int8 sums in int64, as NumPy

    x = _rand(rng, 10000, 'int8')
    _check(f, x)
    assert _check(g, x).dtype == np.int64


def test_reduction_of_broadcast_and_strided_inputs(rng):
    @cp.fuse
    def f(x, y):
        return (x - y).sum(axis=0)

    x = _rand(rng, (64, 1), 'float64')
    y = _rand(rng, (64, 50), 'float64')[:, ::2]
    _check(f, x, y, rtol=1e-12)


def test_chain_of_eight_ending_in_sum(rng):
    @cp.fuse
    def f(x, y):
        t = x * y
        t = t + 1
        t = t * t
        t = cp.sqrt(t)
        t = t - y
        t = cp.exp(-t)
        t = t * 3
        return (t + x).sum()

    x, y = _rand(rng, 100003, 'float32'), _rand(rng, 100003, 'float32')
    _check(f, x, y, rtol=1e-4)


def test_in_place_updates_write_the_arguments(rng):
    @cp.fuse
    def f(x, y, z):
        x += y
        cp.multiply(x, 2, out=z)

    x, y, z = (_rand(rng, 100, 'float32') for _ in range(3))
    x0, y0 = x.get(), y.get()
    assert f(x, y, z) is None
    np.testing.assert_allclose(x.get(), x0 + y0, rtol=1e-6)
    np.testing.assert_allclose(z.get(), (x0 + y0) * 2, rtol=1e-6)


def test_in_place_then_returned_is_the_argument(rng):
    @cp.fuse
    def f(x, y):
        x *= y
        return x

    x, y = _rand(rng, 64, 'int32'), _rand(rng, 64, 'int32')
    x0 = x.get() * y.get()
    assert f(x, y) is x
    np.testing.assert_array_equal(x.get(), x0)


def test_in_place_cast_error_is_numpys():
    @cp.fuse
    def f(x, y):
        x += y

    x = cp.arange(4, dtype=np.int32)
    with pytest.warns(cp.FusionWarning), pytest.raises(TypeError):
        f(x, cp.ones(4, dtype=np.float32))


def test_overlapping_in_place_runs_eagerly(rng):
    @cp.fuse
    def f(x, y):
        x += y

    base = _rand(rng, 101, 'float64')
    expect = base.get()
    expect[1:] = expect[1:] + expect[:-1].copy()
    f(base[1:], base[:-1])
    np.testing.assert_allclose(base.get(), expect)


def test_astype_and_comparison_results(rng):
    @cp.fuse
    def f(x):
        return (x > 0).astype(np.float32) * x, x.astype(np.int16) == 1

    _check(f, _rand(rng, 99, 'float64'))


def test_python_int_out_of_range_behaves_as_eager(rng):
    @cp.fuse
    def add(x):
        return x + 1000

    @cp.fuse
    def greater(x):
        return x > 1000

    x = _rand(rng, 10, 'int8')
    with pytest.raises(OverflowError):
        x + 1000
    with pytest.raises(OverflowError):
        add(x)
    _same(greater(x), greater.func(x))


def test_traced_once_per_signature(rng):
    calls = []

    @cp.fuse
    def f(x, y):
        calls.append(1)
        return x - y

    x = _rand(rng, 50, 'float32')
    for _ in range(3):
        _check(f, x, x)
    _check(f, x[::2], x[1::2])       # new layout, same signature: no new trace
    assert len(calls) == 1 + 4       # the trace, then the eager references
    _check(f, x, 1.0)
    assert len(calls) == 2 + 5


def test_kernel_name_names_the_kernel(rng):
    x = _rand(rng, 33, 'float32')
    saxpy(3.0, x, x)
    names = [src for key, src in _elementwise.kernel_sources().items() if key[0] == 'fuse']
    assert any('void fused_saxpy(' in s for s in names)
    with pytest.raises(ValueError):
        cp.fuse(kernel_name='not a name')(lambda x: x)


def test_unfusable_function_runs_eagerly_with_one_warning(rng):
    @cp.fuse
    def f(x):
        if (x > 0).any():      # a branch on data
            return x * 2
        return x

    @cp.fuse
    def g(x):
        return x.reshape(x.shape[::-1]) * 2

    x = _rand(rng, (4, 6), 'float32')
    with pytest.warns(cp.FusionWarning, match='bool'):
        _same(f(x), f.func(x))
    with warnings.catch_warnings():
        warnings.simplefilter('error', cp.FusionWarning)
        _same(f(x), f.func(x))           # warned once
    with pytest.warns(cp.FusionWarning, match='shape'):
        _same(g(x), g.func(x))


def test_reduction_used_further_runs_eagerly(rng):
    @cp.fuse
    def f(x):
        return x.sum() / 2

    x = _rand(rng, 40, 'float32')
    with pytest.warns(cp.FusionWarning, match='final reduction'):
        _same(f(x), f.func(x))


def test_errors_are_eager_ones(rng):
    with pytest.raises(ValueError, match='broadcast'):
        saxpy(1.0, _rand(rng, 3, 'float32'), _rand(rng, 4, 'float32'))
    with pytest.raises(TypeError, match='positional'):
        saxpy(1.0, x=None, y=None)
    with pytest.raises(TypeError):
        cp.fuse(3)


def test_returns_argument_itself(rng):
    @cp.fuse
    def f(x, y):
        return x, y + 1

    x = _rand(rng, 8, 'float32')
    r = f(x, x)
    assert r[0] is x


def test_generated_kernels_compile_with_nvrtc(rng):
    """The fused kernels this file generated compile with NVRTC for sm_90
    (on the host backend too, where the toolkit's NVRTC is present)."""
    x = _rand(rng, 64, 'float32')
    saxpy(2.0, x, x)
    sources = [src for key, src in _elementwise.kernel_sources().items()
               if key[0] == 'fuse' or (key[0] == 'red' and 'ga_fused_' in src)]
    code = ('import json, sys\n'
            'from gpuarray.cuda import compiler\n'
            'bad = []\n'
            'for s in json.load(sys.stdin):\n'
            '    try:\n'
            '        compiler.compile_with_cache(s, arch=90, no_cache=True)\n'
            '    except compiler.CompileException as e:\n'
            '        bad.append(e.log)\n'
            'print(json.dumps(bad))\n')
    env = dict(os.environ, GPUARRAY_BACKEND='cuda')
    p = subprocess.run([sys.executable, '-c', code], input=json.dumps(sources), env=env,
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        pytest.skip('NVRTC not usable here: ' + p.stderr.strip().splitlines()[-1][:200])
    assert json.loads(p.stdout) == []
