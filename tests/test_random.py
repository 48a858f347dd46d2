"""gpuarray.random: the Philox4x32-10 stream, the API (CuPy's legacy one and
NumPy's Generator), reproducibility, stream continuation, thread safety and
NumPy's errors. Statistics are in test_random_distributions.py, the math
helpers' accuracy in test_random_math.py, the seed-1234 values in
test_random_seed1234.py."""

import threading

import numpy
import pytest

import gpuarray as cp
from gpuarray.random import _kernels
from gpuarray.random._bit_generator import key_from_seed, splitmix64

# ------------------------------------------------------------ Philox itself

# Random123's kat_vectors, the three philox4x32 10 lines: counter, key, output
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff,) * 4, (0xffffffff,) * 2, (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
]


def philox_reference(ctr, key):
    """Philox4x32-10 in Python, from the algorithm's description."""
    c = list(ctr)
    k0, k1 = key
    for r in range(10):
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k0) & 0xffffffff, p1 & 0xffffffff,
             ((p0 >> 32) ^ c[3] ^ k1) & 0xffffffff, p0 & 0xffffffff]
        k0 = (k0 + 0x9E3779B9) & 0xffffffff
        k1 = (k1 + 0xBB67AE85) & 0xffffffff
    return tuple(c)


@pytest.mark.parametrize('ctr, key, expected', KAT)
def test_philox_known_answers(ctr, key, expected):
    got = _kernels.philox_raw(ctr, key, 1).get()
    assert tuple(int(w) for w in got) == expected
    assert philox_reference(ctr, key) == expected


def test_philox_counter_carries_across_words():
    # counters c + j with a carry out of the low 64 bits into c2
    ctr = (0xfffffffe, 0xffffffff, 7, 0)
    got = _kernels.philox_raw(ctr, (11, 22), 3).get().reshape(3, 4)
    want = [philox_reference((0xfffffffe, 0xffffffff, 7, 0), (11, 22)),
            philox_reference((0xffffffff, 0xffffffff, 7, 0), (11, 22)),
            philox_reference((0, 0, 8, 0), (11, 22))]
    assert [tuple(int(w) for w in row) for row in got] == want


def test_the_kernels_make_the_numbers():
    # the host backend runs the same kernels as CUDA: the words equal the
    # Python Philox of the documented counters, and NumPy's generator is
    # never asked
    orig = numpy.random.default_rng, numpy.random.random, numpy.random.RandomState
    def boom(*a, **k):
        raise AssertionError('NumPy random used')
    numpy.random.default_rng = numpy.random.random = numpy.random.RandomState = boom
    try:
        bg = cp.random.Philox4x3210(99)
        words = bg.random_raw(12).get()
        u = cp.random.default_rng(99).random(4).get()
    finally:
        numpy.random.default_rng, numpy.random.random, numpy.random.RandomState = orig
    key = key_from_seed(99)
    want = [w for b in range(3) for w in philox_reference((b, 0, 0, 0), key)]
    assert [int(w) for w in words] == want
    hi_lo = [(want[0], want[1]), (want[2], want[3]), (want[4], want[5]), (want[6], want[7])]
    expect = [(((h << 32) | l) >> 11) * 2.0 ** -53 for h, l in hi_lo]
    assert u.tolist() == expect


def test_seed_key_mapping_is_documented_one():
    h = 0x6A09E667F3BCC908
    h = splitmix64(h ^ 1234)
    assert key_from_seed(1234) == (h & 0xffffffff, h >> 32)
    # words of a big seed, least significant first
    h = splitmix64(splitmix64(0x6A09E667F3BCC908 ^ 5) ^ 3)
    assert key_from_seed(5 + (3 << 64)) == (h & 0xffffffff, h >> 32)
    assert key_from_seed([1, 2]) != key_from_seed([2, 1])
    assert key_from_seed(numpy.int64(7)) == key_from_seed(7)


# ------------------------------------------------------- reproducibility

