# The chapter's Rust-GPU shader (7.4, output = input * 2 + 1 where
# idx < input.len()) as a CUDA C kernel through gpuarray, with CuPy's names,
# beside the SPIR-V versions (wgpu_version.py, vulkan_version.c): the same
# 1000 floats (last 1999, sum 1000000), then 16,776,960 floats, timed.
import os
import statistics
import sys
import time

import numpy as np

import gpuarray as cp

main_cs = cp.RawKernel(r'''
extern "C" __global__
void main_cs(const float* input, float* output, unsigned int n) {
    unsigned int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx < n) {
        output[idx] = input[idx] * 2.0f + 1.0f;
    }
}
''', 'main_cs')


def run(x, out):
    main_cs(((x.size + 255) // 256,), (256,), (x, out, np.uint32(x.size)))
    return out


x = cp.arange(1000, dtype=cp.float32)
result = cp.asnumpy(run(x, cp.empty_like(x)))
print(f"output[999] = {result[999]}")   # 1999.0
print(f"result: out_last={result[999]}")
print(f"result: out_sum={result.sum(dtype=np.float64)}")

# The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
# workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one).
BIG_N = int(os.environ.get("EXAMPLE_BIG_N", 65535 * 256))
if not 1024 <= BIG_N <= 65535 * 256:
    sys.exit(f"EXAMPLE_BIG_N={BIG_N}: must be 1024 .. 16776960")
big = cp.arange(BIG_N, dtype=cp.float32)
out = cp.empty_like(big)
got = cp.asnumpy(run(big, out))
host = np.arange(BIG_N, dtype=np.float32)
print(f"result: big_n={BIG_N}")
print(f"result: big_last={got[-1]}")
print(f"result: big_mismatches={int(np.count_nonzero(got != host * np.float32(2) + np.float32(1)))}")
times = []
for _ in range(5):
    t0 = time.perf_counter()
    run(big, out)
    cp.cuda.Device().synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
ms = statistics.median(times)
print(f"time: big_ms={ms:.4f} ms (launch + synchronize, n = {BIG_N}, median of 5)")
print(f"time: big_gbps={2 * 4 * BIG_N / ms / 1e6:.2f} GB/s (read + write)")
