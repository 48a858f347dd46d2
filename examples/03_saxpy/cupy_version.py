# The saxpy of the textbook (chapter 7.1, "Python (CuPy) 版"), unchanged, on
# CuPy: gpuarray_version.py with `import cupy as cp`. CuPy packs the Python
# float a = 2.0 as an 8-byte double; the kernel reads its 4-byte `float a`
# from the double's low bytes, which are zero for 2.0, so a is 0.0 and
# result[0] is 3.0, not the 5.0 the comment promises (the note line shows
# 5.0 with a = numpy.float32(2.0)).
import cupy as cp

# カーネル定義
saxpy_kernel = cp.RawKernel(r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
''', 'saxpy')

n = 1000000
a = 2.0
x = cp.ones(n, dtype=cp.float32)
y = cp.ones(n, dtype=cp.float32) * 3

# カーネル起動
grid = ((n + 255) // 256,)
block = (256,)
saxpy_kernel(grid, block, (n, a, x, y))

print(f"result[0] = {y[0]}")  # 5.0

# Not in the textbook. The lines make demo checks; the same with `a` passed as
# numpy.float32, which every library packs as a float; then the launch timed
# now that the kernel is compiled and loaded (median of 20 launches, each
# followed by a synchronize).
import statistics
import time

import numpy

print(f"result: y0={float(y[0])}")
print(f"result: y_sum={cp.asnumpy(y).sum(dtype=numpy.float64)}")

y2 = cp.full(n, 3, dtype=cp.float32)
saxpy_kernel(grid, block, (n, numpy.float32(a), x, y2))
print(f"note: with a = numpy.float32(2.0) instead: result[0] = {y2[0]}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    saxpy_kernel(grid, block, (n, a, x, y))
    cp.cuda.Stream.null.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: saxpy_ms={statistics.median(times):.4f} ms (saxpy launch + synchronize, n = {n})")
