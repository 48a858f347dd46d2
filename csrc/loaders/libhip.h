/* libhip.h - the HIP runtime (libamdhip64) loaded at run time: the types and
 * ABI constants gpuarray needs, declared here rather than taken from
 * hip_runtime_api.h (the build needs no ROCm), and one table of entry points
 * filled by dlopen/dlsym (see libhip.fn). tests/c/test_hip_abi.c checks
 * every constant below against ROCm's own headers where they are installed. */
#ifndef GPUARRAY_LOADERS_LIBHIP_H
#define GPUARRAY_LOADERS_LIBHIP_H

#include "ga_private.h"

#include <stddef.h>

typedef int hipError_t;
typedef void *hipStream_t;
typedef void *hipEvent_t;
typedef void *hipModule_t;
typedef void *hipFunction_t;
typedef void *hipMemPool_t;
typedef void *hipDeviceptr_t;

/* hipError_t values (stable since ROCm 5.0). */
enum {
    GA_HIP_SUCCESS = 0,
    GA_HIP_ERROR_INVALID_VALUE = 1,
    GA_HIP_ERROR_OUT_OF_MEMORY = 2,
    GA_HIP_ERROR_NO_DEVICE = 100,
    GA_HIP_ERROR_INVALID_DEVICE = 101,
    GA_HIP_ERROR_NOT_READY = 600,
    GA_HIP_ERROR_PEER_ACCESS_ALREADY_ENABLED = 704,
    GA_HIP_ERROR_NOT_SUPPORTED = 801
};

/* hipDeviceAttribute_t: HIP's own numbering, not CUDA's (the CUDA-like
 * block is alphabetical from hipDeviceAttributeCudaCompatibleBegin = 0, the
 * AMD-only block starts at 10000). */
enum {
    GA_HIP_ATTR_ECC_ENABLED = 0,
    GA_HIP_ATTR_ASYNC_ENGINE_COUNT = 2,
    GA_HIP_ATTR_CAN_MAP_HOST_MEMORY = 3,
    GA_HIP_ATTR_CLOCK_RATE = 5,
    GA_HIP_ATTR_COMPUTE_MODE = 6,
    GA_HIP_ATTR_CONCURRENT_KERNELS = 8,
    GA_HIP_ATTR_COOPERATIVE_LAUNCH = 10,
    GA_HIP_ATTR_INTEGRATED = 16,
    GA_HIP_ATTR_KERNEL_EXEC_TIMEOUT = 18,
    GA_HIP_ATTR_L2_CACHE_SIZE = 19,
    GA_HIP_ATTR_COMPUTE_CAPABILITY_MAJOR = 23,
    GA_HIP_ATTR_MANAGED_MEMORY = 24,
    GA_HIP_ATTR_MAX_BLOCK_DIM_X = 26,
    GA_HIP_ATTR_MAX_BLOCK_DIM_Y = 27,
    GA_HIP_ATTR_MAX_BLOCK_DIM_Z = 28,
    GA_HIP_ATTR_MAX_GRID_DIM_X = 29,
    GA_HIP_ATTR_MAX_GRID_DIM_Y = 30,
    GA_HIP_ATTR_MAX_GRID_DIM_Z = 31,
    GA_HIP_ATTR_MAX_THREADS_PER_BLOCK = 56,
    GA_HIP_ATTR_MAX_THREADS_PER_MULTIPROCESSOR = 57,
    GA_HIP_ATTR_MEMORY_BUS_WIDTH = 59,
    GA_HIP_ATTR_MEMORY_CLOCK_RATE = 60,
    GA_HIP_ATTR_COMPUTE_CAPABILITY_MINOR = 61,
    GA_HIP_ATTR_MULTIPROCESSOR_COUNT = 63,
    GA_HIP_ATTR_PCI_BUS_ID = 67,
    GA_HIP_ATTR_PCI_DEVICE_ID = 68,
    GA_HIP_ATTR_PCI_DOMAIN_ID = 69,
    GA_HIP_ATTR_MAX_REGISTERS_PER_BLOCK = 71,
    GA_HIP_ATTR_MAX_REGISTERS_PER_MULTIPROCESSOR = 72,
    GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 74,
    GA_HIP_ATTR_SHARED_MEM_PER_BLOCK_OPTIN = 75,
    GA_HIP_ATTR_SHARED_MEM_PER_MULTIPROCESSOR = 76,
    GA_HIP_ATTR_TEXTURE_ALIGNMENT = 81,
    GA_HIP_ATTR_TOTAL_CONSTANT_MEMORY = 83,
    GA_HIP_ATTR_UNIFIED_ADDRESSING = 85,
    GA_HIP_ATTR_WARP_SIZE = 87,
    GA_HIP_ATTR_MEMORY_POOLS_SUPPORTED = 88,
    GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 10002
};

