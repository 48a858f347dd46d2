# Memory operations (chapter 7.1, "メモリ操作"): 1000 floats 0..999 copied
# host to device, a zeroed allocation, and both copied back device to host.
# The chapter shows this in Rust (cudarc); this is the same in CuPy's API, and
# cupy_version.py is this file with `import cupy as cp`.
import statistics
import time

import numpy as np

import gpuarray as cp

# CPU側データ
host_data = np.arange(1000, dtype=np.float32)

# CPU → GPU（ホスト・トゥ・デバイス）
device_data = cp.asarray(host_data)

# GPU上でメモリ確保
output = cp.zeros(1000, dtype=cp.float32)

# カーネル実行（省略）

# GPU → CPU（デバイス・トゥ・ホスト）
result = cp.asnumpy(output)
data_back = cp.asnumpy(device_data)

print(f"result: output_len={len(result)}")
print(f"result: output_sum={result.sum(dtype=np.float64)}")
print(f"result: data_sum={data_back.sum(dtype=np.float64)}")
print(f"result: data_last={data_back[-1]}")
print(f"result: data_equal={int(np.array_equal(data_back, host_data))}")

# Not in the textbook: the same round trip timed (median of 20).
times = []
for _ in range(20):
    t0 = time.perf_counter()
    device_data = cp.asarray(host_data)
    output = cp.zeros(1000, dtype=cp.float32)
    result = cp.asnumpy(output)
    data_back = cp.asnumpy(device_data)
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: roundtrip_ms={statistics.median(times):.4f} ms (htod + zeros + 2 dtoh of 1000 floats)")
