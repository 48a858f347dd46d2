"""Streams and events: the null stream, the per-thread current stream and
`with` nesting, synchronization, recording and waiting, and timing."""
import gc
import sys
import threading
import weakref

import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.cuda


# ------------------------------------------------------------------- streams

def test_null_stream():
    null = cp.cuda.Stream.null
    assert null.ptr == 0
    assert cp.cuda.get_current_stream() == null
    assert cp.cuda.Stream(null=True) == null
    assert 'null' in repr(null)


def test_new_streams():
    s = cp.cuda.Stream()
    assert s.ptr != 0 and s != cp.cuda.Stream.null and s == s
    assert hash(s) == hash(s) and s.device_id == 0 and not s.non_blocking
    assert repr(s) == '<Stream %#x (device 0)>' % s.ptr
    t = cp.cuda.Stream(non_blocking=True)
    assert t.non_blocking and t.ptr != s.ptr and t != s
    assert s != 'a stream'


def test_with_sets_and_restores_the_current_stream():
    s1, s2 = cp.cuda.Stream(), cp.cuda.Stream()
    with s1 as entered:
        assert entered is s1
        assert cp.cuda.get_current_stream() is s1
        with s2:
            assert cp.cuda.get_current_stream() is s2
            with s1:
                assert cp.cuda.get_current_stream() is s1
            assert cp.cuda.get_current_stream() is s2
        assert cp.cuda.get_current_stream() is s1
    assert cp.cuda.get_current_stream() == cp.cuda.Stream.null


def test_with_restores_after_an_exception():
    s = cp.cuda.Stream()
    with pytest.raises(ZeroDivisionError):
        with s:
            1 / 0
    assert cp.cuda.get_current_stream() == cp.cuda.Stream.null


def test_with_null_inside_another_stream():
    s = cp.cuda.Stream()
    with s:
        with cp.cuda.Stream.null:
            assert cp.cuda.get_current_stream() == cp.cuda.Stream.null
        assert cp.cuda.get_current_stream() is s


def test_use_sets_the_current_stream():
    s = cp.cuda.Stream()
    try:
        assert s.use() is s
        assert cp.cuda.get_current_stream() is s
        with cp.cuda.Stream() as inner:
            assert cp.cuda.get_current_stream() is inner
        assert cp.cuda.get_current_stream() is s
    finally:
        cp.cuda.Stream.null.use()
    assert cp.cuda.get_current_stream() == cp.cuda.Stream.null


def test_current_stream_is_per_thread():
    s_main, s_thread = cp.cuda.Stream(), cp.cuda.Stream()
    seen = {}
    entered = threading.Event()
    leave = threading.Event()

    def body():
        seen['start'] = cp.cuda.get_current_stream()
        with s_thread:
            entered.set()
            leave.wait(10)
            seen['inside'] = cp.cuda.get_current_stream()
        seen['end'] = cp.cuda.get_current_stream()

    with s_main:
        t = threading.Thread(target=body)
        t.start()
        entered.wait(10)
        assert cp.cuda.get_current_stream() is s_main     # not the thread's
        leave.set()
        t.join()
        assert cp.cuda.get_current_stream() is s_main
    assert seen['start'] == cp.cuda.Stream.null
    assert seen['inside'] is s_thread
    assert seen['end'] == cp.cuda.Stream.null


