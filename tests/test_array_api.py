"""The Array API standard (2023.12) on gpuarray: the array's namespace is
the gpuarray module, which holds every name of the standard's main
namespace (checked against the names array_api_strict publishes);
ndarray.device / to_device and one Device type; the inspection namespace;
array_api_compat recognises gpuarray; and Array-API code written once runs
on gpuarray and NumPy alike."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

# array_api_strict's own helpers, not names of the standard
_STRICT_ONLY = {'ArrayAPIStrictFlags', 'ModuleType', 'get_array_api_strict_flags',
                'set_array_api_strict_flags', 'reset_array_api_strict_flags'}


def _standard_names():
    xp = pytest.importorskip('array_api_strict', reason='needs array_api_strict '
                             '(pip install array-api-strict)')
    old = xp.get_array_api_strict_flags()
    xp.set_array_api_strict_flags(api_version='2023.12')
    try:
        names = {n for n in dir(xp) if not n.startswith('_')} - _STRICT_ONLY
        names |= {'__array_api_version__', '__array_namespace_info__'}
        return names, xp
    finally:
        xp.set_array_api_strict_flags(api_version=old['api_version'])


def test_every_name_of_the_standards_main_namespace_is_in_gpuarray():
    names, _ = _standard_names()
    assert len(names) > 140
    missing = sorted(n for n in names if not hasattr(cp, n))
    assert not missing, 'missing from gpuarray: ' + ', '.join(missing)
    assert cp.__array_api_version__ == '2023.12'
    for n in ('bool', 'int8', 'uint64', 'float32', 'complex128'):
        assert np.dtype(getattr(cp, n)) == np.dtype(n if n != 'bool' else np.bool_)


def test_every_function_of_the_standard_is_gpuarrays_own():
    """A name of the standard is gpuarray's implementation (or a NumPy dtype
    or constant), never NumPy's function, which cannot take device arrays."""
    names, xp = _standard_names()
    numpy_objects = []
    for n in sorted(names):
        obj = getattr(cp, n, None)
        if obj is None or isinstance(obj, (type, float, np.dtype)) or obj is None:
            continue
        if callable(obj) and getattr(obj, '__module__', '') and \
                not str(getattr(obj, '__module__', '')).startswith('gpuarray') and \
                not isinstance(obj, cp.ufunc):
            numpy_objects.append(n)
    assert not numpy_objects, 'not gpuarray functions: ' + ', '.join(numpy_objects)


def test_array_namespace_is_gpuarray():
    g = cp.arange(3)
    assert g.__array_namespace__() is cp
    assert g.__array_namespace__(api_version='2023.12') is cp
    assert g.__array_namespace__(api_version='2022.12') is cp
    with pytest.raises(ValueError, match='2099.12'):
        g.__array_namespace__(api_version='2099.12')


def test_device_is_one_type_naming_its_backend():
    g = cp.zeros(3)
    assert isinstance(g.device, cp.cuda.Device)
    assert g.device == cp.cuda.Device(0) == cp.cuda.Device()
    if cp.get_backend() != 'cuda':
        assert 'CUDA' not in repr(g.device)
    assert cp.get_backend() in repr(g.device).lower()
    assert g.to_device(g.device) is g


def test_to_device_copies_to_another_device(rng):
    if cp.cuda.runtime.getDeviceCount() < 2:
        pytest.skip('needs 2 devices (the host backend simulates them: GPUARRAY_HOST_DEVICES=2)')
    h = rng.standard_normal((4, 5))
    g = cp.asarray(h)
    d1 = cp.cuda.Device(1)
    moved = g.to_device(d1)
    assert moved.device == d1 and g.device == cp.cuda.Device(0)
    np.testing.assert_array_equal(moved.get(), h)
    s = cp.cuda.Stream()
    with d1:
        s1 = cp.cuda.Stream()
    moved2 = g.to_device(d1, stream=s1)
    s1.synchronize()
    np.testing.assert_array_equal(moved2.get(), h)
    del s
    with pytest.raises(TypeError, match='Device'):
        g.to_device('cpu')


def test_namespace_info():
    info = cp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps['boolean indexing'] and caps['data-dependent shapes']
    assert caps['max dimensions'] >= 8
    assert info.default_device() == cp.cuda.Device(0)
    assert cp.cuda.Device(0) in info.devices()
    d = info.default_dtypes()
    assert d['real floating'] == np.float64 and d['indexing'] == np.int64
    assert set(info.dtypes(kind='integral')) == {'int8', 'int16', 'int32', 'int64', 'uint8',
                                                 'uint16', 'uint32', 'uint64'}
    assert set(info.dtypes(kind=('bool', 'complex floating'))) == {'bool', 'complex64',
                                                                   'complex128'}
    assert len(info.dtypes()) == 13
    with pytest.raises(ValueError, match='unknown kind'):
        info.dtypes(kind='strings')


