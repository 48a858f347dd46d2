"""Issue 11's manipulation functions against NumPy: broadcast_to,
broadcast_arrays, broadcast, atleast_1d/2d/3d, the joins (hstack, vstack,
dstack, column_stack, append, concat) and splits (split, array_split,
hsplit, vsplit, dsplit, unstack), flip/fliplr/flipud/rot90 (views), roll,
tile, repeat, pad, resize, and the Array API's names (permute_dims,
matrix_transpose, astype, expand_dims' default).

Random inputs of sampled dtypes (every family appears somewhere without a
cross product), 0-d, empty, non-contiguous views and negative axes; bad
input raises NumPy's exception types."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

AxisError = np.exceptions.AxisError if hasattr(np, 'exceptions') else np.AxisError

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]


def same(got, want):
    """got is a device array equal to NumPy's want (shape, dtype, values)."""
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got.get(), want)


def shares(v, a):
    """v is a view of a's memory (no copy was made)."""
    root = a.base if a.base is not None else a
    return v.base is root


def views(random, dtype):
    """(device, host) pairs: contiguous, sliced with steps, transposed,
    reversed, 0-d and empty."""
    h = random((4, 6), dtype)
    a = cp.asarray(h)
    return [(a, h), (a[::2, 1::2], h[::2, 1::2]), (a.T, h.T), (a[::-1], h[::-1]),
            (cp.asarray(h[1, 2].copy()), h[1, 2].copy()), (a[:0], h[:0])]


# -------------------------------------------------------------- broadcasting

@pytest.mark.parametrize('dtype', [np.float32, np.uint8, np.complex128])
def test_broadcast_to_is_a_view(random, dtype):
    h = random((3, 1), dtype)
    a = cp.asarray(h)
    for shape in [(3, 4), (2, 3, 5), (3, 1), (2, 3, 0)]:
        b = cp.broadcast_to(a, shape)
        same(b, np.broadcast_to(h, shape))
        assert shares(b, a)
    same(cp.broadcast_to(cp.asarray(h[0, 0]), 4), np.broadcast_to(h[0, 0], 4))
    v = cp.asarray(random((4, 6), dtype))[::2, ::3]
    same(cp.broadcast_to(v, (5, 2, 2)), np.broadcast_to(v.get(), (5, 2, 2)))


def test_broadcast_to_errors():
    a = cp.zeros(3)
    with pytest.raises(ValueError, match='requested shape'):
        cp.broadcast_to(a, (4,))
    with pytest.raises(ValueError, match='more dimensions'):
        cp.broadcast_to(cp.zeros((2, 3)), (3,))
    with pytest.raises(ValueError, match='non-negative'):
        cp.broadcast_to(a, (-1, 3))
    with pytest.raises(TypeError):
        cp.broadcast_to(a, (2.0, 3))
    with pytest.raises(TypeError):
        cp.broadcast_to(np.zeros(3), (3,))     # host arrays are not taken implicitly


def test_broadcast_arrays_and_broadcast(random):
    hs = [random((3, 1), np.int16), random((4,), np.float64), random((), np.bool_)]
    ds = [cp.asarray(h) for h in hs]
    got = cp.broadcast_arrays(*ds)
    want = np.broadcast_arrays(*hs)
    assert isinstance(got, tuple) and len(got) == 3
    for g, w, d in zip(got, want, ds):
        same(g, w)
        assert shares(g, d)
    same_shape = cp.broadcast_arrays(ds[0], ds[0])
    assert same_shape[0] is ds[0]
    assert cp.broadcast_arrays() == ()
    with pytest.raises(ValueError, match='shape mismatch'):
        cp.broadcast_arrays(cp.zeros(3), cp.zeros(4))
    b = cp.broadcast(*ds)
    nb = np.broadcast(*hs)
    assert (b.shape, b.ndim, b.nd, b.size, b.numiter) == (nb.shape, nb.ndim, nb.ndim, nb.size,
                                                          nb.numiter)
    for g, w in zip(b.values, want):
        same(g, w)
    with pytest.raises(ValueError, match='shape mismatch'):
        cp.broadcast(cp.zeros(3), cp.zeros(4))


