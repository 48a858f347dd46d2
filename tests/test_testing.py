"""gpuarray.testing against numpy.testing: each assertion passes where
NumPy's passes on the host copies of its arguments, and fails where NumPy's
fails, with AssertionError and NumPy's very message. Random inputs of several
dtypes; gpuarray and NumPy arguments mixed in every order; 0-d, empty and
non-contiguous (stepped, transposed) device arrays; nested lists of device
arrays; and the parameters (rtol, atol, equal_nan, decimal, err_msg,
verbose, strict) passed through."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import testing

pytestmark = pytest.mark.device

# (name, shape) of the inputs; 'stepped' and 'transposed' are views of a
# larger array, so the device argument is not contiguous.
LAYOUTS = ['0d', 'empty', 'vector', 'matrix', 'stepped', 'transposed']


def pair(random, layout, dtype):
    """(device array, its NumPy twin) of `dtype` laid out as `layout`."""
    if layout == '0d':
        h = random((), dtype)
        return cp.asarray(h), h
    if layout == 'empty':
        h = random((3, 0), dtype)
        return cp.asarray(h), h
    if layout == 'vector':
        h = random((13,), dtype)
        return cp.asarray(h), h
    if layout == 'matrix':
        h = random((4, 5), dtype)
        return cp.asarray(h), h
    big = random((9, 10), dtype)
    d = cp.asarray(big)
    if layout == 'stepped':
        view = d[1::2, ::-3]
        assert not view.flags.c_contiguous
        return view, big[1::2, ::-3]
    view = d.T
    assert not view.flags.c_contiguous
    return view, big.T


def mixes(d, h, other):
    """The (actual, desired) argument pairs to try: device/NumPy, NumPy/device
    and device/device, where `other` is the NumPy value compared with."""
    return [(d, other), (h, cp.asarray(other)), (d, cp.asarray(other))]


def numpy_failure(np_assert, *args, **kwargs):
    """The message NumPy's assertion fails with on host copies of `args`."""
    host = [a.get() if isinstance(a, cp.ndarray) else a for a in args]
    with pytest.raises(AssertionError) as info:
        np_assert(*host, **kwargs)
    return str(info.value)


def fails_as_numpy_does(ours, np_assert, *args, **kwargs):
    want = numpy_failure(np_assert, *args, **kwargs)
    with pytest.raises(AssertionError) as info:
        ours(*args, **kwargs)
    assert str(info.value) == want
    return want


def one_changed(rng, h):
    """A copy of `h` with one element made clearly different (for any dtype)."""
    out = np.array(h, copy=True)
    if out.size == 0:
        return out
    i = np.unravel_index(rng.integers(out.size), out.shape)
    if out.dtype.kind == 'b':
        out[i] = not out[i]
    elif out.dtype.kind in 'iu':
        out[i] = out[i] ^ 1
    else:
        out[i] = out[i] * 2 + 7
    return out if out.ndim else out[()]


# --- assert_allclose ---------------------------------------------------------

@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.complex64])
def test_assert_allclose(rng, random, layout, dtype):
    d, h = pair(random, layout, dtype)
    # A relative error of 1e-6 is inside rtol=1e-5, outside the default 1e-7.
    near = (h * (1 + 1e-6)).astype(dtype)
    for actual, desired in mixes(d, h, near):
        testing.assert_allclose(actual, desired, rtol=1e-5)
        if h.size and np.any(h != near):
            fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose,
                                actual, desired)
    if h.size:
        far = one_changed(rng, h)
        for actual, desired in mixes(d, h, far):
            fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose,
                                actual, desired, rtol=1e-3)


def test_assert_allclose_atol_and_integers(rng):
    h = rng.integers(-100, 100, size=(6, 7)).astype(np.int16)
    d = cp.asarray(h)
    testing.assert_allclose(d, h + 2, atol=2)
    fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose, d, h + 3, atol=2)


def test_assert_allclose_equal_nan(random):
    h = random((20,), np.float64)
    h[[2, 11]] = np.nan
    d = cp.asarray(h)
    testing.assert_allclose(d, h)                      # equal_nan=True by default
    testing.assert_allclose(h, d, equal_nan=True)
    fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose, d, h,
                        equal_nan=False)


# --- assert_array_equal ------------------------------------------------------

