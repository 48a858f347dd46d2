#!/usr/bin/env python3
"""bench.py - gpuarray beside plain C on the CUDA driver API, CuPy and PyTorch,
in one run on one GPU (`make bench`). Prints one table last, with the ratios
gpuarray/C and gpuarray/CuPy and the target of each row (the ROWS list below), and
writes it to benchmarks/results/latest.md (and $OUT/bench.md when OUT is set).

Each framework runs in its own subprocess with a time limit, so one that is
missing, fails or hangs costs its own column only. Inside a worker each
measurement is guarded too: a failure prints `! name: error` and the row
shows `err`.

Method: the same kernels (SOURCE) and sizes as benchmarks/c_driver_bench.c;
warm-up first; time.perf_counter around N operations closed by a
synchronize, or device events for device-side rates; the median of several
repeats; inputs never all zeros.

    bench.py                 everything (about 2-3 minutes)
    bench.py --only gpuarray,c
    bench.py --worker NAME   one framework's measurements, as `name value unit`
    BENCH_QUICK=1 bench.py   small sizes and counts: checks the script, not the GPU
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SOURCE = r'''extern "C" __global__ void empty_kernel() {}
extern "C" __global__ void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
'''

LAUNCHES = 10000        # back-to-back launches per repeat
REPEATS = 7
ROUND_TRIPS = 2000
SMALL_COPIES = 2000
ALLOCS = 10000
SAXPY_SMALL_N = 4096    # launch-bound saxpy (as c_driver_bench.c)
BIG_N = 25_000_000      # float32: 100 MB
BIG_BYTES = BIG_N * 4
BIG_REPEATS = 10
SAXPY_BIG_N = 64 << 20
DTOD_N = 64 << 20       # float32: 256 MB

if os.environ.get("BENCH_QUICK"):  # a smoke test of the script itself, not numbers
    LAUNCHES, REPEATS, ROUND_TRIPS, SMALL_COPIES, ALLOCS = 200, 3, 100, 100, 200
    BIG_N, BIG_REPEATS, SAXPY_BIG_N, DTOD_N = 1 << 20, 3, 1 << 20, 1 << 20
    BIG_BYTES = BIG_N * 4

# Rows a framework may lack without that being a failure (shown as n/a):
# elementwise arithmetic is not part of gpuarray's first issue.
OPTIONAL_ROWS = {"add_tiny"}

FRAMEWORKS = ["c", "gpuarray", "cupy", "torch"]
COLUMNS = {"c": "C", "gpuarray": "gpuarray", "cupy": "CuPy", "torch": "PyTorch"}

# key, what, unit, target: (against, op, factor) with against in
# {"c", "cupy", "abs", "numpy+"}; None = no target.
ROWS = [
    ("launch_empty", "launch, empty kernel, back to back", "us", ("c", "<=", 1.10)),
    ("launch_saxpy", "launch, saxpy 4 args, Python scalars", "us", ("c", "<=", 1.10)),
    ("launch_saxpy_np", "launch, saxpy 4 args, NumPy scalars", "us", ("c", "<=", 1.10)),
    ("launch_sync", "launch + stream sync round trip", "us", ("c", "<=", 1.10)),
    ("add_tiny", "x + y, 16 elements, incl. output alloc", "us", ("abs", "<=", 6.0)),
    ("htod_4b", "htod 4 B (set)", "us", ("c", "<=", 1.5)),
    ("dtoh_4b", "dtoh 4 B (.get() of 1 element)", "us", ("c", "<=", 1.3)),
    ("htod_100mb_pageable", "htod 100 MB from pageable NumPy", "GB/s", ("cupy", ">=", 2.0)),
    ("dtoh_100mb_new", "dtoh 100 MB into a new NumPy array", "GB/s", ("cupy", ">=", 3.0)),
    ("dtoh_100mb_pageable", "dtoh 100 MB into a reused pageable array", "GB/s", None),
    ("htod_100mb_pinned", "htod 100 MB from pinned", "GB/s", ("c", ">=", 0.95)),
    ("dtoh_100mb_pinned", "dtoh 100 MB to pinned", "GB/s", ("c", ">=", 0.95)),
    ("empty_1mb", "empty(1 MB) and free", "us", ("abs", "<=", 1.0)),
    ("alloc_free_sync_1mb", "cuMemAlloc + cuMemFree 1 MB (reference)", "us", None),
    ("saxpy_64m", "saxpy 64M float32 (12 B/elem)", "GB/s", ("c", ">=", 0.98)),
    ("dtod_256mb", "device-to-device copy 256 MB (read+write)", "GB/s", ("c", ">=", 0.95)),
    ("compile_first", "compile saxpy, first in process", "ms", ("c", "<=", 1.1)),
    ("compile_next", "compile a new source, compiler warm", "ms", ("c", "<=", 1.1)),
    ("compile_next_load", "compile a new source and load it, compiler warm", "ms",
     ("c", "<=", 1.1)),
    ("compile_mem", "same kernel again, in-memory cache", "ms", ("abs", "<=", 0.02)),
    ("compile_disk", "same kernel, new process, disk cache", "ms", ("abs", "<=", 1.0)),
    ("module_load", "load the compiled module", "ms", None),
    ("import", "import, fresh process", "s", ("numpy+", "<=", 0.05)),
]


# ------------------------------------------------------------ worker side

def emit(name, value, unit):
    print(f"{name} {value:.6g} {unit}", flush=True)


def info(msg):
    print(f"# {msg}", flush=True)


def guarded(name, fn, *args):
    try:
        fn(*args)
    except Exception as e:  # one measurement failing costs its row only
        msg = f"{type(e).__name__}: {e}".replace("\n", " ")[:300]
        print(f"! {name}: {msg}", flush=True)


def median(xs):
    return statistics.median(xs)


def per_op_us(body, count, sync, repeats=REPEATS):
    """Median over repeats of (count calls of body, then sync) / count."""
    body(max(1, count // 10))
    sync()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        body(count)
        sync()
        ts.append((time.perf_counter() - t0) / count * 1e6)
    return median(ts)


def gbps(op, sync, nbytes, repeats=BIG_REPEATS):
    op()
    sync()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        op()
        sync()
        ts.append(nbytes / (time.perf_counter() - t0) / 1e9)
    return median(ts)


class Api:
    """What the measurements need from a framework. Missing pieces raise."""
    name = "?"
    sync = None
    empty_kernel = saxpy = None

    def launch_loop(self, k, grid, block, args):
        def body(n):
            for _ in range(n):
                k(grid, block, args)
        return per_op_us(body, LAUNCHES, self.sync)


def measure_launches(api, np):
    """The launch rows (LAUNCH_KEYS)."""
    sync = api.sync
    n = SAXPY_SMALL_N
    grid, block = ((n + 255) // 256,), (256,)

    guarded("launch_empty", lambda: emit(
        "launch_empty", api.launch_loop(api.empty_kernel, (1,), (1,), ()), "us"))

    def saxpy(key, nn, aa):
        x = api.asarray(np.ones(n, dtype=np.float32))
        y = api.asarray(np.full(n, 3.0, dtype=np.float32))
        api.saxpy(grid, block, (nn, aa, x, y))
        sync()
        info(f"{api.name} saxpy with {type(nn).__name__}/{type(aa).__name__} scalars: "
             f"y[0] = {float(api.tonumpy(y)[0])} (5.0 expected)")
        emit(key, api.launch_loop(api.saxpy, grid, block, (nn, aa, x, y)), "us")

    guarded("launch_saxpy", saxpy, "launch_saxpy", n, 2.0)
    guarded("launch_saxpy_np", saxpy, "launch_saxpy_np", np.int32(n), np.float32(2.0))

    def launch_sync():
        k = api.empty_kernel

        def body(count):
            for _ in range(count):
                k((1,), (1,), ())
                sync()
        emit("launch_sync", per_op_us(body, ROUND_TRIPS, sync, 5), "us")
    guarded("launch_sync", launch_sync)


def measure_common(api, np):
    """The measurements every array framework shares (gpuarray, CuPy)."""
    sync = api.sync
    measure_launches(api, np)

    def add_tiny():
        x = api.asarray(np.random.rand(16).astype(np.float32))
        y = api.asarray(np.random.rand(16).astype(np.float32))

        def body(count):
            for _ in range(count):
                x + y
        emit("add_tiny", per_op_us(body, LAUNCHES, sync, 5), "us")
    guarded("add_tiny", add_tiny)

    def small_copies():
        h = np.array([1.5], dtype=np.float32)
        d = api.asarray(h)

        def htod(count):
            for _ in range(count):
                d.set(h)

        def dtoh(count):
            for _ in range(count):
                d.get()
        emit("htod_4b", per_op_us(htod, SMALL_COPIES, sync, 5), "us")
        emit("dtoh_4b", per_op_us(dtoh, SMALL_COPIES, sync, 5), "us")
    guarded("htod_4b", small_copies)

    host = np.random.rand(BIG_N).astype(np.float32)
    d = api.asarray(host)
    guarded("htod_100mb_pageable", lambda: emit(
        "htod_100mb_pageable", gbps(lambda: d.set(host), sync, BIG_BYTES), "GB/s"))
    guarded("dtoh_100mb_new", lambda: emit(
        "dtoh_100mb_new", gbps(lambda: d.get(), sync, BIG_BYTES), "GB/s"))
    out = np.empty_like(host)
    guarded("dtoh_100mb_pageable", lambda: emit(
        "dtoh_100mb_pageable", gbps(lambda: d.get(out=out), sync, BIG_BYTES), "GB/s"))

    def pinned():
        p = api.empty_pinned((BIG_N,), np.float32)
        p[...] = host
        emit("htod_100mb_pinned", gbps(lambda: d.set(p), sync, BIG_BYTES), "GB/s")
        emit("dtoh_100mb_pinned", gbps(lambda: d.get(out=p), sync, BIG_BYTES), "GB/s")
    guarded("htod_100mb_pinned", pinned)
    d = out = None  # frees the 100 MB device array before the next measurements

    def empty_1mb():
        empty, f32 = api.empty, np.float32

        def body(count):
            for _ in range(count):
                empty(262144, dtype=f32)
        emit("empty_1mb", per_op_us(body, ALLOCS, sync, 5), "us")
    guarded("empty_1mb", empty_1mb)

    def saxpy_big():
        x = api.full(SAXPY_BIG_N, 1.25, np.float32)
        y = api.full(SAXPY_BIG_N, -0.5, np.float32)
        g = ((SAXPY_BIG_N + 255) // 256,)
        args = (np.int32(SAXPY_BIG_N), np.float32(2.0), x, y)
        ms = api.event_ms(lambda: [api.saxpy(g, (256,), args) for _ in range(10)])
        emit("saxpy_64m", 12.0 * SAXPY_BIG_N * 10 / (ms * 1e-3) / 1e9, "GB/s")
    guarded("saxpy_64m", saxpy_big)

    def dtod():
        s = api.full(DTOD_N, 1.5, np.float32)
        ms = api.event_ms(lambda: [s.copy() for _ in range(10)])
        emit("dtod_256mb", 2.0 * DTOD_N * 4 * 10 / (ms * 1e-3) / 1e9, "GB/s")
    guarded("dtod_256mb", dtod)


def event_ms_with(Event, elapsed, sync):
    def event_ms(work):
        work()
        sync()
        ts = []
        for _ in range(REPEATS):
            e0, e1 = Event(), Event()
            e0.record()
            work()
            e1.record()
            e1.synchronize()
            ts.append(elapsed(e0, e1))
        return median(ts)
    return event_ms


def gpuarray_api():
    import gpuarray as ga
    cuda = ga.cuda
    api = Api()
    api.name = "gpuarray"
    try:
        api.sync = cuda.Stream.null.synchronize
    except AttributeError:
        api.sync = lambda: cuda.Device().synchronize()
    dev = cuda.Device(0)
    info(f"gpuarray {getattr(ga, '__version__', '?')} on {dev.name}, "
         f"cc {dev.compute_capability}")
    try:
        mod = ga.RawModule(code=SOURCE)
        api.empty_kernel = mod.get_function("empty_kernel")
        api.saxpy = mod.get_function("saxpy")
    except Exception as e:
        info(f"RawModule failed ({e}); using RawKernel")
        api.empty_kernel = ga.RawKernel(SOURCE, "empty_kernel")
        api.saxpy = ga.RawKernel(SOURCE, "saxpy")
    api.asarray = ga.asarray
    api.tonumpy = ga.asnumpy
    api.empty = ga.empty
    api.empty_pinned = ga.empty_pinned
    api.full = lambda n, v, dt: ga.full((n,), v, dtype=dt)
    api.event_ms = event_ms_with(cuda.Event, cuda.get_elapsed_time, api.sync)
    return api


def worker_gpuarray():
    import numpy as np
    measure_common(gpuarray_api(), np)
    compile_pair("gpuarray")


def launch_worker_gpuarray():
    import numpy as np
    measure_launches(gpuarray_api(), np)


#: The launch rows, measured again after the workers in LAUNCH_ROUNDS
#: alternating rounds (C, gpuarray, C, gpuarray, ...: bench_launch.py's
#: method), whose medians the table gives: one process of each measured
#: once differs by more than the launch cost itself (1.42x in one run
#: where alternating rounds gave 1.05x).
LAUNCH_KEYS = ("launch_empty", "launch_saxpy", "launch_saxpy_np", "launch_sync")
LAUNCH_ROUNDS = int(os.environ.get("BENCH_LAUNCH_ROUNDS", "5"))


def alternate_launches(c_bin, rounds, deadline):
    """{'c': {key: [per round]}, 'gpuarray': {...}} from rounds of the C
    binary's --launch-only and gpuarray's --launch-worker, alternating, as
    far as the deadline allows."""
    runs = {"c": {}, "gpuarray": {}}
    cmds = {"c": [c_bin, "--launch-only"],
            "gpuarray": [sys.executable, os.path.abspath(__file__), "--launch-worker"]}
    for r in range(rounds):
        for fw in ("c", "gpuarray") if r % 2 == 0 else ("gpuarray", "c"):
            limit = int(deadline - time.perf_counter())
            if limit < 5:
                return runs
            vals, _, _, reason = run_proc(cmds[fw], min(limit, 60), COLUMNS[fw])
            if reason:
                return runs
            for k in LAUNCH_KEYS:
                if k in vals:
                    runs[fw].setdefault(k, []).append(vals[k])
    return runs


def worker_cupy():
    import numpy as np
    import cupy as cp
    import cupyx
    api = Api()
    api.name = "CuPy"
    api.sync = cp.cuda.Stream.null.synchronize
    dev = cp.cuda.Device(0)
    props = cp.cuda.runtime.getDeviceProperties(0)
    info(f"CuPy {cp.__version__} on {props['name'].decode()}, cc {dev.compute_capability}")
    mod = cp.RawModule(code=SOURCE)
    api.empty_kernel = mod.get_function("empty_kernel")
    api.saxpy = mod.get_function("saxpy")
    api.asarray = cp.asarray
    api.tonumpy = cp.asnumpy
    api.empty = cp.empty
    api.empty_pinned = lambda shape, dt: cupyx.empty_pinned(shape, dtype=dt)
    api.full = lambda n, v, dt: cp.full((n,), v, dtype=dt)
    api.event_ms = event_ms_with(cp.cuda.Event, cp.cuda.get_elapsed_time, api.sync)
    measure_common(api, np)
    compile_pair("cupy")


def worker_torch():
    import numpy as np
    import torch
    if not torch.cuda.is_available():
        raise RuntimeError("torch.cuda.is_available() is False")
    cuda = torch.device("cuda")
    sync = torch.cuda.synchronize
    info(f"PyTorch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    n = SAXPY_SMALL_N

    def launch_saxpy():
        x = torch.ones(n, device=cuda)
        y = torch.full((n,), 3.0, device=cuda)
        info(f"PyTorch torch.add(y, x, alpha=2.0)[0] = {torch.add(y, x, alpha=2.0)[0].item()}")

        def body(count):
            for _ in range(count):
                torch.add(y, x, alpha=2.0)
        emit("launch_saxpy", per_op_us(body, LAUNCHES, sync), "us")
    guarded("launch_saxpy", launch_saxpy)

    def add_tiny():
        x = torch.rand(16, device=cuda)
        y = torch.rand(16, device=cuda)

        def body(count):
            for _ in range(count):
                x + y
        emit("add_tiny", per_op_us(body, LAUNCHES, sync, 5), "us")
    guarded("add_tiny", add_tiny)

    def small_copies():
        h = torch.tensor([1.5])
        d = h.to(cuda)

        def htod(count):
            for _ in range(count):
                d.copy_(h)

        def dtoh(count):
            for _ in range(count):
                d.cpu()
        emit("htod_4b", per_op_us(htod, SMALL_COPIES, sync, 5), "us")
        emit("dtoh_4b", per_op_us(dtoh, SMALL_COPIES, sync, 5), "us")
    guarded("htod_4b", small_copies)

    host = torch.from_numpy(np.random.rand(BIG_N).astype(np.float32))
    d = host.to(cuda)
    guarded("htod_100mb_pageable", lambda: emit(
        "htod_100mb_pageable", gbps(lambda: host.to(cuda), sync, BIG_BYTES), "GB/s"))
    guarded("dtoh_100mb_new", lambda: emit(
        "dtoh_100mb_new", gbps(lambda: d.cpu(), sync, BIG_BYTES), "GB/s"))
    out = torch.empty_like(host)
    guarded("dtoh_100mb_pageable", lambda: emit(
        "dtoh_100mb_pageable", gbps(lambda: out.copy_(d), sync, BIG_BYTES), "GB/s"))

    def pinned():
        p = host.pin_memory()
        emit("htod_100mb_pinned", gbps(lambda: p.to(cuda), sync, BIG_BYTES), "GB/s")
        emit("dtoh_100mb_pinned", gbps(lambda: p.copy_(d), sync, BIG_BYTES), "GB/s")
    guarded("htod_100mb_pinned", pinned)
    d = out = None  # frees the 100 MB device array before the next measurements

    def empty_1mb():
        def body(count):
            for _ in range(count):
                torch.empty(262144, device=cuda)
        emit("empty_1mb", per_op_us(body, ALLOCS, sync, 5), "us")
    guarded("empty_1mb", empty_1mb)

    def Event():
        return torch.cuda.Event(enable_timing=True)
    event_ms = event_ms_with(Event, lambda a, b: a.elapsed_time(b), sync)

    def saxpy_big():
        x = torch.full((SAXPY_BIG_N,), 1.25, device=cuda)
        y = torch.full((SAXPY_BIG_N,), -0.5, device=cuda)
        ms = event_ms(lambda: [y.add_(x, alpha=2.0) for _ in range(10)])
        emit("saxpy_64m", 12.0 * SAXPY_BIG_N * 10 / (ms * 1e-3) / 1e9, "GB/s")
    guarded("saxpy_64m", saxpy_big)

    def dtod():
        s = torch.full((DTOD_N,), 1.5, device=cuda)
        ms = event_ms(lambda: [s.clone() for _ in range(10)])
        emit("dtod_256mb", 2.0 * DTOD_N * 4 * 10 / (ms * 1e-3) / 1e9, "GB/s")
    guarded("dtod_256mb", dtod)


# ------------------------------------------------------ compile worker

def compile_pair(fw):
    """Compile timings in fresh processes sharing one fresh disk cache: the
    first (cold cache, first compile in the process, then new sources and the
    in-memory cache), the second (disk cache)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{fw}-cache-") as cache:
        env = dict(os.environ, GPUARRAY_CACHE_DIR=cache, CUPY_CACHE_DIR=cache)
        for phase in ("cold", "disk"):
            try:
                r = subprocess.run([sys.executable, os.path.abspath(__file__),
                                    "--compile-worker", fw, phase],
                                   capture_output=True, text=True, env=env, timeout=90)
                sys.stdout.write(r.stdout)
                if r.returncode != 0:
                    tail = (r.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"! compile_{phase}: exit {r.returncode}: {tail}", flush=True)
            except subprocess.TimeoutExpired:
                print(f"! compile_{phase}: timed out", flush=True)
            sys.stdout.flush()


