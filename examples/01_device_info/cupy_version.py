# Device discovery and properties (chapter 7.1, "Python (CuPy) 版") on CuPy.
# The chapter reads props['Name'], props['ComputeCapabilityMajor'] and
# props['ComputeCapabilityMinor'] from Device.attributes, but CuPy's
# attributes dict lacks those keys, so the chapter's own snippet raises
# KeyError on CuPy. gpuarray has them ('Name' as bytes, so .decode()
# works) and runs the snippet as written. Here what CuPy's dict lacks comes
# from cudaGetDeviceProperties, and the note line says which keys.
import cupy as cp

# デバイス数
device_count = cp.cuda.runtime.getDeviceCount()
print(f"Found {device_count} CUDA devices")

# デバイス0を使用（デフォルト）
cp.cuda.Device(0).use()

# デバイス情報
props = cp.cuda.Device().attributes
dp = cp.cuda.runtime.getDeviceProperties(0)
missing = [k for k in ("Name", "ComputeCapabilityMajor", "ComputeCapabilityMinor") if k not in props]
if missing:
    print(f"note: CuPy's Device.attributes ({len(props)} keys, e.g. {', '.join(sorted(props)[:4])}) "
          f"has no {', '.join(missing)}: the chapter's snippet raises KeyError on CuPy; "
          "those come from cp.cuda.runtime.getDeviceProperties(0)")
name = props["Name"] if "Name" in props else dp["name"]
name = name.decode() if isinstance(name, bytes) else name
major = props.get("ComputeCapabilityMajor", dp["major"])
minor = props.get("ComputeCapabilityMinor", dp["minor"])
print(f"Device: {name}")
print(f"Compute Capability: {major}.{minor}")

print(f"result: count={device_count}")
print(f"result: name={name}")
print(f"result: cc={major}.{minor}")
print(f"result: sm_count={dp['multiProcessorCount']}")
print(f"result: warp_size={dp['warpSize']}")
print(f"result: max_threads_per_block={dp['maxThreadsPerBlock']}")
