/* libcuda.h - the CUDA driver API, declared without cuda.h and loaded at run time. */
#ifndef GPUARRAY_LOADERS_LIBCUDA_H
#define GPUARRAY_LOADERS_LIBCUDA_H

#include "ga_private.h"

#include <stddef.h>
#include <stdint.h>

/* The driver types, declared here so the build needs no CUDA toolkit. Tags
 * and values are cuda.h's (CUDA 13.0); only what gpuarray uses is listed. */

typedef enum cudaError_enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_STUB_LIBRARY = 34,
    CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER = 36,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_JIT_COMPILER_NOT_FOUND = 221,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED = 704,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999
} CUresult;

typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef uint64_t cuuint64_t;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUevent_st *CUevent;
typedef struct CUstream_st *CUstream;
typedef struct CUmemPoolHandle_st *CUmemoryPool;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;
typedef enum CUstreamCaptureMode_enum {
    CU_STREAM_CAPTURE_MODE_GLOBAL = 0,
    CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
    CU_STREAM_CAPTURE_MODE_RELAXED = 2
} CUstreamCaptureMode;
/* cuGraphInstantiateWithFlags: a relaunch first frees what the previous
 * launch's memory nodes allocated and the graph did not free. */
#define CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH 1ULL

/* The core passes attribute numbers through as ints (gpuarray.h uses the
 * driver's numbering); only the ones the backend itself asks for are named. */
typedef enum CUdevice_attribute_enum {
    CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115
} CUdevice_attribute;

typedef enum CUfunction_attribute_enum {
    CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0
} CUfunction_attribute;

typedef enum CUmemPool_attribute_enum {
    CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4,    /* cuuint64_t */
    CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT = 5, /* cuuint64_t */
    CU_MEMPOOL_ATTR_USED_MEM_CURRENT = 7      /* cuuint64_t */
} CUmemPool_attribute;

/* cuMemPoolSetAccess: which device may map a pool's allocations. */
typedef enum CUmemLocationType_enum { CU_MEM_LOCATION_TYPE_DEVICE = 1 } CUmemLocationType;
typedef enum CUmemAccess_flags_enum { CU_MEM_ACCESS_FLAGS_PROT_READWRITE = 3 } CUmemAccess_flags;
typedef struct CUmemLocation_st {
    CUmemLocationType type;
    int id;
} CUmemLocation;
typedef struct CUmemAccessDesc_st {
    CUmemLocation location;
    CUmemAccess_flags flags;
} CUmemAccessDesc;

typedef enum CUjit_option_enum {
    CU_JIT_INFO_LOG_BUFFER = 3,
    CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
    CU_JIT_ERROR_LOG_BUFFER = 5,
    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6
} CUjit_option;

typedef enum CUdriverProcAddressQueryResult_enum {
    CU_GET_PROC_ADDRESS_SUCCESS = 0,
    CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND = 1,
    CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT = 2
} CUdriverProcAddressQueryResult;

enum {
    CU_GET_PROC_ADDRESS_DEFAULT = 0,
    CU_GET_PROC_ADDRESS_LEGACY_STREAM = 1,
    CU_STREAM_DEFAULT = 0,
    CU_STREAM_NON_BLOCKING = 1,
    CU_EVENT_DEFAULT = 0,
    CU_EVENT_BLOCKING_SYNC = 1,
    CU_EVENT_DISABLE_TIMING = 2,
    CU_MEMHOSTALLOC_PORTABLE = 1
};

/* The oldest driver gpuarray runs on: 11.2 brought stream-ordered allocation. */
#define GA_LIBCUDA_MIN_VERSION 11020

/* One pointer per libcuda.fn entry; NULL until loaded, and NULL after for an
 * optional entry point the driver lacks. */
typedef struct ga_libcuda {
#define GA_CU_FN_AS(field, name, version, symbol, params) CUresult (*field) params;
#include "libcuda.fn"
} ga_libcuda;

GA_INTERNAL extern ga_libcuda ga_cu;

/* Load libcuda.so.1 ($GPUARRAY_LIBCUDA: a full path instead) and resolve
 * every entry point, once per process; later calls repeat the outcome.
 * GA_ERROR_NO_DRIVER when the library does not load; GA_ERROR_DRIVER_TOO_OLD
 * when it is older than GA_LIBCUDA_MIN_VERSION or lacks a required entry
 * point. Does not call cuInit. */
GA_INTERNAL ga_status ga_libcuda_load(void);
/* Path and cuDriverGetVersion (e.g. 13000) of the driver library found,
 * also when the load then refused it as too old; "" and 0 when none was
 * found. Read them after ga_libcuda_load. */
GA_INTERNAL const char *ga_libcuda_path(void);
GA_INTERNAL int ga_libcuda_version(void);
/* Record that optional entry point `name` is missing in this driver, as
 * `status` with a detail naming the driver version it needs; returns status. */
GA_INTERNAL ga_status ga_libcuda_missing(ga_status status, const char *name);

#endif /* GPUARRAY_LOADERS_LIBCUDA_H */
