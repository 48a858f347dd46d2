"""Every form of the inner reduction (gpuarray._reduction.Form: the
two-pass default, the single launch whose last block finishes, the
one-wave grid, one block for a lone output) gives NumPy's results: every
dtype's accumulation type, NaN propagation of max/min, the first index of
argmin/argmax among ties spread over blocks, several outputs, repeated
launches (the single launch's counters reset themselves), two streams at
once, and a captured graph replayed while eager reductions share its
stream. The host backend runs the same kernels (fences and atomics
included), with one-thread blocks, so splits start at a few elements."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _reduction

pytestmark = pytest.mark.device

FORMS = ['two_pass', 'single', 'wave', 'single+wave', 'single+wave+block65536']

#: One output of each size: one block, a few blocks, many blocks.
SIZES = [1, 37, 5000, 70001, (1 << 20) + 3]


@pytest.fixture(params=FORMS)
def form(request):
    before = _reduction.FORM.name
    _reduction.select_form(request.param)
    yield request.param
    _reduction.select_form(before)


def _close(got, expected, n):
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if expected.dtype.kind in 'fc':
        eps = {2: 1e-3, 4: 1e-6, 8: 1e-15}[expected.real.dtype.itemsize]
        np.testing.assert_allclose(got.get(), expected, rtol=eps * 4 * max(4, np.sqrt(n)),
                                   atol=eps * 4 * max(4, np.sqrt(n)), equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)


#: Every accumulation rule (bool and int8 in int64, float16 in
#: float32, complex); max/argmin/any on the dtypes where their rules differ
#: (each is a kernel to compile per form on CI: kept few).
DTYPE_REDUCTIONS = [(np.bool_, ['sum', 'any']), (np.int8, ['sum']),
                    (np.float16, ['sum', 'argmin']), (np.float32, ['sum', 'max', 'argmin']),
                    (np.complex64, ['sum'])]


@pytest.mark.parametrize('dtype, names', DTYPE_REDUCTIONS, ids=lambda d: np.dtype(d).name
                         if not isinstance(d, list) else '-'.join(d))
def test_every_accumulation_at_every_size(rng, form, dtype, names):
    for n in SIZES:
        if np.dtype(dtype).kind == 'c':
            h = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
        else:
            h = (rng.standard_normal(n) * 3).astype(dtype)
        d = cp.asarray(h)
        for name in names:
            _close(getattr(cp, name)(d), getattr(np, name)(h), n)
        if n > 1 and dtype in (np.float32, np.complex64):
            # a strided view takes the scalar (non-vector) loads
            _close(cp.sum(d[1::2]), np.sum(h[1::2]), n)


def test_mean_and_var_of_float16_accumulate_in_float32(rng, form):
    h = (rng.standard_normal(70001) * 10).astype(np.float16)
    d = cp.asarray(h)
    _close(d.mean(), h.mean(dtype=np.float32).astype(np.float16), 70001)
    np.testing.assert_allclose(float(d.var().get()), h.astype(np.float64).var(), rtol=2e-3)


def test_nan_and_ties_across_blocks(form):
    n = (1 << 20) + 3
    h = np.zeros(n, np.float32)
    h[[5, 300000, n - 2]] = 7.0            # ties of the maximum, in far-apart blocks
    h[[17, 700001]] = -2.0
    d = cp.asarray(h)
    assert int(d.argmax().get()) == 5 and int(d.argmin().get()) == 17
    assert float(d.max().get()) == 7.0
    h[[900000, 600000]] = np.nan            # the first NaN wins argmax; max is NaN
    d = cp.asarray(h)
    assert int(d.argmax().get()) == 600000 and int(d.argmin().get()) == 600000
    assert np.isnan(float(d.max().get())) and np.isnan(float(d.min().get()))


def test_several_outputs_and_a_user_reduction(rng, form):
    h = rng.standard_normal((3, 70001)).astype(np.float64)
    d = cp.asarray(h)
    _close(d.sum(axis=1), h.sum(axis=1), 70001)
    _close(d.argmax(axis=1), h.argmax(axis=1), 70001)
    l2 = cp.ReductionKernel('T x', 'T y', 'x * x', 'a + b', 'y = sqrt(a)', '0', 'l2norm')
    _close(l2(d, axis=1), np.sqrt((h * h).sum(axis=1)), 70001)


def test_repeated_launches_reset_the_counters(rng, form):
    d = cp.empty(70001, cp.float32)
    for k in range(6):
        h = rng.standard_normal(70001).astype(np.float32) + k
        d.set(h)
        _close(d.sum(), h.sum(), 70001)
    for _, counters in _reduction._scratch_buffers.values():
        assert not counters.get().any()


def test_two_streams_at_once(rng, form):
    streams = [cp.cuda.Stream(non_blocking=True) for _ in range(2)]
    hs = [rng.standard_normal(70001).astype(np.float32) for _ in range(2)]
    ds = [cp.asarray(h) for h in hs]
    cp.cuda.runtime.deviceSynchronize()
    results = [[], []]
    for _ in range(4):
        for k, s in enumerate(streams):
            with s:
                results[k].append(ds[k].sum())
    for s in streams:
        s.synchronize()
    for k in range(2):
        for r in results[k]:
            _close(r, hs[k].sum(), 70001)


def test_captured_graph_replays_beside_eager_work(rng, form):
    s = cp.cuda.Stream(non_blocking=True)
    h = rng.standard_normal(70001).astype(np.float32)
    x = cp.asarray(h)
    x.sum()                                 # compile outside the capture
    cp.cuda.runtime.deviceSynchronize()
    with s:
        s.begin_capture()
        total = x.sum()
        graph = s.end_capture()
    for k in range(3):
        hk = (h + k).astype(np.float32)
        x.set(hk)
        with s:
            eager = x.sum()                 # the stream's own counters, between replays
        graph.launch(stream=s)
        s.synchronize()
        _close(total, hk.sum(), 70001)
        _close(eager, hk.sum(), 70001)


def test_unknown_form_is_named():
    with pytest.raises(ValueError, match="unknown part 'fast'"):
        _reduction.Form('single+fast')


def test_scratch_is_kept_for_a_few_streams_only(rng, form):
    h = rng.standard_normal(70001).astype(np.float32)
    d = cp.asarray(h)
    for _ in range(_reduction._MAX_SCRATCH + 3):
        s = cp.cuda.Stream(non_blocking=True)
        with s:
            r = d.sum()
        s.synchronize()
        _close(r, h.sum(), 70001)
    assert len(_reduction._scratch_buffers) <= _reduction._MAX_SCRATCH
