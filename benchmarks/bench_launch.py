"""bench_launch.py - kernel launch cost of gpuarray beside plain C on the
driver API, measured alternately (C, gpuarray, C, gpuarray, ...) so that
drift between processes shows up as spread rather than as a ratio.

Each round runs benchmarks/c_driver_bench (its launch rows) and a fresh
gpuarray process doing the same launches (empty kernel; 4-argument saxpy on
4096 elements with Python scalars and with NumPy scalars; 20000 launches,
then a synchronize, median of 5). Prints every round and the medians.

  python benchmarks/bench_launch.py [--c build/c_driver_bench] [--rounds 3]
"""
import argparse
import statistics
import subprocess
import sys

KEYS = ("launch_empty", "launch_saxpy", "launch_saxpy_np")

GPUARRAY_WORKER = r'''
import statistics, time, numpy as np, gpuarray as ga
src = r"""extern "C" __global__ void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = a * x[i] + y[i]; }
extern "C" __global__ void empty() {}"""
mod = ga.RawModule(code=src)
saxpy, empty = mod.get_function("saxpy"), mod.get_function("empty")
n = 4096
x = ga.asarray(np.ones(n, np.float32)); y = ga.asarray(np.full(n, 3, np.float32))
sync = ga.cuda.Stream.null.synchronize
def per_launch(k, grid, block, args, count=20000):
    k(grid, block, args); sync()
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(count):
            k(grid, block, args)
        sync()
        ts.append((time.perf_counter() - t) / count * 1e6)
    return statistics.median(ts)
g, b = ((n + 255) // 256,), (256,)
print("launch_empty", per_launch(empty, (1,), (1,), ()))
print("launch_saxpy", per_launch(saxpy, g, b, (n, 2.0, x, y)))
print("launch_saxpy_np", per_launch(saxpy, g, b, (np.int32(n), np.float32(2.0), x, y)))
'''


def parse(text):
    out = {}
    for line in text.splitlines():
        parts = line.replace("=", " ").split()
        if len(parts) >= 2 and parts[0] in KEYS:
            out[parts[0]] = float(parts[1])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c", default="build/c_driver_bench")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    runs = {"C": [], "gpuarray": []}
    for r in range(args.rounds):
        c = parse(subprocess.run([args.c], capture_output=True, text=True, timeout=120).stdout)
        g = parse(subprocess.run([sys.executable, "-c", GPUARRAY_WORKER], capture_output=True,
                                 text=True, timeout=120).stdout)
        runs["C"].append(c)
        runs["gpuarray"].append(g)
        print(f"round {r + 1}: " + "  ".join(
            f"{k}: C {c.get(k, float('nan')):.3f} / gpuarray {g.get(k, float('nan')):.3f} us"
            for k in KEYS))
    print("\n| launch (us, median of rounds) | C | gpuarray | gpuarray/C | C spread | gpuarray spread |")
    print("|---|---|---|---|---|---|")
    for k in KEYS:
        cs = [r[k] for r in runs["C"] if k in r]
        gs = [r[k] for r in runs["gpuarray"] if k in r]
        if not cs or not gs:
            print(f"| {k} | – | – | – | | |")
            continue
        cm, gm = statistics.median(cs), statistics.median(gs)
        print(f"| {k} | {cm:.3f} | {gm:.3f} | {gm / cm:.2f}x | {min(cs):.2f}–{max(cs):.2f} "
              f"| {min(gs):.2f}–{max(gs):.2f} |")


if __name__ == "__main__":
    main()
