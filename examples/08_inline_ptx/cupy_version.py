# Inline PTX (chapter 7.5, "インライン PTX") on CuPy: gpuarray_version.py
# without its backend check (CuPy runs on CUDA only) and with
# `import cupy as cp`.
import statistics
import time

import numpy as np

import cupy as cp

double_it = cp.RawKernel(r'''
extern "C" __global__
void double_it(float* data, int n) {
    unsigned int tid, ctaid, ntid, idx;
    asm("mov.u32 %0, %%tid.x;" : "=r"(tid));
    asm("mov.u32 %0, %%ctaid.x;" : "=r"(ctaid));
    asm("mov.u32 %0, %%ntid.x;" : "=r"(ntid));
    asm("mad.lo.u32 %0, %1, %2, %3;" : "=r"(idx) : "r"(ctaid), "r"(ntid), "r"(tid));
    if ((int)idx < n) {
        data[idx] *= 2.0f;
    }
}
''', 'double_it')

n = 1000000
data = cp.asarray(np.arange(n, dtype=np.float32) % 1000)
grid, block = ((n + 255) // 256,), (256,)
double_it(grid, block, (data, n))

result = cp.asnumpy(data)
print(f"result: data999={result[999]}")
print(f"result: data_sum={result.sum(dtype=np.float64)}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    double_it(grid, block, (data, n))
    cp.cuda.Stream.null.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: kernel_ms={statistics.median(times):.4f} ms (inline-PTX kernel launch + synchronize, n = {n})")