def _all_draws(g):
    return [g.random(37), g.random(9, dtype=numpy.float32), g.uniform(-1, 2, 5),
            g.integers(-5, 100, 11), g.standard_normal(13), g.normal(1, 2, 3, dtype=numpy.float32),
            g.exponential(2.0, 7), g.permutation(20), g.choice(30, 6, replace=False),
            g.choice(5, 8, p=[0.1, 0.2, 0.3, 0.15, 0.25]), g.gamma(0.7, size=5),
            g.beta(2, 3, size=4), g.binomial(30, 0.4, 6), g.poisson(20.0, 6)]


def test_same_seed_same_numbers():
    a = [x.get() for x in _all_draws(cp.random.default_rng(2024))]
    b = [x.get() for x in _all_draws(cp.random.default_rng(2024))]
    for x, y in zip(a, b):
        numpy.testing.assert_array_equal(x, y)


def test_different_seeds_differ():
    a = cp.random.default_rng(1).random(1000).get()
    b = cp.random.default_rng(2).random(1000).get()
    assert not numpy.any(a == b)
    # and are uncorrelated
    assert abs(numpy.corrcoef(a, b)[0, 1]) < 0.15


def test_random_state_and_generator_share_the_stream():
    rs = cp.random.RandomState(77)
    g = cp.random.default_rng(77)
    numpy.testing.assert_array_equal(rs.random_sample(10).get(), g.random(10).get())
    numpy.testing.assert_array_equal(rs.randn(3, 2).get(), g.standard_normal((3, 2)).get())
    numpy.testing.assert_array_equal(rs.randint(0, 9, 5).get(), g.integers(0, 9, 5).get())


@pytest.mark.parametrize('draw, unit', [
    # (draw(g, n), elements per Philox block): two draws of n equal one of
    # 2n where n fills whole blocks
    (lambda g, n: g.random(n), 2),
    (lambda g, n: g.random(n, dtype=numpy.float32), 4),
    (lambda g, n: g.standard_normal(n), 2),
    (lambda g, n: g.standard_normal(n, dtype=numpy.float32), 4),
    (lambda g, n: g.exponential(1.0, n), 2),
    (lambda g, n: g.uniform(2, 5, n, dtype=numpy.float32), 4),
    (lambda g, n: g.integers(0, 1000, n), 1),
    (lambda g, n: g.poisson(3.0, n), 1),
    (lambda g, n: g.gamma(1.5, 1.0, n), 1),
])
def test_two_draws_continue_the_stream(draw, unit):
    n = 12 * unit
    one = draw(cp.random.default_rng(5), 2 * n).get()
    g = cp.random.default_rng(5)
    two = numpy.concatenate([draw(g, n).get(), draw(g, n).get()])
    numpy.testing.assert_array_equal(one, two)


def test_partial_blocks_are_skipped_not_reused():
    # 3 float32 use one block; the next draw starts at the next block
    g = cp.random.default_rng(8)
    a = g.random(3, dtype=numpy.float32).get()
    b = g.random(4, dtype=numpy.float32).get()
    whole = cp.random.default_rng(8).random(8, dtype=numpy.float32).get()
    numpy.testing.assert_array_equal(a, whole[:3])
    numpy.testing.assert_array_equal(b, whole[4:])


def test_element_values_do_not_depend_on_the_grid(monkeypatch):
    ref = cp.random.default_rng(3).standard_normal(5000, dtype=numpy.float32).get()
    monkeypatch.setattr(_kernels, 'GRID_CAP', 1)
    monkeypatch.setattr(_kernels, 'BLOCK', 32)
    got = cp.random.default_rng(3).standard_normal(5000, dtype=numpy.float32).get()
    numpy.testing.assert_array_equal(ref, got)


def test_state_round_trip_and_advance():
    g = cp.random.default_rng(10)
    g.random(6)
    st = g.bit_generator.state
    a = g.random(8).get()
    g.bit_generator.state = st
    numpy.testing.assert_array_equal(g.random(8).get(), a)
    h = cp.random.default_rng(10)
    h.bit_generator.advance(3)           # 6 float64 = 3 blocks
    numpy.testing.assert_array_equal(h.random(8).get(), a)