def compile_worker(fw, phase):
    if fw == "gpuarray":
        import gpuarray as m
        m.empty(1)
        m.cuda.Stream.null.synchronize()

        def build(src):
            k = m.RawKernel(src, "saxpy")
            if hasattr(k, "compile"):
                k.compile()
            else:
                k.num_regs  # noqa: B018 - forces compile and load
            return k

        def compile_only(src):
            # NVRTC and the caches, no module load: what C's compile_next times
            return m.RawKernel(src, "saxpy").cubin
    else:
        import cupy as m
        m.empty(1)
        m.cuda.Stream.null.synchronize()

        def build(src):
            k = m.RawKernel(src, "saxpy")
            k.compile()
            return k
        compile_only = build        # CuPy's compile() loads too: its row says so

    def timed(src, fn=None):
        t0 = time.perf_counter()
        (fn or build)(src)
        return (time.perf_counter() - t0) * 1e3

    if phase == "disk":
        emit("compile_disk", timed(SOURCE), "ms")
        return
    emit("compile_first", timed(SOURCE), "ms")
    # compile_next: like C's row, compile only (gpuarray; CuPy's includes its
    # load); compile_next_load: compile, load and find the kernel, as C's
    emit("compile_next", median(
        [timed(f"// fresh source {i} {time.time_ns()}\n" + SOURCE, compile_only)
         for i in range(5)]), "ms")
    emit("compile_next_load", median(
        [timed(f"// fresh loaded source {i} {time.time_ns()}\n" + SOURCE) for i in range(5)]),
        "ms")
    emit("compile_mem", median([timed(SOURCE) for _ in range(20)]), "ms")