/* hipFunction_attribute: these follow CUDA's CUfunction_attribute. */
enum {
    GA_HIP_FUNC_ATTR_MAX_THREADS_PER_BLOCK = 0,
    GA_HIP_FUNC_ATTR_SHARED_SIZE_BYTES = 1,
    GA_HIP_FUNC_ATTR_CONST_SIZE_BYTES = 2,
    GA_HIP_FUNC_ATTR_LOCAL_SIZE_BYTES = 3,
    GA_HIP_FUNC_ATTR_NUM_REGS = 4,
    GA_HIP_FUNC_ATTR_PTX_VERSION = 5,
    GA_HIP_FUNC_ATTR_BINARY_VERSION = 6,
    GA_HIP_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8
};

/* Flags and pool attributes. */
enum {
    GA_HIP_STREAM_NON_BLOCKING = 1,
    GA_HIP_EVENT_BLOCKING_SYNC = 1,
    GA_HIP_EVENT_DISABLE_TIMING = 2,
    GA_HIP_HOST_MALLOC_DEFAULT = 0,
    GA_HIP_MEM_POOL_ATTR_RELEASE_THRESHOLD = 4,
    GA_HIP_MEM_POOL_ATTR_RESERVED_MEM_CURRENT = 5,
    GA_HIP_POINTER_ATTRIBUTE_MEMORY_TYPE = 2,
    GA_HIP_POINTER_ATTRIBUTE_DEVICE_ORDINAL = 9
};

/* hipMemoryType changed in ROCm 6.0: 5.x numbers Host 0, Device 1; 6.0 and
 * later follow CUDA (Unregistered 0, Host 1, Device 2). */
enum {
    GA_HIP5_MEMORY_TYPE_HOST = 0,
    GA_HIP5_MEMORY_TYPE_DEVICE = 1,
    GA_HIP6_MEMORY_TYPE_HOST = 1,
    GA_HIP6_MEMORY_TYPE_DEVICE = 2
};

/* hipDeviceProp_t: gpuarray reads only gcnArchName from it (everything else
 * through hipDeviceGetAttribute, whose numbers did not move). The struct
 * grew in 6.0, so the buffer handed over is larger than any known one, and
 * the name is read at the offset of the layout the call used:
 * - ROCm 5.x, hipGetDeviceProperties: sizeof 792, gcnArchName at 396
 *   (Debian's 5.2 headers; checked by tests/c/test_hip_abi.c);
 * - ROCm 6.x/7.x, hipGetDevicePropertiesR0600: sizeof 1472, gcnArchName at
 *   1160 (hipDeviceProp_tR0600 in ROCm 6.0's include/hip/hip_runtime_api.h:
 *   name[256], hipUUID, luid[8], ..., reserved[63], hipReserved[32], then
 *   gcnArchName[256]; x86-64 alignment). */
#define GA_HIP_PROPS_BUFFER_SIZE 4096
#define GA_HIP_PROPS_R0000_SIZE 792
#define GA_HIP_PROPS_R0000_GCN_ARCH_NAME 396
#define GA_HIP_PROPS_R0600_SIZE 1472
#define GA_HIP_PROPS_R0600_GCN_ARCH_NAME 1160
#define GA_HIP_GCN_ARCH_NAME_SIZE 256

typedef struct ga_hip_api {
#define HIP_REQ(ret, name, params) ret (*name) params;
#define HIP_OPT(ret, name, params) ret (*name) params;
#include "libhip.fn"
#undef HIP_REQ
#undef HIP_OPT
} ga_hip_api;

/* Filled by ga_hip_load; optional entries may stay NULL. */
GA_INTERNAL extern ga_hip_api ga_hip;

/* Load the HIP runtime once per process (thread-safe), without calling
 * hipInit. On failure every call returns GA_ERROR_NO_DRIVER again, with a
 * detail listing every place tried. */
GA_INTERNAL ga_status ga_hip_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_hip_path(void);
/* hipRuntimeGetVersion of the loaded runtime (e.g. 50221153), 0 if none. */
GA_INTERNAL int ga_hip_runtime_version(void);
/* The name of a hipError_t ("hipErrorNoDevice"), never NULL. */
GA_INTERNAL const char *ga_hip_error_name(hipError_t e);

#endif /* GPUARRAY_LOADERS_LIBHIP_H */