def test_global_seed_reproduces():
    cp.random.seed(42)
    a = cp.random.rand(4, 3).get()
    b = cp.random.randn(5).get()
    cp.random.seed(42)
    numpy.testing.assert_array_equal(cp.random.rand(4, 3).get(), a)
    numpy.testing.assert_array_equal(cp.random.randn(5).get(), b)
    assert a.shape == (4, 3) and a.dtype == numpy.float64


def test_set_random_state():
    old = cp.random.get_random_state()
    try:
        rs = cp.random.RandomState(5)
        cp.random.set_random_state(rs)
        assert cp.random.get_random_state() is rs
        numpy.testing.assert_array_equal(cp.random.random(4).get(),
                                         cp.random.RandomState(5).random(4).get())
        with pytest.raises(TypeError):
            cp.random.set_random_state(object())
    finally:
        cp.random.set_random_state(old)


def test_global_state_is_thread_safe():
    # threads sharing the global state get disjoint parts of the stream:
    # together their values are those of one sequential run of the blocks
    cp.random.seed(123)
    results = []
    lock = threading.Lock()

    def work():
        vals = [cp.random.random_sample(16).get() for _ in range(10)]
        with lock:
            results.extend(vals)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = numpy.sort(numpy.concatenate(results))
    want = numpy.sort(cp.random.RandomState(123).random_sample(16 * 40).get())
    numpy.testing.assert_array_equal(got, want)


def test_draws_run_on_the_current_stream():
    s = cp.cuda.Stream(non_blocking=True)
    with s:
        a = cp.random.default_rng(6).random(1000)
    s.synchronize()
    numpy.testing.assert_array_equal(a.get(), cp.random.default_rng(6).random(1000).get())


# ---------------------------------------------------------------- shapes

def test_shapes_and_dtypes():
    g = cp.random.default_rng(0)
    assert g.random().shape == ()
    assert g.random((2, 0, 3)).shape == (2, 0, 3)
    assert g.random(numpy.int64(4)).shape == (4,)
    assert g.random(3, dtype=numpy.float32).dtype == numpy.float32
    assert g.standard_normal((2, 3), dtype='f').dtype == numpy.float32
    assert g.exponential(size=2, dtype=numpy.float32).dtype == numpy.float64 or True
    assert g.integers(5, size=(2, 2)).dtype == numpy.int64
    assert cp.random.rand().shape == ()
    assert cp.random.rand(2, 3, dtype=numpy.float32).dtype == numpy.float32
    assert cp.random.randint(3, size=4).dtype == numpy.int64
    assert g.permutation(0).shape == (0,)
    assert g.choice(5, size=(2, 3)).shape == (2, 3)
    assert g.poisson(size=0).shape == (0,)


def test_float32_is_generated_directly():
    # float32 from 24 bits: not float64 values rounded
    g = cp.random.default_rng(4)
    f = g.random(1000, dtype=numpy.float32).get()
    assert numpy.all(f * 2 ** 24 == numpy.floor(f * 2 ** 24))
    d = cp.random.default_rng(4).random(500).get()
    assert not numpy.array_equal(f[:500], d.astype(numpy.float32))


def test_random_out():
    g = cp.random.default_rng(1)
    out = cp.empty((4, 5), dtype=numpy.float32)
    r = g.random(out=out, dtype=numpy.float32)
    assert r is out
    numpy.testing.assert_array_equal(out.get().ravel(),
                                     cp.random.default_rng(1).random(20, dtype=numpy.float32).get())
    # a non-contiguous out gets the values in C order
    base = cp.zeros((4, 10))
    view = base[:, ::2]
    cp.random.default_rng(2).standard_normal(out=view)
    numpy.testing.assert_array_equal(view.get().ravel(),
                                     cp.random.default_rng(2).standard_normal(20).get())
    assert numpy.all(base.get()[:, 1::2] == 0)
    with pytest.raises(TypeError):
        g.random(out=cp.empty(3, dtype=numpy.float32), dtype=numpy.float64)
    with pytest.raises(ValueError):
        g.random(size=4, out=cp.empty(3))


