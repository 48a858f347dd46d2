"""Host backend: a kernel bug is an exception, never a dead process.

Each fault runs in a child interpreter (a memory fault leaves the device
unusable for the rest of the process, as on CUDA): the parent checks that
the child saw gpuarray.cuda.CUDADriverError with CUDA's name for the fault,
naming the kernel, block and thread, and that the child then exited
normally. The children run in parallel, so the file takes a few seconds.

Faults that leave nothing behind (assert, __trap, integer division by
zero, device free of a foreign pointer) are reported once and the device
stays usable: one child runs them in turn and checks a saxpy against NumPy
after each."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import gpuarray as ga
import gpuarray.cuda  # noqa: F401

from conftest import BACKEND

pytestmark = [pytest.mark.device,
              pytest.mark.skipif(BACKEND != 'host', reason='host backend faults (the active '
                                 'backend is %s; a GPU has compute-sanitizer)' % BACKEND)]

KERNELS = r'''
extern "C" __global__ void write_null(int *unused, int v) {
    int *p = 0;
    p[blockIdx.x * blockDim.x + threadIdx.x] = v;
}
extern "C" __global__ void read_first(const int *p, int *out) {
    out[threadIdx.x] = p[0];
}
extern "C" __global__ void write_far(int *p, long long offset) {
    if (blockIdx.x == 2 && threadIdx.x == 7) p[offset] = 1;
}
extern "C" __global__ void check_positive(const int *p, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) assert(p[i] > 0);
}
extern "C" __global__ void trap_at(int where) {
    if (blockIdx.x * blockDim.x + threadIdx.x == where) __trap();
}
extern "C" __global__ void divide(const int *a, const int *b, int *c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] / b[i];
}
__device__ int depth(volatile int n) {
    volatile char frame[512];
    frame[0] = (char)n;
    return n > 0 ? depth(n - 1) + frame[0] : 0;
}
extern "C" __global__ void recurse(int *out, int n, int sync) {
    if (sync) __syncthreads();
    out[threadIdx.x] = depth(n);
}
extern "C" __global__ void free_foreign(int *p) {
    if (threadIdx.x == 1) free(p);
}
extern "C" __global__ void saxpy(int n, float a, const float *x, float *y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
'''

# The child's helpers: run one launch, report what the next synchronizing
# call raised as a JSON line.
PREAMBLE = r'''
import json, sys
import numpy as np
import gpuarray as ga
import gpuarray.cuda
mod = ga.RawModule(code=KERNELS)
def launch(name, grid, block, args):
    try:
        mod.get_function(name)(grid, block, args)
        ga.cuda.Device().synchronize()
        return {'error': None}
    except Exception as e:
        return {'error': type(e).__module__ + '.' + type(e).__name__, 'msg': str(e)}
def report(**kw):
    print('RESULT ' + json.dumps(kw), flush=True)
def saxpy_ok():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(3000).astype(np.float32)
    y = rng.standard_normal(3000).astype(np.float32)
    dx, dy = ga.asarray(x), ga.asarray(y)
    mod.get_function('saxpy')((12,), (256,), (np.int32(3000), np.float32(2.5), dx, dy))
    return bool(np.allclose(dy.get(), 2.5 * x + y, rtol=1e-6))
'''


def child_env(**extra):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in sys.path if p)
    env['GPUARRAY_BACKEND'] = 'host'
    env.pop('GPUARRAY_HOST_CHECK', None)
    env.pop('GPUARRAY_HOST_FAULTS_STICKY', None)
    env.update(extra)
    return env


def run_children(scripts, timeout=120):
    """Start every child at once; returns {name: (returncode, results, output)}."""
    procs = {}
    for name, (body, env) in scripts.items():
        code = 'KERNELS = %r\n' % KERNELS + PREAMBLE + textwrap.dedent(body)
        procs[name] = subprocess.Popen([sys.executable, '-c', code], env=child_env(**env),
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
    out = {}
    for name, p in procs.items():
        try:
            text, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            text, _ = p.communicate()
        results = [json.loads(line[7:]) for line in text.splitlines() if line.startswith('RESULT ')]
        out[name] = (p.returncode, results, text)
    return out


STICKY = {
    # name: (child body, extra environment, CUDA name, words the message must hold)
    'null': ('report(**launch("write_null", (3,), (64,), (ga.zeros(4, dtype=np.int32), '
             'np.int32(5))))', {}, 'CUDA_ERROR_ILLEGAL_ADDRESS', ['address 0x0', 'NULL pointer']),
    'raw_integer': ('report(**launch("read_first", (1,), (4,), (12345, ga.zeros(4, dtype=np.int32))))',
                    {}, 'CUDA_ERROR_ILLEGAL_ADDRESS', ['0x3039']),
    'empty_array': ('report(**launch("read_first", (1,), (4,), (ga.zeros(0, dtype=np.int32), '
                    'ga.zeros(4, dtype=np.int32))))', {}, 'CUDA_ERROR_ILLEGAL_ADDRESS', ['0x0']),
    'far_out_of_bounds': ('report(**launch("write_far", (4,), (32,), (ga.zeros(16, dtype=np.int32), '
                          'np.int64(1 << 40))))', {}, 'CUDA_ERROR_ILLEGAL_ADDRESS',
                          ['block (2,0,0)', 'thread (7,0,0)']),
    'far_out_of_bounds_checked': ('report(**launch("write_far", (4,), (32,), '
                                  '(ga.zeros(16, dtype=np.int32), np.int64(1 << 40))))',
                                  {'GPUARRAY_HOST_CHECK': '1'}, 'CUDA_ERROR_ILLEGAL_ADDRESS',
                                  ['block (2,0,0)', 'thread (7,0,0)']),
    'fiber_stack_overflow': ('report(**launch("recurse", (1,), (32,), (ga.zeros(32, dtype=np.int32), '
                             'np.int32(1 << 22), np.int32(1))))', {}, 'CUDA_ERROR_ILLEGAL_ADDRESS',
                             ['stack overflow', 'GPUARRAY_HOST_STACK_KB']),
    'thread_stack_overflow': ('report(**launch("recurse", (1,), (32,), (ga.zeros(32, dtype=np.int32), '
                              'np.int32(1 << 22), np.int32(0))))', {}, 'CUDA_ERROR_ILLEGAL_ADDRESS',
                              ['stack overflow']),
}

# After the fault: the device's error is sticky (a launch and a synchronize
# report it again), and the child still exits normally.
STICKY_TAIL = r'''
try:
    mod.get_function('saxpy')((1,), (1,), (np.int32(0), np.float32(1), ga.zeros(1, np.float32),
                                           ga.zeros(1, np.float32)))
    ga.cuda.Device().synchronize()
    report(again=None)
except Exception as e:
    report(again=type(e).__name__, msg=str(e))
'''


def check_error(result, cuda_name, kernel, words):
    assert result['error'] == 'gpuarray.cuda.CUDADriverError', result
    msg = result['msg']
    assert msg.startswith(cuda_name), msg
    assert "kernel '%s'" % kernel in msg, msg
    assert 'block (' in msg and 'thread (' in msg, msg
    for w in words:
        assert w in msg, (w, msg)


def test_memory_faults_are_sticky_exceptions_and_the_process_lives():
    kernels = {'null': 'write_null', 'raw_integer': 'read_first', 'empty_array': 'read_first',
               'far_out_of_bounds': 'write_far', 'far_out_of_bounds_checked': 'write_far',
               'fiber_stack_overflow': 'recurse', 'thread_stack_overflow': 'recurse'}
    runs = run_children({name: (body + STICKY_TAIL, env)
                         for name, (body, env, _, _) in STICKY.items()})
    for name, (rc, results, text) in runs.items():
        assert rc == 0, '%s: the child died (%s)\n%s' % (name, rc, text[-3000:])
        assert len(results) == 2, (name, text[-3000:])
        _, _, cuda_name, words = STICKY[name]
        check_error(results[0], cuda_name, kernels[name], words)
        assert results[1]['again'] == 'CUDADriverError', (name, results[1])
        assert results[1]['msg'].startswith(cuda_name) and 'restart the process' in results[1]['msg']


ONCE = r'''
rng = np.random.default_rng(0)
a = rng.integers(1, 100, 1000).astype(np.int32)
a[777] = -3
r = launch('check_positive', (4,), (256,), (ga.asarray(a), np.int32(1000)))
report(case='assert', saxpy=saxpy_ok(), **r)
r = launch('trap_at', (8,), (128,), (np.int32(600),))
report(case='trap', saxpy=saxpy_ok(), **r)
b = rng.integers(1, 9, 1000).astype(np.int32)
b[123] = 0
r = launch('divide', (4,), (256,), (ga.asarray(a), ga.asarray(b), ga.zeros(1000, np.int32),
                                    np.int32(1000)))
report(case='divide_by_zero', saxpy=saxpy_ok(), **r)
a2 = np.full(64, -2**31, np.int32)
r = launch('divide', (1,), (64,), (ga.asarray(a2), ga.asarray(np.full(64, -1, np.int32)),
                                   ga.zeros(64, np.int32), np.int32(64)))
report(case='int_min_by_minus_one', saxpy=saxpy_ok(), **r)
r = launch('free_foreign', (1,), (32,), (ga.zeros(8, np.int32),))
report(case='free_foreign', saxpy=saxpy_ok(), **r)
'''


def test_faults_reported_once_leave_the_device_usable():
    (rc, results, text), = run_children({'once': (ONCE, {})}).values()
    assert rc == 0, text[-3000:]
    by = {r['case']: r for r in results}
    assert set(by) == {'assert', 'trap', 'divide_by_zero', 'int_min_by_minus_one',
                       'free_foreign'}, text[-3000:]
    check_error(by['assert'], 'CUDA_ERROR_ASSERT', 'check_positive',
                ['p[i] > 0', 'thread (9,0,0) of block (3,0,0)'])
    # CUDA's device-side message goes to stderr too
    assert 'block: [3,0,0], thread: [9,0,0] Assertion `p[i] > 0` failed.' in text
    check_error(by['trap'], 'CUDA_ERROR_LAUNCH_FAILED', 'trap_at',
                ['__trap()', 'thread (88,0,0) of block (4,0,0)'])
    check_error(by['divide_by_zero'], 'CUDA_ERROR_LAUNCH_FAILED', 'divide',
                ['integer division by zero', 'thread (123,0,0) of block (0,0,0)', 'stricter'])
    check_error(by['int_min_by_minus_one'], 'CUDA_ERROR_LAUNCH_FAILED', 'divide', ['SIGFPE'])
    check_error(by['free_foreign'], 'CUDA_ERROR_ILLEGAL_ADDRESS', 'free_foreign',
                ['device malloc() did not return', 'thread (1,0,0)'])
    for r in results:
        assert r['saxpy'] is True, r
        assert 'restart the process' not in r['msg']


DEVICE_HEAP = r'''
extern "C" __global__ void heap_roundtrip(int *out, int n) {
    int *q = (int *)malloc(n * sizeof(int));
    if (!q) { out[threadIdx.x] = -1; return; }
    for (int i = 0; i < n; i++) q[i] = threadIdx.x * n + i;
    int s = 0;
    for (int i = 0; i < n; i++) s += q[i];
    free(q);
    out[threadIdx.x] = s;
}
extern "C" __global__ void heap_too_big(int *out) {
    void *q = malloc((size_t)64 << 20);   /* more than the 8 MiB device heap */
    out[0] = q == 0;
    free(q);
}
extern "C" __global__ void big_locals(int *out) {
    volatile int a[50 * 1024];            /* 200 KiB per thread, live across a barrier */
    for (int i = 0; i < 50 * 1024; i += 1024) a[i] = threadIdx.x + i;
    __syncthreads();
    int s = 0;
    for (int i = 0; i < 50 * 1024; i += 1024) s += a[i];
    out[threadIdx.x] = s;
}
'''


def test_device_heap_and_large_locals_run_as_on_a_gpu():
    mod = ga.RawModule(code=DEVICE_HEAP)
    n = 37
    out = ga.zeros(64, dtype=np.int32)
    mod.get_function('heap_roundtrip')((1,), (64,), (out, np.int32(n)))
    t = np.arange(64)[:, None] * n + np.arange(n)[None, :]
    np.testing.assert_array_equal(out.get(), t.sum(axis=1))
    flag = ga.zeros(1, dtype=np.int32)
    mod.get_function('heap_too_big')((1,), (1,), (flag,))
    assert int(flag.get()[0]) == 1
    out = ga.zeros(128, dtype=np.int32)
    mod.get_function('big_locals')((2,), (128,), (out,))
    idx = np.arange(0, 50 * 1024, 1024)
    np.testing.assert_array_equal(out.get(), [(t + idx).sum() for t in range(128)])


@pytest.mark.parametrize('call', ['exit(1)', 'abort()'])
def test_exit_and_abort_are_compile_errors(call):
    src = 'extern "C" __global__ void k(int *p) { if (p[0]) %s; }' % call
    with pytest.raises(ga.cuda.compiler.CompileException) as e:
        ga.RawKernel(src, 'k').compile()
    assert 'host function' in str(e.value), str(e.value)[:2000]


FUZZ = r'''
import time
try:
    import hypothesis
except ImportError:
    report(skip=True)
    raise SystemExit(0)
from hypothesis import given, settings, strategies as st, HealthCheck
FUZZ_SRC = r"""
extern "C" __global__ void deref(const int *p, long long i, int *out) { atomicAdd(out, p[i]); }
extern "C" __global__ void gather(const float *x, const int *idx, int n, float *out) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < n) atomicAdd(out, x[idx[t]]);
}
extern "C" __global__ void chase(const long long *p, int steps, long long *out) {
    const long long *q = p;
    for (int s = 0; s < steps; s++) q = (const long long *)(*q);
    out[0] = (long long)q;
}
"""
fmod = ga.RawModule(code=FUZZ_SRC)
# Each kernel's parameters: ('r', dtype) a pointer it reads through, ('w', dtype)
# the one it writes to, 's32'/'s64' scalars. Reads go anywhere: a read of
# mapped memory is harmless and any other is caught. Writes go to a real
# array or to an address that is never mapped (NULL, a size-0 array, below
# 64 KiB): a wild write that lands in mapped memory cannot be caught on a
# CPU (CUDA has a separate address space), which is why memory faults are
# sticky and why this fuzz does not aim writes at random addresses.
SIGS = {'deref': [('r', np.int32), 's64', ('w', np.int32)],
        'gather': [('r', np.float32), ('r', np.int32), 's32', ('w', np.float32)],
        'chase': [('r', np.int64), 's32', ('w', np.int64)]}
dtypes = [np.int8, np.int32, np.int64, np.float32, np.float64]
def pointer(mode, dt, choice, v):
    if choice == 0:                       # the right dtype, any size (0 too)
        n = abs(v) % 9 if mode == 'r' else 1 + abs(v) % 4
        return ga.asarray((np.arange(n) * v).astype(dt))
    if choice == 1:                       # a raw address
        return abs(v) % (1 << 48) if mode == 'r' else abs(v) % 65536
    if choice == 2:
        return None
    if choice == 3:                       # a wrong dtype, or an empty array (NULL)
        return ga.zeros(abs(v) % 5, dtype=dtypes[abs(v) % len(dtypes)])
    if mode == 'w':
        return ga.zeros(0, dtype=dt)
    return ga.asarray(np.full(4, v, dtype=np.int64).astype(dt))   # big indices, addresses
def scalar(kind, choice, v):
    if choice == 3:
        return float(v)
    if choice == 4:
        return ga.zeros(1, np.int32)
    return np.int64(v) if kind == 's64' else np.int32(v % 100 if choice else v % (1 << 31))
arg = st.tuples(st.integers(0, 4), st.integers(-2**40, 2**40))
def build(name, picks, extra):
    vals = []
    for p, (choice, v) in zip(SIGS[name], picks):
        vals.append(scalar(p, choice, v) if isinstance(p, str) else pointer(p[0], p[1], choice, v))
    return tuple(vals[:extra] if extra < 0 else vals + [np.int32(1)] * extra)
counts = {'ok': 0, 'driver': 0, 'other': 0}
t_end = time.monotonic() + float(sys.argv[1] if len(sys.argv) > 1 else 4)
@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(SIGS)), st.lists(arg, min_size=4, max_size=4),
       st.sampled_from([0, 0, 0, 0, -1, 1]), st.integers(1, 3), st.integers(1, 70))
def fuzz(name, picks, extra, grid, block):
    if time.monotonic() > t_end:
        return
    vals = build(name, picks, extra)
    try:
        fmod.get_function(name)((grid,), (block,), vals)
        ga.cuda.Device().synchronize()
        counts['ok'] += 1
    except ga.cuda.CUDADriverError:
        counts['driver'] += 1
    except (TypeError, ValueError, OverflowError):
        counts['other'] += 1
fuzz()
report(**counts)
'''


def test_fuzz_kernel_arguments_never_kill_the_process():
    """Random argument tuples (arrays of any dtype and size, integers where
    pointers go, None, wrong counts) against kernels that dereference them:
    every outcome is a result or an exception. Bounded at ~4 s."""
    (rc, results, text), = run_children(
        {'fuzz': (FUZZ, {'GPUARRAY_HOST_FAULTS_STICKY': '0'})}, timeout=90).values()
    assert rc == 0, 'the fuzzing child died (%s)\n%s' % (rc, text[-3000:])
    assert results, text[-3000:]
    if results[-1].get('skip'):
        pytest.skip('needs hypothesis (PyPI: hypothesis, Debian: python3-hypothesis)')
    c = results[-1]
    assert c['ok'] + c['driver'] + c['other'] > 50, c
    assert c['driver'] > 0, c       # real faults were met and survived