@pytest.mark.parametrize('dtype', [np.int8, np.float16, np.complex64])
def test_atleast(random, dtype):
    for shape in [(), (5,), (2, 3), (2, 3, 4), (1, 2, 3, 2)]:
        h = random(shape, dtype)
        a = cp.asarray(h)
        for f, nf in [(cp.atleast_1d, np.atleast_1d), (cp.atleast_2d, np.atleast_2d),
                      (cp.atleast_3d, np.atleast_3d)]:
            r = f(a)
            same(r, nf(h))
            assert r is a or shares(r, a)
    h = random((4,), dtype)
    v = cp.asarray(h)[::-2]
    same(cp.atleast_3d(v), np.atleast_3d(h[::-2]))
    got = cp.atleast_2d(cp.asarray(h), cp.asarray(h[0]))
    assert isinstance(got, tuple) and [g.shape for g in got] == [(1, 4), (1, 1)]
    assert cp.atleast_1d() == ()
    same(cp.atleast_1d(3), np.atleast_1d(3))


# ------------------------------------------------------------------ joining

@pytest.mark.parametrize('dtype', [np.uint16, np.float64, np.bool_])
def test_stacks(random, dtype):
    h1, h2 = random((3,), dtype), random((3,), dtype)
    m1, m2 = random((3, 2), dtype), random((3, 4), dtype)
    d1, d2, e1, e2 = (cp.asarray(x) for x in (h1, h2, m1, m2))
    same(cp.hstack([d1, d2]), np.hstack([h1, h2]))
    same(cp.hstack((e1, e2)), np.hstack((m1, m2)))
    same(cp.vstack([d1, d2]), np.vstack([h1, h2]))
    same(cp.vstack([e1.T, e2.T[::2]]), np.vstack([m1.T, m2.T[::2]]))
    same(cp.dstack([d1, d2]), np.dstack([h1, h2]))
    same(cp.dstack([e1, e1]), np.dstack([m1, m1]))
    same(cp.column_stack([d1, e2, d2]), np.column_stack([h1, m2, h2]))
    same(cp.hstack([cp.asarray(h1[0]), d2]), np.hstack([h1[0], h2]))
    same(cp.vstack([d1], dtype=np.float32), np.vstack([h1], dtype=np.float32))
    same(cp.concat([e1, e2], axis=-1), np.concat([m1, m2], axis=-1))
    same(cp.concat([e1, e2], axis=None), np.concat([m1, m2], axis=None))


def test_stack_errors():
    a = cp.zeros(3)
    with pytest.raises(TypeError, match='sequence'):
        cp.hstack(x for x in [a, a])
    with pytest.raises(TypeError, match='sequence'):
        cp.vstack(x for x in [a, a])
    with pytest.raises(ValueError, match='at least one array'):
        cp.hstack([])
    with pytest.raises(ValueError):
        cp.vstack([cp.zeros(3), cp.zeros(4)])
    with pytest.raises(TypeError, match='Cannot cast'):
        cp.hstack([cp.zeros(2)], dtype=np.int8, casting='safe')


@pytest.mark.parametrize('dtype', [np.int32, np.complex128])
def test_append(random, dtype):
    h, v = random((2, 3), dtype), random((2, 2), dtype)
    a, b = cp.asarray(h), cp.asarray(v)
    same(cp.append(a, b), np.append(h, v))
    same(cp.append(a, b, axis=1), np.append(h, v, axis=1))
    same(cp.append(a.T, b.T[:, ::-1], axis=-2), np.append(h.T, v.T[:, ::-1], axis=-2))
    same(cp.append(a[:, 0], 7), np.append(h[:, 0], 7))
    with pytest.raises(ValueError):
        cp.append(a, b, axis=0)
    with pytest.raises(AxisError):
        cp.append(a, b, axis=2)


# ---------------------------------------------------------------- splitting

@pytest.mark.parametrize('dtype', [np.int64, np.float16])
def test_splits_are_views(random, dtype):
    h = random((6, 4, 5), dtype)
    a = cp.asarray(h)
    cases = [
        (lambda m, x: m.split(x, 3), None), (lambda m, x: m.split(x, [1, 4], axis=1), None),
        (lambda m, x: m.array_split(x, 4, axis=-1), None),
        (lambda m, x: m.array_split(x, [2, 10, 1], axis=0), None),
        (lambda m, x: m.hsplit(x, 2), None), (lambda m, x: m.vsplit(x, [5]), None),
        (lambda m, x: m.dsplit(x, 5), None),
        (lambda m, x: m.split(x[::2, :, ::-1], 3), None),
        (lambda m, x: m.hsplit(x[0, 0], 5), None),
        (lambda m, x: m.array_split(x[:0], 3), None),
    ]
    for f, _ in cases:
        got, want = f(cp, a), f(np, h)
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
            assert shares(g, a)
    parts = cp.unstack(a, axis=-1)
    assert isinstance(parts, tuple)
    for g, w in zip(parts, np.unstack(h, axis=-1)):
        same(g, w)
        assert shares(g, a)