@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('dtype', [np.bool_, np.int8, np.uint16, np.int64, np.float16,
                                   np.complex128])
def test_assert_array_equal(rng, random, layout, dtype):
    d, h = pair(random, layout, dtype)
    for actual, desired in mixes(d, h, h.copy()):
        testing.assert_array_equal(actual, desired)
        testing.assert_array_equal(actual, desired, strict=True)
    if h.size:
        other = one_changed(rng, h)
        for actual, desired in mixes(d, h, other):
            fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                                actual, desired)


def test_assert_array_equal_strict(random):
    h = random((5,), np.float32)
    d = cp.asarray(h)
    testing.assert_array_equal(d, h.astype(np.float64))       # values only
    fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                        d, h.astype(np.float64), strict=True)
    testing.assert_array_equal(d[:1], h[0])                   # broadcasts the scalar
    fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                        d[:1], h[0], strict=True)


def test_shape_mismatch_fails_as_numpy_does(random):
    h = random((4, 3), np.int32)
    fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                        cp.asarray(h), h[:3])
    fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose,
                        cp.asarray(h).T, h)


def test_err_msg_and_verbose_pass_through(rng, random):
    h = random((8,), np.float64)
    other = one_changed(rng, h)
    d = cp.asarray(h)
    msg = fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                              d, other, err_msg='the sum kernel', verbose=False)
    assert 'the sum kernel' in msg and ' ACTUAL: array' not in msg
    msg = fails_as_numpy_does(testing.assert_allclose, np.testing.assert_allclose,
                              d, other, err_msg='the sum kernel', verbose=True)
    assert 'the sum kernel' in msg and ' ACTUAL: array' in msg


def test_nested_lists_and_scalars(random):
    h = random((3,), np.float64)
    d = cp.asarray(h)
    items = [d[0], d[1], d[2]]                                # 0-d device arrays in a list
    testing.assert_array_equal(items, h)
    testing.assert_allclose(h, items)
    testing.assert_array_equal([[d[0], float(h[1])], [h[2], d[2]]],
                               [[h[0], h[1]], [h[2], h[2]]])
    testing.assert_allclose(cp.asarray(h[1]), h[1])           # 0-d against a NumPy scalar
    testing.assert_array_equal(cp.zeros((2, 2)), 0)
    fails_as_numpy_does(testing.assert_array_equal, np.testing.assert_array_equal,
                        cp.asarray([1, 2, 3]), [1, 2, 4])
    with pytest.raises(AssertionError) as info:
        testing.assert_array_equal([d[0], d[1]], [h[0], h[1] + 1])
    assert str(info.value) == numpy_failure(np.testing.assert_array_equal,
                                            [h[0], h[1]], [h[0], h[1] + 1])


# --- assert_array_almost_equal -----------------------------------------------

@pytest.mark.parametrize('layout', ['0d', 'empty', 'matrix', 'stepped', 'transposed'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.complex128])
def test_assert_array_almost_equal(random, layout, dtype):
    d, h = pair(random, layout, dtype)
    off = (h + 1e-4).astype(dtype)    # within 1.5e-3 (decimal=3), not within 1.5e-6
    for actual, desired in mixes(d, h, off):
        testing.assert_array_almost_equal(actual, desired, decimal=3)
        if h.size:
            fails_as_numpy_does(testing.assert_array_almost_equal,
                                np.testing.assert_array_almost_equal, actual, desired)


# --- assert_array_less -------------------------------------------------------

@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('dtype', [np.int32, np.uint8, np.float32, np.float64])
def test_assert_array_less(rng, random, layout, dtype):
    d, h = pair(random, layout, dtype)
    if np.dtype(dtype).kind in 'iu':        # room above every value
        d, h = d // 2, h // 2
    bigger = (h + 1).astype(dtype)
    testing.assert_array_less(d, bigger)
    testing.assert_array_less(h, cp.asarray(bigger))
    testing.assert_array_less(d, cp.asarray(bigger), strict=True)
    if h.size:
        fails_as_numpy_does(testing.assert_array_less, np.testing.assert_array_less, d, h)
        fails_as_numpy_does(testing.assert_array_less, np.testing.assert_array_less,
                            cp.asarray(bigger), h)


def test_assert_array_less_scalar(random):
    h = random((6,), np.float64)
    testing.assert_array_less(cp.asarray(h), float(h.max()) + 1)
    fails_as_numpy_does(testing.assert_array_less, np.testing.assert_array_less,
                        cp.asarray(h), float(h.min()))


