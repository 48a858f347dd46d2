"""CUDA graphs: Stream.begin_capture / end_capture / is_capturing and
gpuarray.cuda.Graph, on both backends (the host backend records the
stream's tasks and replays them).

A replay must give what the same code gives eagerly, on the inputs as they
are at the replay; what cannot be captured must say so by name and leave
the capture usable; a graph keeps what it uses alive and gives everything
back when dropped.
"""
import gc
import sys

import numpy as np
import pytest

import gpuarray as cp
from gpuarray.cuda import memory

pytestmark = pytest.mark.device


def _step(x, y):
    """Work to capture: operators, ufuncs, a fused function, a reduction,
    temporaries allocated and freed inside."""
    t = cp.exp(x * 0.5) - y
    u = _fused(t, y)
    return u, (t * t).sum(axis=0)


@cp.fuse
def _fused(t, y):
    return cp.sqrt(cp.abs(t)) + y * 2


def _capture(stream, f, *args):
    f(*args)                      # compile outside the capture
    stream.synchronize()
    with stream:
        stream.begin_capture()
        out = f(*args)
        graph = stream.end_capture()
    return graph, out


def test_replay_equals_eager_and_sees_inputs_changed_in_place(rng):
    s = cp.cuda.Stream(non_blocking=True)
    xh = rng.standard_normal((64, 33)).astype(np.float32)
    yh = rng.standard_normal((64, 33)).astype(np.float32)
    x, y = cp.asarray(xh), cp.asarray(yh)
    graph, (u, total) = _capture(s, _step, x, y)
    assert isinstance(graph, cp.cuda.Graph)
    for k in range(3):
        xk = (xh + k).astype(np.float32)
        x.set(xk)
        graph.launch(stream=s)
        s.synchronize()
        eu, etotal = _step(cp.asarray(xk), y)
        np.testing.assert_allclose(u.get(), eu.get(), rtol=1e-6)
        np.testing.assert_allclose(total.get(), etotal.get(), rtol=1e-5)


def test_captured_work_runs_only_when_launched(rng):
    s = cp.cuda.Stream()
    x = cp.asarray(rng.integers(-1000, 1000, 1000).astype(np.float32))   # exact sums
    x0 = x.get()

    def bump(x):
        x += 1

    graph, _ = _capture(s, bump, x)        # the warm-up call ran once
    np.testing.assert_array_equal(x.get(), x0 + 1)
    graph.upload(s)
    with s:
        graph.launch()                     # the current stream
        graph.launch()
    s.synchronize()
    np.testing.assert_array_equal(x.get(), x0 + 3)
    graph.launch()                         # the null stream
    cp.cuda.Device().synchronize()
    np.testing.assert_array_equal(x.get(), x0 + 4)


def test_is_capturing_and_null_stream():
    s = cp.cuda.Stream()
    assert not s.is_capturing()
    assert not cp.cuda.Stream.null.is_capturing()
    with pytest.raises(RuntimeError, match='null stream'):
        cp.cuda.Stream.null.begin_capture()
    s.begin_capture()
    assert s.is_capturing()
    with pytest.raises(ValueError, match='capturing already'):
        s.begin_capture()
    s.end_capture()
    assert not s.is_capturing()
    with pytest.raises(ValueError, match='not capturing'):
        s.end_capture()


@pytest.mark.parametrize('what, call', [
    ('pageable', lambda x: x.get()),
    ('pageable', lambda x: cp.asnumpy(x)),
    ('synchroniz', lambda x: cp.cuda.get_current_stream().synchronize()),
    ('synchronizing the device', lambda x: cp.cuda.Device().synchronize()),
    ('nonzero', lambda x: cp.nonzero(x > 0)),
    ('boolean mask', lambda x: x[x > 0]),
    ('unique', lambda x: cp.unique(x)),
])
def test_uncapturable_work_is_named_and_the_capture_goes_on(rng, what, call):
    s = cp.cuda.Stream(non_blocking=True)
    x = cp.asarray(rng.standard_normal(100).astype(np.float32))
    y = x * 3                                  # compiled outside
    with s:
        s.begin_capture()
        with pytest.raises(RuntimeError, match=what):
            call(x)
        y = x * 3
        graph = s.end_capture()
    graph.launch(s)
    s.synchronize()
    np.testing.assert_allclose(y.get(), x.get() * 3)


def test_linalg_check_is_named(rng):
    s = cp.cuda.Stream()
    a = cp.asarray(rng.standard_normal((4, 4)))
    cp.linalg.inv(a)
    with s:
        s.begin_capture()
        with pytest.raises(RuntimeError, match='captur'):
            cp.linalg.inv(a)
        s.end_capture()


def test_graph_keeps_its_arrays_alive(rng):
    s = cp.cuda.Stream(non_blocking=True)
    xh = rng.standard_normal(4096).astype(np.float32)
    x, y = cp.asarray(xh), cp.asarray(xh * 2)
    refs = sys.getrefcount(x)

    def f(x, y):
        return x + y

    graph, out = _capture(s, f, x, y)
    assert sys.getrefcount(x) > refs
    del x, y
    gc.collect()
    junk = [cp.full(4096, 7.0, dtype=np.float32) for _ in range(20)]   # reuse freed memory
    graph.launch(s)
    s.synchronize()
    np.testing.assert_allclose(out.get(), xh * 3, rtol=1e-6)
    del junk


def test_captured_fill_keeps_its_array(rng):
    s = cp.cuda.Stream()
    x = cp.asarray(rng.standard_normal(256).astype(np.float32))
    refs = sys.getrefcount(x)
    with s:
        s.begin_capture()
        x.fill(3.0)
        graph = s.end_capture()
    assert sys.getrefcount(x) > refs
    graph.launch(s)
    s.synchronize()
    np.testing.assert_array_equal(x.get(), np.full(256, 3.0, np.float32))
    del graph
    gc.collect()
    assert sys.getrefcount(x) == refs


def test_graphs_dropped_give_everything_back(rng):
    pool = memory.get_default_memory_pool()
    s = cp.cuda.Stream(non_blocking=True)
    x = cp.asarray(rng.standard_normal((32, 32)).astype(np.float32))
    _step(x, x)
    s.synchronize()
    cp.cuda.Device().synchronize()
    before = pool.used_bytes()
    refs = sys.getrefcount(x)
    for _ in range(3):
        graph, out = _capture(s, _step, x, x)
        graph.launch(s)
        s.synchronize()
        del graph, out
    gc.collect()
    cp.cuda.Device().synchronize()
    assert sys.getrefcount(x) == refs
    assert pool.used_bytes() == before


def test_stream_dropped_while_capturing():
    s = cp.cuda.Stream()
    x = cp.ones(10)
    x * 2
    s.begin_capture()
    with s:
        x * 2
    del s
    gc.collect()        # the keep list and the array made in it hold the stream: a cycle
    cp.cuda.Device().synchronize()      # the capture ended with the stream
    np.testing.assert_array_equal((x * 2).get(), np.full(10, 2.0))
