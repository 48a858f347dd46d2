# Timing a kernel with events (chapter 7.2, "イベントによる計測") on CuPy:
# gpuarray_version.py with `import cupy as cp` (test_examples.py checks that
# nothing else differs).
import statistics
import time

import numpy as np

import cupy as cp

saxpy = cp.RawKernel(r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
''', 'saxpy')
empty = cp.RawKernel(r'extern "C" __global__ void empty() {}', 'empty')
saxpy.compile()   # compile and load now, so that the events time the kernel only
empty.compile()

n = 1000000
a = np.float32(2.0)
x = cp.ones(n, dtype=cp.float32)
y = cp.full(n, 3, dtype=cp.float32)
grid, block = ((n + 255) // 256,), (256,)

# イベント作成
start = cp.cuda.Event()
end = cp.cuda.Event()

# 計測開始
start.record()
# カーネル実行
saxpy(grid, block, (n, a, x, y))
# 計測終了
end.record()
end.synchronize()

# 経過時間（ミリ秒）
elapsed_ms = cp.cuda.get_elapsed_time(start, end)
print(f"Kernel time: {elapsed_ms:.3f} ms")

print(f"result: y0={float(y[0])}")
print(f"result: y_sum={cp.asnumpy(y).sum(dtype=np.float64)}")

# Not in the textbook: the median of 20 such measurements, and the launch
# overhead (1000 launches of an empty kernel, host time per launch).
times = []
for _ in range(20):
    start.record()
    saxpy(grid, block, (n, a, x, y))
    end.record()
    end.synchronize()
    times.append(cp.cuda.get_elapsed_time(start, end))
print(f"time: kernel_ms={statistics.median(times):.4f} ms (saxpy between two events, n = {n})")

empty((1,), (1,), ())
cp.cuda.Device().synchronize()
t0 = time.perf_counter()
for _ in range(1000):
    empty((1,), (1,), ())
t1 = time.perf_counter()
cp.cuda.Device().synchronize()
print(f"time: launch_us={(t1 - t0) * 1e3:.3f} us (host time per launch of an empty kernel, mean of 1000)")
