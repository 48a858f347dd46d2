# Memory operations (chapter 7.1, "メモリ操作") in PyTorch: 1000 floats 0..999
# host to device, a zeroed allocation, both copied back.
import statistics
import time

import numpy as np
import torch

host_data = np.arange(1000, dtype=np.float32)
device_data = torch.from_numpy(host_data).to("cuda")
output = torch.zeros(1000, dtype=torch.float32, device="cuda")
result = output.cpu().numpy()
data_back = device_data.cpu().numpy()

print(f"result: output_len={len(result)}")
print(f"result: output_sum={result.sum(dtype=np.float64)}")
print(f"result: data_sum={data_back.sum(dtype=np.float64)}")
print(f"result: data_last={data_back[-1]}")
print(f"result: data_equal={int(np.array_equal(data_back, host_data))}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    device_data = torch.from_numpy(host_data).to("cuda")
    output = torch.zeros(1000, dtype=torch.float32, device="cuda")
    result = output.cpu().numpy()
    data_back = device_data.cpu().numpy()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: roundtrip_ms={statistics.median(times):.4f} ms (htod + zeros + 2 dtoh of 1000 floats)")
