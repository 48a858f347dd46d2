# Timing a kernel with events (chapter 7.2, "イベントによる計測") in PyTorch:
# y += a * x (the saxpy, one kernel: y.add_(x, alpha=a)) between two
# torch.cuda.Events. Launch overhead: the host time per launch of
# PyTorch's smallest kernel, a fill of a 1-element tensor.
import statistics
import time

import torch

n = 1000000
a = 2.0
x = torch.ones(n, dtype=torch.float32, device="cuda")
y = torch.full((n,), 3.0, dtype=torch.float32, device="cuda")
torch.ones(1, device="cuda").add_(torch.ones(1, device="cuda"), alpha=a)   # warm-up
torch.cuda.synchronize()

start = torch.cuda.Event(enable_timing=True)
end = torch.cuda.Event(enable_timing=True)
start.record()
y.add_(x, alpha=a)
end.record()
end.synchronize()
elapsed_ms = start.elapsed_time(end)
print(f"Kernel time: {elapsed_ms:.3f} ms")

print(f"result: y0={y[0].item()}")
print(f"result: y_sum={y.sum(dtype=torch.float64).item()}")

times = []
for _ in range(20):
    start.record()
    y.add_(x, alpha=a)
    end.record()
    end.synchronize()
    times.append(start.elapsed_time(end))
print(f"time: kernel_ms={statistics.median(times):.4f} ms (y.add_(x, alpha=a) between two events, n = {n})")

z = torch.empty(1, device="cuda")
z.fill_(0.0)
torch.cuda.synchronize()
t0 = time.perf_counter()
for _ in range(1000):
    z.fill_(0.0)
t1 = time.perf_counter()
torch.cuda.synchronize()
print(f"time: launch_us={(t1 - t0) * 1e3:.3f} us (host time per launch of fill_ on 1 element, mean of 1000)")
