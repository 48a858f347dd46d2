"""bench_host.py - the host (CPU) backend measured beside plain C, in one run.

  saxpy over 16M float32 through gpuarray.RawKernel on the host backend,
  beside the same loop in plain C (-O2, pthreads over all cores:
  benchmarks/c_host_saxpy.c); launch overhead (empty kernel back to back,
  and launch + synchronize); compile time cold, from the in-process cache
  and from the disk cache (a fresh process). Prints a table last.

  python benchmarks/bench_host.py [--c-saxpy build/c_host_saxpy]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["GPUARRAY_BACKEND"] = "host"   # before gpuarray is imported

SAXPY = r'''
extern "C" __global__ void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
'''
EMPTY = 'extern "C" __global__ void empty() {}\n'
N = 16 << 20


def median_ms(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def compile_worker():
    """In a fresh process: the disk-cache hit of the saxpy compile."""
    import gpuarray as ga
    t0 = time.perf_counter()
    ga.RawKernel(SAXPY, "saxpy").compile()
    print(f"{(time.perf_counter() - t0) * 1e3:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c-saxpy", default="build/c_host_saxpy")
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()

    import numpy as np
    import gpuarray as ga
    assert ga.get_backend() == "host", ga.get_backend()
    rows = []

    c_ms = None
    try:
        out = subprocess.run([args.c_saxpy, str(N), str(args.repeats)], capture_output=True,
                             text=True, timeout=120, check=True).stdout
        vals = dict(line.split(None, 1) for line in out.splitlines() if line.strip())
        c_ms = float(vals["c_host_saxpy_ms"])
        threads = vals.get("threads", "?")
    except (OSError, subprocess.SubprocessError, KeyError, ValueError) as e:
        print(f"plain C saxpy: not run ({e})")
        threads = "?"

    with tempfile.TemporaryDirectory(prefix="bench-host-cache-") as cache:
        os.environ["GPUARRAY_CACHE_DIR"] = cache
        # compile: cold (a source nobody compiled), then in-process, then disk
        t0 = time.perf_counter()
        k = ga.RawKernel(SAXPY, "saxpy")
        k.compile()
        cold_ms = (time.perf_counter() - t0) * 1e3
        mem_ms = median_ms(lambda: ga.RawKernel(SAXPY, "saxpy").compile(), 20)
        disk = subprocess.run([sys.executable, __file__, "--compile-worker"], capture_output=True,
                              text=True, timeout=300, env=dict(os.environ))
        disk_ms = float(disk.stdout.strip().splitlines()[-1]) if disk.returncode == 0 else None

        rng = np.random.default_rng(0)
        xh = rng.standard_normal(N, dtype=np.float32)
        yh = rng.standard_normal(N, dtype=np.float32)
        x, y = ga.asarray(xh), ga.asarray(yh)
        grid, block = ((N + 255) // 256,), (256,)
        k(grid, block, (N, 2.0, x, y))
        ga.cuda.Stream.null.synchronize()
        ok = np.allclose(y.get(), np.float32(2.0) * xh + yh, rtol=1e-6, atol=1e-6)

        def saxpy():
            k(grid, block, (N, 2.0, x, y))
            ga.cuda.Stream.null.synchronize()
        ga_ms = median_ms(saxpy, args.repeats)

        empty = ga.RawKernel(EMPTY, "empty")
        empty((1,), (1,), ())
        ga.cuda.Stream.null.synchronize()
        count = 2000

        def launches():
            for _ in range(count):
                empty((1,), (1,), ())
            ga.cuda.Stream.null.synchronize()
        launch_us = median_ms(launches, 5) * 1e3 / count

        def round_trip():
            empty((1,), (1,), ())
            ga.cuda.Stream.null.synchronize()
        sync_us = median_ms(round_trip, 200) * 1e3

    def fmt(v, d=3):
        return "–" if v is None else f"{v:.{d}g}"
    ratio = f"{ga_ms / c_ms:.2f}x" if c_ms else "–"
    rows = [
        ("saxpy 16M float32 (ms)", fmt(c_ms), fmt(ga_ms), ratio, "<= 1.5x C",
         "ok" if c_ms and ga_ms / c_ms <= 1.5 else ("MISS" if c_ms else "")),
        ("launch, empty kernel, back to back (us)", "–", fmt(launch_us), "", "", ""),
        ("launch + synchronize (us)", "–", fmt(sync_us), "", "", ""),
        ("compile saxpy, cold (ms)", "–", fmt(cold_ms), "", "", ""),
        ("same kernel again, in-process (ms)", "–", fmt(mem_ms), "", "", ""),
        ("same kernel, new process, disk cache (ms)", "–", fmt(disk_ms), "", "", ""),
    ]
    print(f"\nHost backend, {os.cpu_count()} cores ({threads} C threads), "
          f"saxpy result {'agrees with NumPy' if ok else 'DISAGREES with NumPy'}\n")
    print("| measurement | plain C | gpuarray (host) | gpuarray/C | target | |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0 if ok else 1


if __name__ == "__main__":
    if "--compile-worker" in sys.argv:
        compile_worker()
    else:
        sys.exit(main())
