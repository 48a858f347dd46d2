# The textbook's saxpy (chapter 7.1) in PyTorch: no kernel to write,
# y = a * x + y is two elementwise operations (torch.add(y, x, alpha=a) is one).
import statistics
import time

import torch

n = 1000000
a = 2.0
x = torch.ones(n, dtype=torch.float32, device="cuda")
y = torch.ones(n, dtype=torch.float32, device="cuda") * 3

y = a * x + y

print(f"result[0] = {y[0].item()}")  # 5.0
print(f"result: y0={y[0].item()}")
print(f"result: y_sum={y.sum(dtype=torch.float64).item()}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    y2 = a * x + y
    torch.cuda.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: saxpy_ms={statistics.median(times):.4f} ms (a * x + y + synchronize, n = {n})")