def test_many_threads_each_with_their_stream(rng):
    results = {}

    def body(k):
        s = cp.cuda.Stream()
        with s:
            h = np.full(1000, k, dtype=np.int32)
            a = cp.asarray(h)
            assert a.data.mem.stream is s
            results[k] = (cp.cuda.get_current_stream() is s, int(a.get().sum()))
        results[k] += (cp.cuda.get_current_stream() == cp.cuda.Stream.null,)

    threads = [threading.Thread(target=body, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: (True, 1000 * k, True) for k in range(8)}


def test_work_goes_to_the_current_stream(rng):
    s = cp.cuda.Stream()
    h = rng.standard_normal(10000)
    with s:
        a = cp.asarray(h)
        b = a.copy()
        b.fill(2.0)
    assert a.data.mem.stream is s and b.data.mem.stream is s
    s.synchronize()
    assert s.done
    np.testing.assert_array_equal(a.get(), h)


def test_synchronize_and_done():
    s = cp.cuda.Stream()
    with s:
        cp.zeros(1 << 20)
    s.synchronize()
    assert s.done is True
    cp.cuda.Stream.null.synchronize()
    assert cp.cuda.Stream.null.done is True


def test_record_and_wait_event():
    s1, s2 = cp.cuda.Stream(), cp.cuda.Stream()
    with s1:
        a = cp.arange(1 << 16, dtype=cp.float32)
    e = s1.record()
    assert isinstance(e, cp.cuda.Event)
    s2.wait_event(e)
    with s2:
        b = a.copy()
    same = cp.cuda.Event()
    assert s2.record(same) is same
    same.synchronize()
    assert same.done
    np.testing.assert_array_equal(b.get(), np.arange(1 << 16, dtype=np.float32))
    cp.cuda.Stream.null.wait_event(e)


def test_stream_bad_arguments():
    s = cp.cuda.Stream()
    with pytest.raises(TypeError, match='Event'):
        s.wait_event('e')
    with pytest.raises(TypeError, match='Event'):
        s.record(event=3)
    with pytest.raises(NotImplementedError):
        cp.cuda.Stream(ptds=True)
    with pytest.raises(TypeError):
        cp.empty(3).get(stream='s')


def test_exit_without_enter_is_an_error():
    errors = []

    def body():
        try:
            cp.cuda.Stream().__exit__(None, None, None)
        except RuntimeError as e:
            errors.append(str(e))
    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert errors and 'without' in errors[0]


def test_streams_are_freed():
    s = cp.cuda.Stream()
    alive = weakref.ref(s)
    with s:
        pass
    s.use()
    cp.cuda.Stream.null.use()
    del s
    gc.collect()
    assert alive() is None


def test_stream_refcounts_do_not_grow():
    s = cp.cuda.Stream()
    for _ in range(5):
        with s:
            cp.empty(10)
    before = sys.getrefcount(s)
    for _ in range(200):
        with s:
            a = cp.empty(10)
            a.fill(1.0)
            cp.cuda.get_current_stream()
            e = s.record()
            del a, e
    assert sys.getrefcount(s) == before


# -------------------------------------------------------------------- events

def test_event_defaults_and_flags():
    e = cp.cuda.Event()
    assert not e.block and not e.disable_timing and e.ptr != 0 and e.done
    f = cp.cuda.Event(block=True, disable_timing=True)
    assert f.block and f.disable_timing
    assert 'Event' in repr(e)


def test_event_record_synchronize_done():
    e = cp.cuda.Event()
    cp.zeros(1 << 20)
    e.record()
    e.synchronize()
    assert e.done
    s = cp.cuda.Stream()
    e.record(s)
    e.record(stream=cp.cuda.Stream.null)
    e.synchronize()


def test_elapsed_time(rng):
    start, end = cp.cuda.Event(), cp.cuda.Event()
    start.record()
    cp.asarray(rng.standard_normal(1 << 18)).get()
    end.record()
    ms = cp.cuda.get_elapsed_time(start, end)
    assert isinstance(ms, float) and ms >= 0.0
    s = cp.cuda.Stream()
    a, b = s.record(), s.record()
    assert cp.cuda.get_elapsed_time(a, b) >= 0.0


def test_elapsed_time_of_an_unrecorded_event_is_a_clear_error():
    start, end = cp.cuda.Event(), cp.cuda.Event()
    start.record()
    with pytest.raises(ValueError, match='end event has not been recorded'):
        cp.cuda.get_elapsed_time(start, end)
    with pytest.raises(ValueError, match='start event has not been recorded'):
        cp.cuda.get_elapsed_time(cp.cuda.Event(), start)


def test_elapsed_time_of_a_timing_disabled_event_is_a_clear_error():
    start, end = cp.cuda.Event(disable_timing=True), cp.cuda.Event()
    start.record()
    end.record()
    with pytest.raises(ValueError, match='disable_timing'):
        cp.cuda.get_elapsed_time(start, end)


def test_event_bad_arguments():
    with pytest.raises(NotImplementedError, match='interprocess'):
        cp.cuda.Event(interprocess=True)
    with pytest.raises(TypeError, match='Event'):
        cp.cuda.get_elapsed_time(1, cp.cuda.Event())
    with pytest.raises(TypeError, match='stream'):
        cp.cuda.Event().record(stream=5)


def test_threads_with_their_own_streams_allocate_compute_and_free():
    # Small blocks freed on a stream are reused on that stream only, and go
    # back when it is destroyed: threads that each make and drop streams
    # while computing must get right answers and leave nothing in use.
    pool = cp.get_default_memory_pool()
    used = pool.used_bytes()
    errors = []

    def work(seed):
        try:
            rng = np.random.default_rng(seed)
            for it in range(25):
                s = cp.cuda.Stream(non_blocking=bool(it % 2))
                with s:
                    h = rng.standard_normal(int(rng.integers(1, 5000))).astype(np.float32)
                    x = cp.asarray(h)
                    y = x * 2.0 + x
                    got = float((y - x).sum().get())
                    want = float((h.astype(np.float64) * 2).sum())
                    if abs(got - want) > 1e-3 * max(1.0, np.abs(h).sum()):
                        errors.append((seed, it, got, want))
                s.synchronize()
                del x, y, s
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pool.used_bytes() == used
