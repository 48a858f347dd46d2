/* libcublas.c - find and dlopen cuBLAS at first use (libsearch.c's order),
 * resolve libcublas.fn. */
#include "libcublas.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_cublas_api ga_cublas;

static const char *const cublas_names[] = {
    "libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so",
};

/* Where pip's NVIDIA wheels put cuBLAS under a site-packages directory
 * (nvidia-cublas-cu12, and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cublas/lib", "nvidia/cu13/lib" };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;

static int resolve_all(void *h, const char **missing)
{
    ga_cublas_api api;
    memset(&api, 0, sizeof api);
#define CUBLAS_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#define CUBLAS_OPT(ret, name, params) LIB_SYM_OPTIONAL(h, api, name)
#include "libcublas.fn"
#undef CUBLAS_REQ
#undef CUBLAS_OPT
    ga_cublas = api;
    return 1;
}

/* libsearch's accept: fill ga_cublas from `h`. */
static int accept_cublas(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not cuBLAS, or older than 11.0)\n", path, missing);
        return 0;
    }
    void *sym;
    memcpy(&sym, &ga_cublas.cublasCreate_v2, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    return 1;
}

/* The wheels' site-packages come from GPUARRAY_NVRTC_SEARCH_PATH too: one
 * list serves both libraries. */
static const lib_search cublas_search = {
    .override_env = "GPUARRAY_CUBLAS",
    .names = cublas_names,
    .num_names = sizeof cublas_names / sizeof cublas_names[0],
    .names_text = "libcublas.so.13/.12/.11 or libcublas.so",
    .pattern_text = "libcublas.so*",
    .wheel_subdirs = wheel_subdirs,
    .num_wheel_subdirs = sizeof wheel_subdirs / sizeof wheel_subdirs[0],
    .accept = accept_cublas,
};

static lib_loader cublas_loader = {
    .search = &cublas_search,
    .library = "cuBLAS",
    .role = "needed for matmul/dot on CUDA",
    .file = "libcublas.so",
    .wheel = "nvidia-cublas",
    .failure = GA_ERROR_NO_DRIVER,
};

static void load_run(void)
{
    lib_loader_run(&cublas_loader);
}

ga_status ga_cublas_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&cublas_loader);
}

const char *ga_cublas_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

const char *ga_cublas_status_name(cublasStatus_t status)
{
    switch (status) {
    case GA_CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case GA_CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case GA_CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case GA_CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case GA_CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case GA_CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case GA_CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case GA_CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case GA_CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case GA_CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}
