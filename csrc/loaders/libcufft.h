/* libcufft.h - cuFFT loaded at run time: the few types gpuarray needs and
 * one table of entry points filled by dlopen/dlsym (see libcufft.fn). */
#ifndef GPUARRAY_LOADERS_LIBCUFFT_H
#define GPUARRAY_LOADERS_LIBCUFFT_H

#include "libcuda.h"

/* Declared here rather than taken from cufft.h: the build must need no
 * CUDA toolkit. The values are cuFFT's ABI (cufft.h of CUDA 11 to 13). */
typedef int cufftResult;
typedef int cufftHandle;

enum {
    GA_CUFFT_SUCCESS = 0x0,
    GA_CUFFT_INVALID_PLAN = 0x1,
    GA_CUFFT_ALLOC_FAILED = 0x2,
    GA_CUFFT_INVALID_TYPE = 0x3,
    GA_CUFFT_INVALID_VALUE = 0x4,
    GA_CUFFT_INTERNAL_ERROR = 0x5,
    GA_CUFFT_EXEC_FAILED = 0x6,
    GA_CUFFT_SETUP_FAILED = 0x7,
    GA_CUFFT_INVALID_SIZE = 0x8,
    GA_CUFFT_UNALIGNED_DATA = 0x9,
    GA_CUFFT_INVALID_DEVICE = 0xB,
    GA_CUFFT_NO_WORKSPACE = 0xD,
    GA_CUFFT_NOT_IMPLEMENTED = 0xE,
    GA_CUFFT_NOT_SUPPORTED = 0x10,
    GA_CUFFT_MISSING_DEPENDENCY = 0x11,
    GA_CUFFT_NVRTC_FAILURE = 0x12,
    GA_CUFFT_NVJITLINK_FAILURE = 0x13,
    GA_CUFFT_NVSHMEM_FAILURE = 0x14
};

/* cufftType */
enum {
    GA_CUFFT_R2C = 0x2a, GA_CUFFT_C2R = 0x2c, GA_CUFFT_C2C = 0x29,
    GA_CUFFT_D2Z = 0x6a, GA_CUFFT_Z2D = 0x6c, GA_CUFFT_Z2Z = 0x69
};

/* The direction argument of cufftExecC2C/Z2Z. */
enum { GA_CUFFT_FORWARD = -1, GA_CUFFT_INVERSE = 1 };

typedef struct ga_cufft_api {
#define CUFFT_REQ(ret, name, params) ret (*name) params;
#define CUFFT_OPT(ret, name, params) ret (*name) params;
#include "libcufft.fn"
#undef CUFFT_REQ
#undef CUFFT_OPT
} ga_cufft_api;

/* Filled by ga_cufft_load; optional entries may stay NULL. */
GA_INTERNAL extern ga_cufft_api ga_cufft;

/* Load cuFFT once per process (thread-safe). Searched: $GPUARRAY_CUFFT
 * (a path), libcufft.so.13/.12/.11 (CUDA 13 ships .12, CUDA 12 .11) and
 * libcufft.so on the dynamic linker's path, $CUDA_PATH/lib64,
 * $CUDA_HOME/lib64, /usr/local/cuda/lib64, and the nvidia/cufft/lib and
 * nvidia/cu13/lib dirs of pip wheels under the site-packages directories
 * of GPUARRAY_NVRTC_SEARCH_PATH. On failure every call returns
 * GA_ERROR_NO_DRIVER again, with a detail listing every place tried. */
GA_INTERNAL ga_status ga_cufft_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_cufft_path(void);
/* cufftGetVersion of the loaded library (e.g. 12000), 0 if none. */
GA_INTERNAL int ga_cufft_version(void);
/* "CUFFT_..." for a result code (never NULL). */
GA_INTERNAL const char *ga_cufft_result_name(cufftResult result);

#endif /* GPUARRAY_LOADERS_LIBCUFFT_H */