def test_split_errors():
    a = cp.zeros((4, 6))
    with pytest.raises(ValueError, match='equal division'):
        cp.split(a, 3)
    with pytest.raises(ValueError, match='larger than 0'):
        cp.array_split(a, 0)
    with pytest.raises(ValueError, match='hsplit only works'):
        cp.hsplit(cp.asarray(3.0), 2)
    with pytest.raises(ValueError, match='vsplit only works'):
        cp.vsplit(cp.zeros(4), 2)
    with pytest.raises(ValueError, match='dsplit only works'):
        cp.dsplit(a, 2)
    with pytest.raises(AxisError):
        cp.split(a, 2, axis=2)
    with pytest.raises(ValueError, match='at least 1-d'):
        cp.unstack(cp.asarray(1.0))


# ----------------------------------------------------------------- flipping

@pytest.mark.parametrize('dtype', [np.uint32, np.float32, np.complex64, np.bool_])
def test_flips_and_rot90_are_views(random, dtype):
    for a, h in views(random, dtype):
        if h.ndim == 0:
            same(cp.flip(a), np.flip(h))
            continue
        for f, nf in [(lambda x: cp.flip(x), lambda x: np.flip(x)),
                      (lambda x: cp.flip(x, axis=0), lambda x: np.flip(x, axis=0)),
                      (lambda x: cp.flip(x, axis=(-1, 0)), lambda x: np.flip(x, axis=(-1, 0))),
                      (cp.fliplr, np.fliplr), (cp.flipud, np.flipud),
                      (cp.rot90, np.rot90), (lambda x: cp.rot90(x, 2), lambda x: np.rot90(x, 2)),
                      (lambda x: cp.rot90(x, -1, axes=(1, 0)),
                       lambda x: np.rot90(x, -1, axes=(1, 0))),
                      (lambda x: cp.rot90(x, 4), lambda x: np.rot90(x, 4))]:
            r = f(a)
            same(r, nf(h))
            assert shares(r, a)
    h3 = random((2, 3, 4), dtype)
    same(cp.rot90(cp.asarray(h3), 3, axes=(2, 0)), np.rot90(h3, 3, axes=(2, 0)))
    same(cp.flip(cp.asarray(h3)[:, ::2], axis=1), np.flip(h3[:, ::2], axis=1))


def test_flip_errors():
    with pytest.raises(ValueError, match='>= 2-d'):
        cp.fliplr(cp.zeros(3))
    with pytest.raises(ValueError, match='>= 1-d'):
        cp.flipud(cp.asarray(3.0))
    with pytest.raises(AxisError):
        cp.flip(cp.zeros(3), axis=1)
    with pytest.raises(ValueError, match='Axes must be different'):
        cp.rot90(cp.zeros((2, 3)), axes=(0, -2))
    with pytest.raises(ValueError, match='len\\(axes\\) must be 2'):
        cp.rot90(cp.zeros((2, 3)), axes=(0,))
    with pytest.raises(ValueError, match='out of range'):
        cp.rot90(cp.zeros((2, 3, 4)), axes=(0, 4))


# --------------------------------------------------------------------- roll

@pytest.mark.parametrize('dtype', [np.int8, np.float64, np.complex128, np.uint64])
def test_roll(random, dtype):
    for a, h in views(random, dtype):
        for shift, axis in [(3, None), (-7, None), (1, 0), (-2, -1), ((1, 2), (0, 1)),
                            ((5, -1), (1, 1)), (2, (0, 1))]:
            if h.ndim == 0 and axis is not None:
                continue
            same(cp.roll(a, shift, axis), np.roll(h, shift, axis))
    h = random((5,), dtype)
    same(cp.roll(cp.asarray(h), 1.5), np.roll(h, 1.5))
    with pytest.raises(ValueError, match='scalars or 1D'):
        cp.roll(cp.asarray(h), [[1]], axis=0)
    with pytest.raises(AxisError):
        cp.roll(cp.asarray(h), 1, axis=1)


# --------------------------------------------------------------------- tile

@pytest.mark.parametrize('dtype', [np.int16, np.float16, np.complex64, np.bool_])
def test_tile(random, dtype):
    for a, h in views(random, dtype):
        for reps in [2, (2, 3), (1, 1), (3, 1, 2), (0, 2), (), 1]:
            same(cp.tile(a, reps), np.tile(h, reps))
    t = cp.tile(cp.asarray(random((3,), dtype)), 1)
    assert t.flags.owndata      # a copy even when nothing repeats, as NumPy's
    with pytest.raises(ValueError, match='negative'):
        cp.tile(cp.zeros(3), -1)
    with pytest.raises(TypeError):
        cp.tile(cp.zeros(3), 1.5)


