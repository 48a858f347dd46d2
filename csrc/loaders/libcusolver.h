/* libcusolver.h - cuSOLVER (dense) loaded at run time: the few types
 * gpuarray needs and one table of entry points filled by dlopen/dlsym (see
 * libcusolver.fn). */
#ifndef GPUARRAY_LOADERS_LIBCUSOLVER_H
#define GPUARRAY_LOADERS_LIBCUSOLVER_H

#include "libcublas.h"

#include <stdint.h>

/* Declared here rather than taken from cusolverDn.h: the build must need
 * no CUDA toolkit. The values are cuSOLVER's ABI (cusolver_common.h of
 * CUDA 11 and newer); data types and fill modes are cuBLAS's. */
typedef int cusolverStatus_t;
typedef struct cusolverDnContext *cusolverDnHandle_t;
typedef struct cusolverDnParams *cusolverDnParams_t;
typedef struct gesvdjInfo *gesvdjInfo_t;
typedef struct syevjInfo *syevjInfo_t;

enum {
    GA_CUSOLVER_STATUS_SUCCESS = 0,
    GA_CUSOLVER_STATUS_NOT_INITIALIZED = 1,
    GA_CUSOLVER_STATUS_ALLOC_FAILED = 2,
    GA_CUSOLVER_STATUS_INVALID_VALUE = 3,
    GA_CUSOLVER_STATUS_ARCH_MISMATCH = 4,
    GA_CUSOLVER_STATUS_MAPPING_ERROR = 5,
    GA_CUSOLVER_STATUS_EXECUTION_FAILED = 6,
    GA_CUSOLVER_STATUS_INTERNAL_ERROR = 7,
    GA_CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED = 8,
    GA_CUSOLVER_STATUS_NOT_SUPPORTED = 9,
    GA_CUSOLVER_STATUS_ZERO_PIVOT = 10,
    GA_CUSOLVER_STATUS_INVALID_LICENSE = 11
};

/* cublasFillMode_t and cusolverEigMode_t */
enum { GA_CUBLAS_FILL_MODE_LOWER = 0, GA_CUBLAS_FILL_MODE_UPPER = 1 };
enum { GA_CUSOLVER_EIG_MODE_NOVECTOR = 0, GA_CUSOLVER_EIG_MODE_VECTOR = 1 };

typedef struct ga_cusolver_api {
#define CUSOLVER_REQ(ret, name, params) ret (*name) params;
#define CUSOLVER_OPT(ret, name, params) ret (*name) params;
#include "libcusolver.fn"
#undef CUSOLVER_REQ
#undef CUSOLVER_OPT
} ga_cusolver_api;

/* Filled by ga_cusolver_load; optional entries may stay NULL. */
GA_INTERNAL extern ga_cusolver_api ga_cusolver;

/* Load cuSOLVER once per process (thread-safe). Searched: $GPUARRAY_CUSOLVER
 * (a path; when set, the only place tried), libcusolver.so.13/.12/.11 and
 * libcusolver.so on the dynamic linker's path (CUDA 13 ships .so.12),
 * $CUDA_PATH/lib64, $CUDA_HOME/lib64, /usr/local/cuda/lib64, and the
 * nvidia/cusolver/lib and nvidia/cu13/lib dirs of pip wheels under the
 * site-packages directories of GPUARRAY_NVRTC_SEARCH_PATH. cuSOLVER's own
 * DT_NEEDED entries (libcublas, libcublasLt, libcusparse, libnvJitLink)
 * resolve through its RUNPATH $ORIGIN, i.e. from its own directory. On
 * failure every call returns GA_ERROR_NO_DRIVER again, with a detail
 * listing every place tried. */
GA_INTERNAL ga_status ga_cusolver_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_cusolver_path(void);
/* "CUSOLVER_STATUS_..." for a status (never NULL). */
GA_INTERNAL const char *ga_cusolver_status_name(cusolverStatus_t status);

#endif /* GPUARRAY_LOADERS_LIBCUSOLVER_H */
