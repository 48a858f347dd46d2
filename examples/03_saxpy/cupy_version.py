# The saxpy of the textbook (chapter 7.1, "Python (CuPy) 版"), unchanged.
# CuPy packs the Python float a = 2.0 as a double into the kernel's `float a`
# parameter, so result[0] is not the 5.0 the comment promises.
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

# Not in the textbook: the same launch timed, as in gpuarray_version.py.
import statistics
import time

times = []
for _ in range(20):
    t0 = time.perf_counter()
    saxpy_kernel(grid, block, (n, a, x, y))
    cp.cuda.Stream.null.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: {statistics.median(times):.4f} ms (saxpy launch + synchronize, n = {n})")