# ------------------------------------------------------- orchestrator side

def cuda_probe():
    """(device count, why not) through the driver itself, no framework."""
    path = os.environ.get("GPUARRAY_LIBCUDA", "libcuda.so.1")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return 0, f"no CUDA driver ({e})"
    r = lib.cuInit(0)
    if r != 0:
        name = ctypes.c_char_p()
        lib.cuGetErrorName(r, ctypes.byref(name))
        return 0, f"cuInit failed: {(name.value or b'?').decode()}"
    n = ctypes.c_int(0)
    lib.cuDeviceGetCount(ctypes.byref(n))
    return (n.value, "") if n.value else (0, "no CUDA device")


def parse(text):
    values, infos, errors = {}, [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            infos.append(line[1:].strip())
        elif line.startswith("!"):
            errors.append(line[1:].strip())
        else:
            parts = line.split()
            if len(parts) == 3:
                try:
                    values[parts[0]] = float(parts[1])
                    continue
                except ValueError:
                    pass
            infos.append(line)
    return values, infos, errors


def run_proc(cmd, timeout, label):
    """Run a worker; (values, infos, errors, skipped reason or None)."""
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        values, infos, errors = parse(out)
        errors.append(f"{label}: timed out after {timeout} s")
        return values, infos, errors, None
    except OSError as e:
        return {}, [], [], f"cannot run: {e}"
    values, infos, errors = parse(r.stdout)
    dt = time.perf_counter() - t0
    if r.returncode == 77:
        reason = next((i for i in infos if i.startswith("skipped")), "skipped")
        return values, infos, errors, reason
    if r.returncode != 0:
        tail = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
        if not values:
            return values, infos, errors, f"failed: {tail[:200]}"
        errors.append(f"{label}: exit {r.returncode}: {tail[:200]}")
    infos.append(f"{label}: {dt:.1f} s")
    return values, infos, errors, None


def import_times(frameworks, available, deadline):
    """Import time of each module in a fresh process (median; numpy too),
    as far as the deadline allows."""
    code = ("import time, sys; t = time.perf_counter(); __import__(sys.argv[1]); "
            "print(time.perf_counter() - t)")
    out = {}
    # Bytecode caches as a user has them: numpy's were written at install,
    # gpuarray's (built in place) by the first, uncounted run below, which
    # PYTHONDONTWRITEBYTECODE (set on some machines) would prevent.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for fw, module, runs in (("numpy", "numpy", 5), ("gpuarray", "gpuarray", 5),
                             ("cupy", "cupy", 3), ("torch", "torch", 3)):
        if fw != "numpy" and (fw not in frameworks or not available.get(fw)):
            continue
        ts = []
        for i in range(runs + 1):  # the first writes bytecode caches: not counted
            if time.perf_counter() > deadline - (10 if fw == "torch" else 2):
                break
            try:
                r = subprocess.run([sys.executable, "-c", code, module], capture_output=True,
                                   text=True, timeout=60, cwd=ROOT, env=env)
                if r.returncode == 0 and i > 0:
                    ts.append(float(r.stdout.strip()))
            except (subprocess.TimeoutExpired, ValueError):
                pass
        if ts:
            out[fw] = median(ts)
    return out