# ------------------------------------------------------------------- repeat

@pytest.mark.parametrize('dtype', [np.uint8, np.float32, np.complex128, np.int64])
def test_repeat(random, rng, dtype):
    for a, h in views(random, dtype):
        same(cp.repeat(a, 3), np.repeat(h, 3))
        same(a.repeat(0), h.repeat(0))
        if h.ndim == 2:
            counts = rng.integers(0, 4, h.shape[1])
            same(cp.repeat(a, 2, axis=-1), np.repeat(h, 2, axis=-1))
            same(cp.repeat(a, list(counts), axis=1), np.repeat(h, counts, axis=1))
            same(cp.repeat(a, cp.asarray(counts), axis=1), np.repeat(h, counts, axis=1))
            same(cp.repeat(a, cp.asarray(counts[:1]), axis=0), np.repeat(h, counts[:1], axis=0))
            same(a.repeat([2], axis=0), h.repeat([2], axis=0))
    h = random((), dtype)
    same(cp.repeat(cp.asarray(h), 2, axis=0), np.repeat(h, 2, axis=0))
    # the Array API's form: counts in a device array, axis by keyword
    h = random((5,), dtype)
    counts = np.array([0, 3, 1, 0, 2])
    same(cp.repeat(cp.asarray(h), cp.asarray(counts.astype(np.int32)), axis=0),
         np.repeat(h, counts, axis=0))
    same(cp.repeat(cp.asarray(h), cp.zeros(5, dtype=np.int64)), np.repeat(h, np.zeros(5, int)))


def test_repeat_errors():
    a = cp.arange(3)
    for bad in (-1, [1, -2, 1], cp.asarray(np.array([1, -2, 1]))):
        with pytest.raises(ValueError, match='negative'):
            cp.repeat(a, bad)
    for bad in ([1, 2], cp.asarray(np.array([1, 2]))):
        with pytest.raises(ValueError, match='broadcast'):
            cp.repeat(a, bad)
    with pytest.raises(ValueError):
        cp.repeat(a, [[1, 2, 1]])
    with pytest.raises(AxisError):
        cp.repeat(a, 2, axis=1)


# ---------------------------------------------------------------------- pad

@pytest.mark.parametrize('mode,dtype', [('constant', np.float64), ('edge', np.int32),
                                        ('reflect', np.complex64), ('symmetric', np.uint16),
                                        ('wrap', np.float16), ('constant', np.bool_)])
def test_pad_modes(random, mode, dtype):
    for a, h in views(random, dtype):
        if h.size == 0 and mode != 'constant':
            continue
        for width in [1, (2, 3), ((1, 0), (0, 2)), ((7, 9),), 0]:
            if h.ndim == 0 and np.ndim(width) > 1:
                continue
            same(cp.pad(a, width, mode), np.pad(h, width, mode))
    h = random((3, 4), dtype)
    same(cp.pad(cp.asarray(h), {1: (2, 1)}, mode), np.pad(h, {1: (2, 1)}, mode))


@pytest.mark.parametrize('mode,dtype', [('maximum', np.int16), ('minimum', np.float32),
                                        ('mean', np.float64), ('mean', np.int32),
                                        ('median', np.float64), ('median', np.uint8),
                                        ('linear_ramp', np.float64), ('linear_ramp', np.int16)])
def test_pad_statistic_and_ramp_modes(random, mode, dtype):
    for a, h in views(random, dtype):
        if h.size == 0 or h.ndim == 0:
            continue
        for width in [1, (2, 3), ((1, 0), (0, 2)), 0]:
            same_close(cp.pad(a, width, mode), np.pad(h, width, mode))
    h = random((5, 6), dtype)
    a = cp.asarray(h)
    if mode == 'linear_ramp':
        for ends in [3, (1, -4), ((2, 5), (-1, 0))]:
            same_close(cp.pad(a, ((3, 1), (2, 4)), mode, end_values=ends),
                       np.pad(h, ((3, 1), (2, 4)), mode, end_values=ends))
    else:
        for length in [1, 2, (1, 3), ((2, 1), (4, 9))]:
            same_close(cp.pad(a, ((2, 1), (3, 2)), mode, stat_length=length),
                       np.pad(h, ((2, 1), (3, 2)), mode, stat_length=length))
    same_close(cp.pad(a, {1: (2, 1)}, mode), np.pad(h, {1: (2, 1)}, mode))


