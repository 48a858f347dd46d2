# The chapter's WGSL kernels (7.3) as CUDA C through gpuarray, with CuPy's
# names: the doubling of 1000 floats (wgpu_version.py runs the WGSL) and the
# chapter's CUDA twin of its WGSL `a + b` kernel ("CUDA の例", named `matmul`
# as in the chapter: it adds). Unlike the WGSL shader the CUDA C kernels check
# `idx < n`: the grid's 1024 threads would otherwise write past 1000 floats.
# The same results are printed as the wgpu versions print, and the doubling
# is timed on the same 16,776,960 floats (no 65535-block limit here: CUDA's
# grid reaches 2**31 - 1 blocks in x; the size is WebGPU's, for comparison).
import os
import statistics
import sys
import time

import numpy as np

import gpuarray as cp

double_kernel = cp.RawKernel(r'''
extern "C" __global__
void double_it(const float* input, float* output, int n) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx < n) {
        output[idx] = input[idx] * 2.0f;
    }
}
''', 'double_it')

# CUDA の例 (the chapter's, verbatim)
add_kernel = cp.RawKernel(r'''
extern "C" __global__ void matmul(
    const float* a, const float* b, float* c, int n
) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx < n) {
        c[idx] = a[idx] + b[idx];
    }
}
''', 'matmul')


def double(x):
    out = cp.empty_like(x)
    n = np.int32(x.size)
    double_kernel(((x.size + 255) // 256,), (256,), (x, out, n))
    return out


x = cp.arange(1000, dtype=cp.float32)
result = cp.asnumpy(double(x))
print(f"output[999] = {result[999]}")   # 1998.0
print(f"result: double_last={result[999]}")
print(f"result: double_sum={result.sum(dtype=np.float64)}")

a = cp.arange(1000, dtype=cp.float32)
b = a * 2
c = cp.empty_like(a)
add_kernel(((1000 + 255) // 256,), (256,), (a, b, c, np.int32(1000)))
c = cp.asnumpy(c)
print(f"result: add_last={c[999]}")
print(f"result: add_sum={c.sum(dtype=np.float64)}")

# The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
# workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one).
BIG_N = int(os.environ.get("EXAMPLE_BIG_N", 65535 * 256))
if not 1024 <= BIG_N <= 65535 * 256:
    sys.exit(f"EXAMPLE_BIG_N={BIG_N}: must be 1024 .. 16776960")
big = cp.arange(BIG_N, dtype=cp.float32)
got = cp.asnumpy(double(big))
print(f"result: big_n={BIG_N}")
print(f"result: big_last={got[-1]}")
print(f"result: big_mismatches={int(np.count_nonzero(got != np.arange(BIG_N, dtype=np.float32) * 2))}")
out = cp.empty_like(big)
times = []
for _ in range(5):
    t0 = time.perf_counter()
    double_kernel(((BIG_N + 255) // 256,), (256,), (big, out, np.int32(BIG_N)))
    cp.cuda.Device().synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
ms = statistics.median(times)
print(f"time: big_ms={ms:.4f} ms (launch + synchronize, n = {BIG_N}, median of 5)")
print(f"time: big_gbps={2 * 4 * BIG_N / ms / 1e6:.2f} GB/s (read + write)")
