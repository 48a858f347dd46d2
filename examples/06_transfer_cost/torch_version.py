# The cost of moving data (chapter 7.1, "メモリ転送のコスト") in PyTorch:
# 100 MB host to device and back, from pageable and from pinned memory
# (pin_memory=True), the median of 5 copies each, beside the chapter's figures.
import statistics
import time

import torch

NBYTES = 100_000_000
n = NBYTES // 4
REPS = 5
PCIE = [("3.0", 16, 12), ("4.0", 32, 25), ("5.0", 64, 50)]


def bandwidth(copy):
    copy()
    torch.cuda.synchronize()
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        copy()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return NBYTES / statistics.median(times) / 1e9


device = torch.empty(n, dtype=torch.float32, device="cuda")
data = torch.arange(n, dtype=torch.float32)
gbps = {}
for kind in ("pageable", "pinned"):
    pin = kind == "pinned"
    host = torch.empty(n, dtype=torch.float32, pin_memory=pin)
    back = torch.empty(n, dtype=torch.float32, pin_memory=pin)
    host.copy_(data)
    gbps["htod_" + kind] = bandwidth(lambda: device.copy_(host))
    gbps["dtoh_" + kind] = bandwidth(lambda: back.copy_(device))
    print(f"result: {kind}_equal={int(torch.equal(back, data))}")
print(f"result: bytes={NBYTES}")

print(f"{'transfer of 100 MB':<24}{'htod GB/s':>10}{'ms':>7}{'dtoh GB/s':>11}{'ms':>7}")
for kind in ("pageable", "pinned"):
    up, down = gbps["htod_" + kind], gbps["dtoh_" + kind]
    print(f"{'measured, ' + kind:<24}{up:>10.1f}{NBYTES / up / 1e6:>7.2f}"
          f"{down:>11.1f}{NBYTES / down / 1e6:>7.2f}")
for gen, theory, effective in PCIE:
    print(f"{'chapter, PCIe ' + gen + ' x16':<24}{'~%d' % effective:>10}"
          f"{NBYTES / effective / 1e6:>7.1f}   (theory {theory} GB/s)")
for key, value in gbps.items():
    print(f"time: {key}={value:.2f} GB/s")