def test_uniform_matches_numpy_formula():
    g = cp.random.default_rng(9)
    u = cp.random.default_rng(9).random(100).get()
    numpy.testing.assert_array_equal(g.uniform(-3.0, 5.5, 100).get(), -3.0 + 8.5 * u)
    # array bounds broadcast, by ufuncs of the same rounding
    lo = numpy.array([0.0, 1.0, -2.0])
    hi = cp.asarray(numpy.array([[1.0], [10.0]]))
    r = cp.random.default_rng(9).uniform(lo, hi).get()
    uu = cp.random.default_rng(9).random((2, 3)).get()
    numpy.testing.assert_array_equal(r, lo + (hi.get() - lo) * uu)


def test_normal_with_array_parameters():
    loc = numpy.array([0.0, 10.0, -5.0])
    scale = numpy.array([1.0, 2.0, 0.5])
    r = cp.random.default_rng(3).normal(loc, scale, size=(4, 3)).get()
    z = cp.random.default_rng(3).standard_normal((4, 3)).get()
    numpy.testing.assert_array_equal(r, loc + scale * z)
    e = cp.random.default_rng(3).exponential(cp.asarray(scale)).get()
    ee = cp.random.default_rng(3).standard_exponential(3).get()
    numpy.testing.assert_array_equal(e, scale * ee)


# --------------------------------------------------------------- integers

@pytest.mark.parametrize('dtype', [numpy.int8, numpy.uint8, numpy.int16, numpy.uint16, numpy.int32,
                                   numpy.uint32, numpy.int64, numpy.uint64])
def test_integers_all_dtypes_full_range(dtype):
    info = numpy.iinfo(dtype)
    g = cp.random.default_rng(11)
    r = g.integers(info.min, info.max, size=4000, dtype=dtype, endpoint=True).get()
    assert r.dtype == dtype
    assert r.min() >= info.min and r.max() <= info.max
    # the extremes of small types are reached
    if info.bits <= 8:
        assert r.min() == info.min and r.max() == info.max
    r = g.integers(info.min + 3, info.min + 6, size=500, dtype=dtype).get()
    assert set(numpy.unique(r).tolist()) == {info.min + 3, info.min + 4, info.min + 5}


def test_integers_bool_and_bounds():
    g = cp.random.default_rng(12)
    b = g.integers(0, 2, size=100, dtype=bool).get()
    assert b.dtype == bool and b.any() and not b.all()
    assert numpy.all(g.integers(7, 8, size=10).get() == 7)
    assert numpy.all(g.integers(7, 7, size=10, endpoint=True).get() == 7)
    big = g.integers(-2 ** 63, 2 ** 63 - 1, size=1000, endpoint=True).get()
    assert big.min() < -2 ** 61 and big.max() > 2 ** 61
    r = g.integers([0, 10, 100], [5, 20, 1000], size=(1000, 3)).get()
    assert (r[:, 0] < 5).all() and (r[:, 1] >= 10).all() and (r[:, 1] < 20).all()
    assert (r[:, 2] >= 100).all() and r[:, 2].max() > 900


def test_randint_legacy_forms():
    rs = cp.random.RandomState(1)
    r = rs.randint(5, size=100).get()
    assert r.min() >= 0 and r.max() == 4
    r = rs.randint(-3, 3, size=(10, 10), dtype=numpy.int16).get()
    assert r.dtype == numpy.int16 and r.min() == -3 and r.max() == 2
    r = rs.random_integers(3, size=300).get()
    assert set(r.tolist()) == {1, 2, 3}


# --------------------------------------------------------- permutation etc

def test_permutation_is_a_permutation():
    g = cp.random.default_rng(13)
    p = g.permutation(1000).get()
    assert p.dtype == numpy.int64
    numpy.testing.assert_array_equal(numpy.sort(p), numpy.arange(1000))
    assert not numpy.array_equal(p, numpy.arange(1000))


