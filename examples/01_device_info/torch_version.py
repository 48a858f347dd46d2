# Device discovery and properties (chapter 7.1) in PyTorch: torch.cuda asks
# the CUDA runtime (cudaGetDeviceProperties) for what the other versions
# read attribute by attribute.
import torch

device_count = torch.cuda.device_count()
print(f"Found {device_count} CUDA devices")

torch.cuda.set_device(0)
props = torch.cuda.get_device_properties(0)
print(f"Device: {props.name}")
print(f"Compute Capability: {props.major}.{props.minor}")

print(f"result: count={device_count}")
print(f"result: name={props.name}")
print(f"result: cc={props.major}.{props.minor}")
print(f"result: sm_count={props.multi_processor_count}")
if hasattr(props, "warp_size"):          # PyTorch 2.6 and later
    print(f"result: warp_size={props.warp_size}")
