# The cost of moving data (chapter 7.1, "メモリ転送のコスト"): the chapter
# gives PCIe's theoretical and effective bandwidths and the time of a 100 MB
# transfer; this measures them here, host to device (htod) and device to
# host (dtoh), from pageable memory (any NumPy array) and from pinned
# (page-locked) memory, and prints them beside the chapter's figures.
# Each figure: the median of 5 copies, each followed by a synchronize.
# cupy_version.py is this file with `import cupy as cp`.
import statistics
import time

import numpy as np

import gpuarray as cp

NBYTES = 100_000_000           # the chapter's 100 MB
n = NBYTES // 4
REPS = 5
PCIE = [("3.0", 16, 12), ("4.0", 32, 25), ("5.0", 64, 50)]   # theory, effective GB/s


def pinned_empty():
    return np.frombuffer(cp.cuda.alloc_pinned_memory(NBYTES), np.float32, n)


def bandwidth(copy):
    copy()                              # warm-up: first-touch page faults, pool growth
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        copy()
        cp.cuda.Device().synchronize()
        times.append(time.perf_counter() - t0)
    return NBYTES / statistics.median(times) / 1e9


device = cp.empty(n, dtype=cp.float32)
data = np.arange(n, dtype=np.float32)
gbps = {}
for kind in ("pageable", "pinned"):
    host = data.copy() if kind == "pageable" else pinned_empty()
    back = np.empty_like(data) if kind == "pageable" else pinned_empty()
    host[:] = data
    gbps["htod_" + kind] = bandwidth(lambda: device.set(host))
    gbps["dtoh_" + kind] = bandwidth(lambda: device.get(out=back))
    print(f"result: {kind}_equal={int(np.array_equal(back, data))}")
print(f"result: bytes={NBYTES}")

print(f"{'transfer of 100 MB':<24}{'htod GB/s':>10}{'ms':>7}{'dtoh GB/s':>11}{'ms':>7}")
for kind in ("pageable", "pinned"):
    up, down = gbps["htod_" + kind], gbps["dtoh_" + kind]
    print(f"{'measured, ' + kind:<24}{up:>10.1f}{NBYTES / up / 1e6:>7.2f}"
          f"{down:>11.1f}{NBYTES / down / 1e6:>7.2f}")
for gen, theory, effective in PCIE:
    print(f"{'chapter, PCIe ' + gen + ' x16':<24}{'~%d' % effective:>10}"
          f"{NBYTES / effective / 1e6:>7.1f}   (theory {theory} GB/s)")
for key, value in gbps.items():
    print(f"time: {key}={value:.2f} GB/s")