def same_close(got, want):
    """As same(), floats to rounding (means and ramps are sums)."""
    if want.dtype.kind not in 'fc':
        return same(got, want)
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape,
                                                                 want.dtype)
    np.testing.assert_allclose(got.get(), want, rtol=1e-5 if want.dtype.itemsize <= 4 else 1e-12)


def test_pad_constant_values_and_empty_axes(random):
    h = random((3, 4), np.float32)
    a = cp.asarray(h)
    for values in [5, (1, 2), ((1, 2), (3, 4)), 2.5]:
        same(cp.pad(a, 2, constant_values=values), np.pad(h, 2, constant_values=values))
    hi = random((2, 3), np.int16)
    same(cp.pad(cp.asarray(hi), 1, constant_values=7.9), np.pad(hi, 1, constant_values=7.9))
    e = np.zeros((0, 3), np.uint8)
    same(cp.pad(cp.asarray(e), 2, constant_values=9), np.pad(e, 2, constant_values=9))
    same(cp.pad(cp.asarray(e), ((0, 0), (1, 1)), 'edge'), np.pad(e, ((0, 0), (1, 1)), 'edge'))
    assert cp.pad(a, 1, 'empty').shape == (5, 6)


def test_pad_errors():
    a = cp.zeros((2, 3))
    with pytest.raises(ValueError, match="can't extend empty axis 0"):
        cp.pad(cp.zeros((0, 3)), 1, 'edge')
    with pytest.raises(ValueError, match='negative'):
        cp.pad(a, -1)
    with pytest.raises(TypeError, match='integral'):
        cp.pad(a, 1.5)
    with pytest.raises(ValueError, match='not supported'):
        cp.pad(a, 1, 'foo')
    with pytest.raises(ValueError, match='unsupported keyword'):
        cp.pad(a, 1, 'edge', constant_values=1)
    with pytest.raises(ValueError):
        cp.pad(a, ((1, 2, 3),))
    with pytest.raises(ValueError, match='stat_length of 0'):
        cp.pad(a, 1, 'maximum', stat_length=0)
    with pytest.raises(ValueError, match='negative'):
        cp.pad(a, 1, 'mean', stat_length=-1)
    with pytest.raises(ValueError, match="can't extend empty axis 0"):
        cp.pad(cp.zeros((0, 3)), 1, 'median')
    with pytest.raises(NotImplementedError):
        cp.pad(a, 1, 'reflect', reflect_type='odd')


# ------------------------------------------------------------------- resize

@pytest.mark.parametrize('dtype', [np.int32, np.complex64])
def test_resize(random, dtype):
    for a, h in views(random, dtype):
        for shape in [7, (3, 5), (2, 0), (30,), ()]:
            same(cp.resize(a, shape), np.resize(h, shape))
    with pytest.raises(ValueError, match='non-negative'):
        cp.resize(cp.zeros(3), (2, -1))


# ------------------------------------------------------------ Array API names

def test_array_api_names(random):
    h = random((2, 3, 4), np.float32)
    a = cp.asarray(h)
    p = cp.permute_dims(a, (2, 0, 1))
    same(p, np.permute_dims(h, (2, 0, 1)))
    assert shares(p, a)
    same(cp.matrix_transpose(a), np.matrix_transpose(h))
    same(a.mT, h.mT)
    assert shares(a.mT, a)
    with pytest.raises(ValueError, match='at least 2-dimensional'):
        cp.matrix_transpose(cp.zeros(3))
    with pytest.raises(ValueError):
        cp.permute_dims(a, (0, 1))
    b = cp.astype(a, np.int16)
    same(b, h.astype(np.int16))
    assert cp.astype(a, np.float32, copy=False) is a
    assert cp.astype(a, np.float32) is not a
    with pytest.raises(TypeError):
        cp.astype(h, np.int16)
    same(cp.expand_dims(a), np.expand_dims(h, 0))
    same(cp.expand_dims(a, axis=-1), np.expand_dims(h, axis=-1))
    same(cp.flip(a, axis=None), np.flip(h, axis=None))
    same(cp.roll(a, 1, axis=-1), np.roll(h, 1, axis=-1))
    same(cp.take(a, cp.asarray(np.array([2, 0])), axis=1), np.take(h, [2, 0], axis=1))
    same(cp.tile(a, (2,)), np.tile(h, (2,)))
    same(cp.squeeze(cp.expand_dims(a, axis=0), axis=0), h)
    same(cp.moveaxis(a, 0, -1), np.moveaxis(h, 0, -1))
    same(cp.stack([a, a], axis=-1), np.stack([h, h], axis=-1))
    same(cp.concat([a, a], axis=1), np.concat([h, h], axis=1))