def test_array_api_compat_recognises_gpuarray(rng):
    compat = pytest.importorskip('array_api_compat', reason='needs array_api_compat '
                                 '(pip install array-api-compat)')
    h = rng.standard_normal((4, 3))
    g = cp.asarray(h)
    xp = compat.array_namespace(g)
    assert xp is cp
    assert compat.array_namespace(g, g[0]) is cp
    assert compat.device(g) == g.device
    np.testing.assert_allclose(xp.sum(g, axis=0).get(), h.sum(axis=0))


def _standardize(x, xp):
    """Array-API code as a library writes it, knowing only `xp`."""
    mu = xp.mean(x, axis=0, keepdims=True)
    sd = xp.std(x, axis=0, keepdims=True)
    z = (x - mu) / sd
    stacked = xp.concat([z, xp.permute_dims(z[:2, :], (0, 1))], axis=0)
    ordered = xp.sort(stacked, axis=0, descending=True)
    total = xp.cumulative_sum(xp.abs(ordered), axis=1)
    return xp.vecdot(xp.astype(total, xp.float64), xp.ones_like(total, dtype=xp.float64),
                     axis=-1), xp.matrix_transpose(ordered)


def test_array_api_code_runs_on_gpuarray_as_on_the_reference(rng):
    """The same function on gpuarray and on array_api_strict (the
    standard's reference; NumPy's own namespace lacks sort(descending=))."""
    _, strict = _standard_names()
    h = rng.standard_normal((9, 4)).astype(np.float32)
    want = _standardize(strict.asarray(h), strict)
    got = _standardize(cp.asarray(h), cp)
    for g, w in zip(got, want):
        w = np.asarray(w)
        assert isinstance(g, cp.ndarray)
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g.get(), w, rtol=1e-5, atol=1e-5)


def test_standard_spellings_agree_with_numpy(rng):
    h = rng.uniform(-0.9, 0.9, (3, 5))
    g = cp.asarray(h)
    for name, np_name in (('acos', 'arccos'), ('asin', 'arcsin'), ('atan', 'arctan'),
                          ('asinh', 'arcsinh'), ('atanh', 'arctanh')):
        np.testing.assert_allclose(getattr(cp, name)(g).get(), getattr(np, np_name)(h), rtol=1e-12)
    np.testing.assert_allclose(cp.pow(g, 2).get(), h ** 2)
    np.testing.assert_allclose(cp.atan2(g, g + 2).get(), np.arctan2(h, h + 2))
    i = rng.integers(0, 100, (4,)).astype(np.int32)
    gi = cp.asarray(i)
    np.testing.assert_array_equal(cp.bitwise_left_shift(gi, 2).get(), i << 2)
    np.testing.assert_array_equal(cp.bitwise_right_shift(gi, 1).get(), i >> 1)
    np.testing.assert_array_equal(cp.bitwise_invert(gi).get(), ~i)
    np.testing.assert_array_equal(cp.permute_dims(g, (1, 0)).get(), h.T)
    np.testing.assert_array_equal(cp.concat([g, g], axis=1).get(), np.concatenate([h, h], 1))
    assert cp.broadcast_shapes((3, 1), (1, 4)) == (3, 4)
    with pytest.raises(ValueError):
        cp.broadcast_shapes((3,), (4,))


@pytest.mark.parametrize('make', [
    lambda d: cp.empty(3, device=d), lambda d: cp.zeros((2, 2), device=d),
    lambda d: cp.ones(4, dtype=np.int8, device=d), lambda d: cp.full(3, 7.5, device=d),
    lambda d: cp.arange(5, device=d), lambda d: cp.asarray([1, 2], device=d),
    lambda d: cp.array([1.0], device=d), lambda d: cp.ascontiguousarray([[1]], device=d),
    lambda d: cp.empty_like(cp.zeros(2), device=d), lambda d: cp.zeros_like(cp.zeros(2), device=d),
    lambda d: cp.ones_like(cp.zeros(2), device=d), lambda d: cp.full_like(cp.zeros(2), 3, device=d),
], ids=['empty', 'zeros', 'ones', 'full', 'arange', 'asarray', 'array', 'ascontiguousarray',
        'empty_like', 'zeros_like', 'ones_like', 'full_like'])
def test_creation_functions_take_device(make):
    """device= (the Array API's) places the result, and leaves the current
    device as it was; None is the current device."""
    here = cp.cuda.Device()
    assert make(None).device == here
    assert make(here).device == here
    if cp.cuda.runtime.getDeviceCount() > 1:
        other = cp.cuda.Device(1)
        assert make(other).device == other
        assert make(1).device == other
        assert cp.cuda.Device() == here
    with pytest.raises(TypeError, match='device must be'):
        make('cpu')
    with pytest.raises(ValueError, match='device'):
        make(63)


def test_asarray_copy_keyword(rng):
    h = rng.standard_normal(4)
    g = cp.asarray(h)
    assert cp.asarray(g, copy=False) is g
    assert cp.asarray(g) is g
    c = cp.asarray(g, copy=True)
    assert c is not g
    np.testing.assert_array_equal(c.get(), h)
    with pytest.raises(ValueError, match='copy=False'):
        cp.asarray(h, copy=False)
    with pytest.raises(ValueError, match='copy=False'):
        cp.asarray(g, dtype=np.float32, copy=False)
