/* libcublas.h - cuBLAS loaded at run time: the few types gpuarray needs and
 * one table of entry points filled by dlopen/dlsym (see libcublas.fn). */
#ifndef GPUARRAY_LOADERS_LIBCUBLAS_H
#define GPUARRAY_LOADERS_LIBCUBLAS_H

#include "libcuda.h"

/* Declared here rather than taken from cublas_api.h: the build must need no
 * CUDA toolkit. The values are cuBLAS's ABI (library_types.h and
 * cublas_api.h of CUDA 11 and newer). */
typedef int cublasStatus_t;
typedef struct cublasContext *cublasHandle_t;

enum {
    GA_CUBLAS_STATUS_SUCCESS = 0,
    GA_CUBLAS_STATUS_NOT_INITIALIZED = 1,
    GA_CUBLAS_STATUS_ALLOC_FAILED = 3,
    GA_CUBLAS_STATUS_INVALID_VALUE = 7,
    GA_CUBLAS_STATUS_ARCH_MISMATCH = 8,
    GA_CUBLAS_STATUS_MAPPING_ERROR = 11,
    GA_CUBLAS_STATUS_EXECUTION_FAILED = 13,
    GA_CUBLAS_STATUS_INTERNAL_ERROR = 14,
    GA_CUBLAS_STATUS_NOT_SUPPORTED = 15,
    GA_CUBLAS_STATUS_LICENSE_ERROR = 16
};

/* cublasOperation_t */
enum { GA_CUBLAS_OP_N = 0, GA_CUBLAS_OP_T = 1, GA_CUBLAS_OP_C = 2 };

/* cudaDataType_t */
enum {
    GA_CUDA_R_32F = 0, GA_CUDA_R_64F = 1, GA_CUDA_R_16F = 2,
    GA_CUDA_C_32F = 4, GA_CUDA_C_64F = 5, GA_CUDA_R_16BF = 14
};

/* cublasComputeType_t (CUDA 11+) and cublasGemmAlgo_t */
enum { GA_CUBLAS_COMPUTE_32F = 68, GA_CUBLAS_COMPUTE_64F = 70 };
enum { GA_CUBLAS_GEMM_DEFAULT = -1 };

typedef struct ga_cublas_api {
#define CUBLAS_REQ(ret, name, params) ret (*name) params;
#define CUBLAS_OPT(ret, name, params) ret (*name) params;
#include "libcublas.fn"
#undef CUBLAS_REQ
#undef CUBLAS_OPT
} ga_cublas_api;

/* Filled by ga_cublas_load; optional entries may stay NULL. */
GA_INTERNAL extern ga_cublas_api ga_cublas;

/* Load cuBLAS once per process (thread-safe). Searched: $GPUARRAY_CUBLAS
 * (a path), libcublas.so.13/.12/.11 on the dynamic linker's path,
 * $CUDA_PATH/lib64, $CUDA_HOME/lib64, /usr/local/cuda/lib64, and the
 * nvidia/cublas/lib and nvidia/cu13/lib dirs of pip wheels under the
 * site-packages directories of GPUARRAY_NVRTC_SEARCH_PATH. On failure every
 * call returns GA_ERROR_NO_DRIVER again, with a detail listing every
 * place tried. */
GA_INTERNAL ga_status ga_cublas_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_cublas_path(void);
/* "CUBLAS_STATUS_..." for a status (never NULL). */
GA_INTERNAL const char *ga_cublas_status_name(cublasStatus_t status);

#endif /* GPUARRAY_LOADERS_LIBCUBLAS_H */