def fmt(v):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def verdict(target, g, c, cp, numpy_s):
    if target is None or not isinstance(g, float):
        return ""
    against, op, factor = target
    ref = {"c": c, "cupy": cp, "abs": 1.0, "numpy+": numpy_s}.get(against)
    if not isinstance(ref, float):
        return ""
    bound = ref + factor if against == "numpy+" else ref * factor
    ok = g <= bound if op == "<=" else g >= bound
    return "ok" if ok else "MISS"


def target_text(target):
    if target is None:
        return ""
    against, op, factor = target
    if against == "abs":
        return f"{op} {factor:g}"
    if against == "numpy+":
        return f"{op} numpy + {factor:g}"
    return f"{op} {factor:g}x {COLUMNS[against]}"


def table(results, numpy_s):
    head = ["measurement", "unit", "C", "gpuarray", "CuPy", "PyTorch",
            "gpuarray/C", "gpuarray/CuPy", "target", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, what, unit, target in ROWS:
        cells = [results[fw].get(key) for fw in FRAMEWORKS]
        if all(v is None for v in cells):
            continue
        c, g, cp, _ = cells
        rc = f"{g / c:.2f}x" if isinstance(g, float) and isinstance(c, float) and c else "–"
        rcp = f"{g / cp:.2f}x" if isinstance(g, float) and isinstance(cp, float) and cp else "–"
        lines.append("| " + " | ".join([what, unit] + [fmt(v) for v in cells] +
                                       [rc, rcp, target_text(target),
                                        verdict(target, g, c, cp, numpy_s)]) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", choices=["gpuarray", "cupy", "torch"])
    ap.add_argument("--compile-worker", nargs=2, metavar=("FW", "PHASE"))
    ap.add_argument("--launch-worker", action="store_true",
                    help="gpuarray's launch rows only (the alternating rounds)")
    ap.add_argument("--only", default=",".join(FRAMEWORKS),
                    help="comma-separated subset of " + ",".join(FRAMEWORKS))
    ap.add_argument("--timeout", type=int, default=120, help="seconds per framework at most")
    ap.add_argument("--budget", type=int, default=int(os.environ.get("BENCH_BUDGET", "210")),
                    help="seconds for the whole run (default $BENCH_BUDGET or 210): "
                         "later frameworks keep a share, so the table always prints")
    args = ap.parse_args()

    if args.worker:
        {"gpuarray": worker_gpuarray, "cupy": worker_cupy, "torch": worker_torch}[args.worker]()
        return 0
    if args.compile_worker:
        compile_worker(*args.compile_worker)
        return 0
    if args.launch_worker:
        launch_worker_gpuarray()
        return 0

    frameworks = [f for f in args.only.split(",") if f in FRAMEWORKS]
    ngpu, why = cuda_probe()
    if not ngpu:
        print(f"bench: nothing to measure: {why}. The benchmarks need a CUDA GPU "
              "(scripts/gpu_check.sh runs them on the lent GPU machine).")
        return 0

    t_start = time.perf_counter()
    results = {fw: {} for fw in FRAMEWORKS}
    notes, errors, available = [], {}, {}
    c_bin = os.environ.get("C_DRIVER_BENCH", os.path.join(ROOT, "build", "c_driver_bench"))
    # Each worker's cap (a normal run takes 10 to 40 s each); within the
    # budget, 20 s stay for the import times and 10 s for each later worker.
    caps = {"c": 60, "gpuarray": 120, "cupy": 90, "torch": 90}

    def time_left(fw, after):
        left = args.budget - (time.perf_counter() - t_start) - 20 - 10 * len(after)
        return int(min(args.timeout, caps[fw], left))

    for i, fw in enumerate(frameworks):
        limit = time_left(fw, frameworks[i + 1:])
        print(f"== {COLUMNS[fw]} (limit {limit} s)", flush=True)
        if limit < 10:
            print("   not measured: the time budget is spent")
            notes.append(f"{COLUMNS[fw]}: not measured: the time budget (--budget) is spent")
            available[fw] = False
            continue
        if fw == "c":
            if not os.path.exists(c_bin):
                reason = f"{os.path.relpath(c_bin, ROOT)} not built (needs the CUDA toolkit's cuda.h and NVRTC)"
                vals, infos, errs = {}, [], []
            else:
                vals, infos, errs, reason = run_proc([c_bin], limit, "C")
        else:
            module = {"gpuarray": "gpuarray", "cupy": "cupy", "torch": "torch"}[fw]
            probe = subprocess.run([sys.executable, "-c", f"import {module}"],
                                   capture_output=True, text=True, cwd=ROOT)
            if probe.returncode != 0:
                tail = (probe.stderr.strip().splitlines() or ["?"])[-1]
                vals, infos, errs, reason = {}, [], [], f"import {module} failed: {tail}"
            else:
                vals, infos, errs, reason = run_proc(
                    [sys.executable, os.path.abspath(__file__), "--worker", fw],
                    limit, COLUMNS[fw])
        available[fw] = reason is None
        results[fw].update(vals)
        for i in infos:
            print(f"   {i}")
            notes.append(f"{COLUMNS[fw]}: {i}")
        for e in errs:
            print(f"   ERROR {e}")
            key = e.split(":")[0]
            if key in dict((r[0], r) for r in ROWS):
                results[fw].setdefault(key, "n/a" if key in OPTIONAL_ROWS else "err")
        errors[fw] = [e for e in errs if e.split(":")[0] not in OPTIONAL_ROWS]
        if reason:
            print(f"   not measured: {reason}")
            notes.append(f"{COLUMNS[fw]}: not measured: {reason}")
        for k, v in sorted(vals.items()):
            print(f"   {k} = {v:.4g}")

    if available.get("c") and available.get("gpuarray") and LAUNCH_ROUNDS > 0:
        print(f"== launch rows, {LAUNCH_ROUNDS} alternating rounds of C and gpuarray", flush=True)
        runs = alternate_launches(c_bin, LAUNCH_ROUNDS, t_start + args.budget - 25)
        for k in LAUNCH_KEYS:
            cs, gs = runs["c"].get(k, []), runs["gpuarray"].get(k, [])
            if not cs or not gs:
                continue
            results["c"][k], results["gpuarray"][k] = median(cs), median(gs)
            line = (f"{k}: medians of {len(cs)} alternating rounds, C {median(cs):.3f} us "
                    f"({min(cs):.3f}..{max(cs):.3f}), gpuarray {median(gs):.3f} us "
                    f"({min(gs):.3f}..{max(gs):.3f}), {median(gs) / median(cs):.2f}x")
            print(f"   {line}")
            notes.append(line)

    print("== import times", flush=True)
    imports = import_times(frameworks, available,
                           deadline=t_start + args.budget - 5)
    for fw, v in imports.items():
        print(f"   import {fw}: {v:.3f} s")
        if fw in results:
            results[fw]["import"] = v
    numpy_s = imports.get("numpy")

    elapsed = time.perf_counter() - t_start
    text = table(results, numpy_s)
    header = [
        f"Benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {elapsed:.0f} s "
        f"(benchmarks/bench.py; medians; us/ms/s lower is better, GB/s higher is better)",
        "",
    ] + [f"- {n}" for n in notes if not n.endswith(" s")] + [
        f"- import numpy: {numpy_s:.3f} s" if numpy_s else "- import numpy: not measured",
        "- C = plain C on the driver API (benchmarks/c_driver_bench.c); launch rows: "
        f"saxpy with n = {SAXPY_SMALL_N}; CuPy's Python-scalar saxpy passes a double "
        "for `float a` (wrong result, timed anyway)",
        "",
    ]
    md = "\n".join(header) + "\n" + text + "\n"
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.md"), "w") as f:
        f.write(md)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump({"results": results, "imports": imports, "notes": notes,
                   "errors": errors}, f, indent=1)
    if os.environ.get("OUT"):
        try:
            with open(os.path.join(os.environ["OUT"], "bench.md"), "w") as f:
                f.write(md)
        except OSError as e:
            print(f"bench: cannot write $OUT/bench.md: {e}")

    print()
    print(md)
    # The plain-C reference or gpuarray failing is a failed run (the table is
    # still printed); CuPy or PyTorch failing is only reported.
    bad = [fw for fw in ("c", "gpuarray") if fw in frameworks and
           (errors.get(fw) or not available.get(fw))]
    if bad:
        print("bench: FAILED measurements in: " + ", ".join(COLUMNS[b] for b in bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