# --- ULP assertions ----------------------------------------------------------

@pytest.mark.parametrize('layout', ['0d', 'vector', 'stepped', 'transposed'])
@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64])
def test_ulp_assertions(random, layout, dtype):
    d, h = pair(random, layout, dtype)
    up = np.nextafter(h, np.asarray(np.inf, dtype))          # exactly one ULP above
    two = np.nextafter(up, np.asarray(np.inf, dtype))
    got = testing.assert_array_max_ulp(d, up)
    np.testing.assert_array_equal(got, np.testing.assert_array_max_ulp(h, up))
    testing.assert_array_max_ulp(up, cp.asarray(h), maxulp=1, dtype=dtype)
    fails_as_numpy_does(testing.assert_array_max_ulp, np.testing.assert_array_max_ulp,
                        d, two, maxulp=1)
    testing.assert_array_almost_equal_nulp(d, cp.asarray(up), nulp=1)
    fails_as_numpy_does(testing.assert_array_almost_equal_nulp,
                        np.testing.assert_array_almost_equal_nulp, d, two, nulp=1)


# --- assert_equal and assert_array_list_equal ---------------------------------

def test_assert_equal(rng, random):
    h = random((3, 4), np.int32)
    d = cp.asarray(h)
    testing.assert_equal(d, h)
    testing.assert_equal(h.T, d.T)
    testing.assert_equal(cp.asarray(h[1, 2]), int(h[1, 2]))
    testing.assert_equal({'x': [d, 3], 'y': (d[0],)}, {'x': [h, 3], 'y': (h[0],)})
    testing.assert_equal(5, 5)
    testing.assert_equal('same', 'same')
    other = one_changed(rng, h)
    fails_as_numpy_does(testing.assert_equal, np.testing.assert_equal, d, other)
    with pytest.raises(AssertionError) as info:
        testing.assert_equal({'x': [d, 3]}, {'x': [other, 3]})
    assert str(info.value) == numpy_failure(np.testing.assert_equal,
                                            {'x': [h, 3]}, {'x': [other, 3]})
    fails_as_numpy_does(testing.assert_equal, np.testing.assert_equal, d, h.astype(np.int64),
                        strict=True)


def test_assert_array_list_equal(random):
    hs = [random((3,), np.float32), random((2, 2), np.int8)]
    ds = [cp.asarray(x) for x in hs]
    testing.assert_array_list_equal(ds, hs)
    testing.assert_array_list_equal(tuple(hs), tuple(ds))
    with pytest.raises(AssertionError, match='two lists or two tuples, not list and tuple'):
        testing.assert_array_list_equal(ds, tuple(hs))
    with pytest.raises(AssertionError, match='lengths differ'):
        testing.assert_array_list_equal(ds, hs[:1])
    with pytest.raises(AssertionError, match='not ndarray and ndarray'):
        testing.assert_array_list_equal(ds[0], ds[0])
    changed = [hs[0], hs[1] + 1]
    with pytest.raises(AssertionError) as info:
        testing.assert_array_list_equal(ds, changed)
    assert str(info.value) == numpy_failure(np.testing.assert_array_equal, hs[1], changed[1])


def test_strides_check(random):
    h = random((4, 6), np.float64)
    d = cp.asarray(h)
    testing.assert_array_equal(d, h, strides_check=True)
    testing.assert_array_equal(d.T, h.T, strides_check=True)
    testing.assert_array_equal(d.T, np.ascontiguousarray(h.T))          # values only
    with pytest.raises(AssertionError, match='Strides are not equal'):
        testing.assert_array_equal(d.T, np.ascontiguousarray(h.T), strides_check=True)


# --- why the module exists ---------------------------------------------------

def test_numpy_testing_refuses_device_arrays():
    """numpy.testing converts implicitly, which gpuarray refuses; the
    wrappers read the arrays back explicitly instead."""
    d = cp.arange(4.0)
    with pytest.raises(TypeError, match='Implicit conversion'):
        np.testing.assert_allclose(d, np.arange(4.0))
    testing.assert_allclose(d, np.arange(4.0))


def test_namespace():
    assert cp.testing is testing
    for name in testing.__all__:
        assert callable(getattr(cp.testing, name)), name