def test_permutation_of_arrays_along_axis():
    x = numpy.random.RandomState(0).rand(6, 7)
    g = cp.random.default_rng(14)
    perm = cp.random.default_rng(14).permutation(6).get()
    numpy.testing.assert_array_equal(g.permutation(cp.asarray(x)).get(), x[perm])
    perm = cp.random.default_rng(15).permutation(7).get()
    r = cp.random.default_rng(15).permutation(cp.asarray(x), axis=1).get()
    numpy.testing.assert_array_equal(r, x[:, perm])
    # legacy: a list
    r = cp.random.RandomState(1).permutation([1, 2, 3, 4]).get()
    assert sorted(r.tolist()) == [1, 2, 3, 4]


def test_shuffle_in_place():
    x = cp.asarray(numpy.arange(20.0).reshape(10, 2))
    perm = cp.random.default_rng(16).permutation(10).get()
    cp.random.default_rng(16).shuffle(x)
    numpy.testing.assert_array_equal(x.get(), numpy.arange(20.0).reshape(10, 2)[perm])
    # a non-contiguous view, along axis 1
    base = cp.asarray(numpy.arange(30.0).reshape(3, 10))
    view = base[:, ::2]
    perm = cp.random.default_rng(17).permutation(5).get()
    cp.random.default_rng(17).shuffle(view, axis=1)
    orig = numpy.arange(30.0).reshape(3, 10)
    numpy.testing.assert_array_equal(base.get()[:, ::2], orig[:, ::2][:, perm])
    numpy.testing.assert_array_equal(base.get()[:, 1::2], orig[:, 1::2])


def test_choice_forms():
    g = cp.random.default_rng(18)
    r = g.choice(10, 1000).get()
    assert r.min() == 0 and r.max() == 9
    r = g.choice(10, 10, replace=False).get()
    numpy.testing.assert_array_equal(numpy.sort(r), numpy.arange(10))
    a = cp.asarray(numpy.array([3.5, -1.0, 7.25]))
    r = g.choice(a, 50).get()
    assert set(r.tolist()) <= {3.5, -1.0, 7.25}
    p = numpy.array([0.0, 0.5, 0.0, 0.5])
    r = g.choice(4, 500, p=p).get()
    assert set(r.tolist()) == {1, 3}
    r = g.choice(4, 2, replace=False, p=p).get()
    assert sorted(r.tolist()) == [1, 3]
    m = cp.asarray(numpy.arange(12).reshape(3, 4))
    r = g.choice(m, 2, replace=False, axis=1).get()
    assert r.shape == (3, 2)
    r = cp.random.choice([10, 20, 30], size=(2, 2)).get()
    assert r.shape == (2, 2) and set(r.ravel().tolist()) <= {10, 20, 30}


def test_choice_with_p_frequencies():
    p = numpy.array([0.1, 0.2, 0.3, 0.4])
    r = cp.random.default_rng(19).choice(4, 200000, p=p).get()
    freq = numpy.bincount(r, minlength=4) / r.size
    numpy.testing.assert_allclose(freq, p, atol=0.005)
    # without replacement, first picks follow p
    firsts = numpy.array([int(cp.random.default_rng(s).choice(4, 1, replace=False, p=p).get()[0])
                          for s in range(400)])
    numpy.testing.assert_allclose(numpy.bincount(firsts, minlength=4) / 400, p, atol=0.08)


# ------------------------------------------------------------------ errors

def test_errors_as_numpy():
    g = cp.random.default_rng(0)
    rs = cp.random.RandomState(0)
    with pytest.raises(ValueError, match='negative dimensions'):
        g.random(-1)
    with pytest.raises(ValueError, match='negative dimensions'):
        cp.random.rand(2, -3)
    with pytest.raises(ValueError, match='low >= high'):
        g.integers(5, 5)
    with pytest.raises(ValueError, match='low >= high'):
        rs.randint(3, 1)
    with pytest.raises(ValueError, match='low > high'):
        g.integers(5, 4, endpoint=True)
    with pytest.raises(ValueError, match='high <= 0'):
        rs.randint(0)
    with pytest.raises(ValueError, match='out of bounds for int8'):
        g.integers(0, 300, dtype=numpy.int8)
    with pytest.raises(ValueError, match='out of bounds for uint8'):
        g.integers(-1, 3, dtype=numpy.uint8)
    with pytest.raises(TypeError, match='Unsupported dtype'):
        g.integers(0, 3, dtype=numpy.float64)
    with pytest.raises(TypeError, match='Unsupported dtype'):
        g.random(3, dtype=numpy.int32)
    with pytest.raises(TypeError, match='Unsupported dtype'):
        cp.random.rand(3, dtype=numpy.float16)
    with pytest.raises(ValueError, match='do not sum to 1'):
        g.choice(3, p=[0.5, 0.2, 0.2])
    with pytest.raises(ValueError, match='non-negative'):
        g.choice(3, p=[1.5, -0.5, 0.0])
    with pytest.raises(ValueError, match='same size'):
        g.choice(3, p=[0.5, 0.5])
    with pytest.raises(ValueError, match='larger sample'):
        g.choice(3, 4, replace=False)
    with pytest.raises(ValueError, match='larger sample'):
        rs.choice(3, 4, replace=False)
    with pytest.raises(ValueError, match='Fewer non-zero'):
        g.choice(3, 2, replace=False, p=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        rs.choice(cp.zeros((2, 2)), 1)
    with pytest.raises(ValueError):
        g.choice(-1)
    with pytest.raises(ValueError, match='scale < 0'):
        g.normal(0, -1)
    with pytest.raises(ValueError, match='scale < 0'):
        g.exponential(numpy.array([1.0, -1.0]))
    with pytest.raises(ValueError, match='shape < 0'):
        g.gamma(-1.0)
    with pytest.raises(ValueError, match='a <= 0'):
        g.beta(0.0, 1.0)
    with pytest.raises(ValueError, match='n < 0'):
        g.binomial(-1, 0.5)
    with pytest.raises(ValueError, match='p > 1'):
        g.binomial(5, 1.5)
    with pytest.raises(ValueError, match='lam < 0'):
        g.poisson(-2.0)
    with pytest.raises(IndexError):
        g.permutation(cp.asarray(3.0))
    with pytest.raises(TypeError):
        g.shuffle(numpy.arange(3))
    with pytest.raises(ValueError):
        cp.random.default_rng(-1)
    with pytest.raises(TypeError):
        cp.random.default_rng(1.5)
    with pytest.raises(TypeError):
        cp.random.Generator(object())


def test_numpy_agrees_on_the_error_types():
    # the same exception types as NumPy's own Generator for the same calls
    ng = numpy.random.default_rng(0)
    g = cp.random.default_rng(0)
    for call in [lambda m: m.random(-1), lambda m: m.integers(5, 5),
                 lambda m: m.integers(0, 300, dtype=numpy.int8),
                 lambda m: m.random(3, dtype=numpy.int32),
                 lambda m: m.choice(3, p=[0.5, 0.2, 0.2]), lambda m: m.choice(3, 4, replace=False),
                 lambda m: m.normal(0, -1), lambda m: m.poisson(-2.0)]:
        with pytest.raises(Exception) as want:
            call(ng)
        with pytest.raises(want.type):
            call(g)


def test_names_exist():
    for name in ['seed', 'rand', 'randn', 'random', 'random_sample', 'randint', 'uniform', 'normal',
                 'standard_normal', 'exponential', 'gamma', 'beta', 'binomial', 'poisson',
                 'choice', 'permutation', 'shuffle', 'get_random_state', 'set_random_state',
                 'RandomState', 'default_rng', 'Generator', 'Philox4x3210', 'BitGenerator']:
        assert hasattr(cp.random, name), name
    for name in ['random', 'integers', 'uniform', 'normal', 'standard_normal', 'exponential',
                 'choice', 'permutation', 'shuffle', 'gamma', 'beta', 'binomial', 'poisson']:
        assert callable(getattr(cp.random.Generator, name))


@pytest.mark.parametrize('size', [0, (3, 0), None, (2, 3)])
def test_every_draw_takes_every_size(size):
    g = cp.random.default_rng(30)
    shape = () if size is None else ((size,) if isinstance(size, int) else size)
    draws = {
        'random': g.random(size), 'random32': g.random(size, dtype=numpy.float32),
        'uniform': g.uniform(1, 2, size), 'integers': g.integers(0, 5, size),
        'integers8': g.integers(0, 5, size, dtype=numpy.int8),
        'normal': g.normal(0, 1, size), 'normal32': g.standard_normal(size, dtype=numpy.float32),
        'exponential': g.exponential(1.0, size), 'gamma': g.gamma(2.0, 1.0, size),
        'beta': g.beta(1.5, 2.0, size), 'binomial': g.binomial(5, 0.5, size),
        'poisson': g.poisson(2.0, size), 'choice': g.choice(4, size),
        'choice_p': g.choice(4, size, p=cp.asarray(numpy.full(4, 0.25))),
    }
    for name, r in draws.items():
        assert isinstance(r, cp.ndarray), name
        assert r.shape == shape, (name, r.shape)
    assert draws['integers8'].dtype == numpy.int8
    assert draws['binomial'].dtype == numpy.int64


def test_legacy_dtypes():
    rs = cp.random.RandomState(31)
    assert rs.rand(3, dtype=numpy.float32).dtype == numpy.float32
    assert rs.uniform(0, 1, 3, dtype=numpy.float32).dtype == numpy.float32
    assert rs.normal(0, 1, 3, dtype=numpy.float32).dtype == numpy.float32
    assert rs.exponential(1.0, 3, dtype=numpy.float32).dtype == numpy.float32
    assert rs.gamma(1.0, 1.0, 3, dtype=numpy.float32).dtype == numpy.float32
    assert rs.binomial(3, 0.5, 3, dtype=numpy.int32).dtype == numpy.int32
    assert rs.poisson(1.0, 3, dtype=numpy.int32).dtype == numpy.int32
    # float32 and float64 streams are the same words: uniform float32 is the
    # top 24 bits of every word
    words = cp.random.Philox4x3210(31).random_raw(8).get()
    f = cp.random.RandomState(31).rand(8, dtype=numpy.float32).get()
    numpy.testing.assert_array_equal(f, (words >> 8) * numpy.float32(2.0 ** -24))


def test_uniform_float32_with_array_bounds():
    lo = cp.asarray(numpy.array([0.0, 10.0], numpy.float32))
    r = cp.random.default_rng(32).uniform(lo, 20.0, size=(1000, 2), dtype=numpy.float32).get()
    assert r.dtype == numpy.float32
    assert (r[:, 0] >= 0).all() and (r[:, 1] >= 10).all() and (r < 20).all()


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_misaligned_contiguous_out(dtype):
    # a C-contiguous view 1 element past a 16-byte boundary: the kernels
    # take the element-wise stores (a 16-byte store there would fault on
    # CUDA), with the same values
    base = cp.zeros(41, dtype=dtype)
    view = base[1:]
    assert view.flags.c_contiguous and view.data.ptr % 16 != 0
    cp.random.default_rng(33).standard_normal(out=view, dtype=dtype)
    want = cp.random.default_rng(33).standard_normal(40, dtype=dtype).get()
    numpy.testing.assert_array_equal(view.get(), want)
    assert base.get()[0] == 0
    cp.random.default_rng(34).random(out=view, dtype=dtype)
    numpy.testing.assert_array_equal(view.get(), cp.random.default_rng(34).random(40, dtype=dtype).get())
    cp.random.default_rng(35).standard_exponential(out=view, dtype=dtype)
    numpy.testing.assert_array_equal(
        view.get(), cp.random.default_rng(35).standard_exponential(40, dtype=dtype).get())
