/* libcublas.c - find and dlopen cuBLAS at first use, resolve libcublas.fn.
 * The search follows libnvrtc.c's: sonames newest first, the toolkit's lib
 * dirs, then pip wheels; the detail of a failure lists every place tried. */
#define _GNU_SOURCE /* dladdr */
#include "libcublas.h"
#include "strbuf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ga_cublas_api ga_cublas;

static const char *const cublas_names[] = {
    "libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so",
};
#define NUM_NAMES (sizeof cublas_names / sizeof cublas_names[0])

/* Where pip's NVIDIA wheels put cuBLAS under a site-packages directory
 * (nvidia-cublas-cu12, and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cublas/lib", "nvidia/cu13/lib" };
#define NUM_WHEEL_SUBDIRS (sizeof wheel_subdirs / sizeof wheel_subdirs[0])

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static ga_status load_status = GA_ERROR_NO_DRIVER;
static char *load_detail;
static char *loaded_path;

static int resolve_all(void *h, const char **missing)
{
    ga_cublas_api api;
    memset(&api, 0, sizeof api);
#define CUBLAS_REQ(ret, name, params)                                  \
    {                                                                  \
        void *p = dlsym(h, #name);                                     \
        if (!p) {                                                      \
            *missing = #name;                                          \
            return 0;                                                  \
        }                                                              \
        memcpy(&api.name, &p, sizeof p);                               \
    }
#define CUBLAS_OPT(ret, name, params)                                  \
    {                                                                  \
        void *p = dlsym(h, #name);                                     \
        memcpy(&api.name, &p, sizeof p);                               \
    }
#include "libcublas.fn"
#undef CUBLAS_REQ
#undef CUBLAS_OPT
    ga_cublas = api;
    return 1;
}

static int try_open(const char *path, strbuf *tried, int *not_found)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        if (not_found && (!why || strstr(why, "cannot open shared object file"))) {
            *not_found = 1;
            return 0;
        }
        sb_add(tried, "  %s: %s\n", path, why ? why : "dlopen failed");
        return 0;
    }
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not cuBLAS, or older than 11.0)\n", path, missing);
        dlclose(h);
        return 0;
    }
    Dl_info info;
    void *sym;
    memcpy(&sym, &ga_cublas.cublasCreate_v2, sizeof sym);
    const char *where = (dladdr(sym, &info) && info.dli_fname && info.dli_fname[0])
                            ? info.dli_fname : path;
    loaded_path = strdup(where);
    return 1;   /* never closed: ga_cublas points into it */
}

static int try_dir(const char *dir, strbuf *tried)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        sb_add(tried, "  %s/: no such directory\n", dir);
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < NUM_NAMES; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, cublas_names[i]) >= (int)sizeof path)
            continue;
        if (access(path, F_OK) != 0)
            continue;
        found = 1;
        if (try_open(path, tried, NULL))
            return 1;
    }
    if (!found)
        sb_add(tried, "  %s/: no libcublas.so* there\n", dir);
    return 0;
}

static int try_env_dir(const char *var, strbuf *tried)
{
    const char *root = getenv(var);
    if (!root || !root[0])
        return 0;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/lib64", root) >= (int)sizeof dir)
        return 0;
    return try_dir(dir, tried);
}

/* The site-packages directories the Python layer puts in
 * GPUARRAY_NVRTC_SEARCH_PATH (C cannot see sys.path): one list serves both
 * libraries. */
static int try_wheels(strbuf *tried)
{
    const char *list = getenv("GPUARRAY_NVRTC_SEARCH_PATH");
    if (!list || !list[0]) {
        sb_add(tried, "  pip wheels: not searched (GPUARRAY_NVRTC_SEARCH_PATH is not set)\n");
        return 0;
    }
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < 3000) {
            for (size_t k = 0; k < NUM_WHEEL_SUBDIRS; k++) {
                char dir[4096];
                snprintf(dir, sizeof dir, "%.*s/%s", (int)n, p, wheel_subdirs[k]);
                struct stat st;
                if (stat(dir, &st) != 0)
                    continue;
                if (try_dir(dir, tried))
                    return 1;
            }
        }
        p += n;
        if (*p == ':')
            p++;
    }
    sb_add(tried, "  GPUARRAY_NVRTC_SEARCH_PATH: no %s or %s under any of %s\n",
           wheel_subdirs[0], wheel_subdirs[1], list);
    return 0;
}

static void load_run(void)
{
    strbuf tried = { 0 };
    int ok = 0;
    const char *override = getenv("GPUARRAY_CUBLAS");
    if (override && override[0])
        ok = try_open(override, &tried, NULL);
    int absent = 0;
    for (size_t i = 0; !ok && i < NUM_NAMES; i++)
        ok = try_open(cublas_names[i], &tried, &absent);
    if (!ok && absent)
        sb_add(&tried, "  the dynamic linker's search path (LD_LIBRARY_PATH, ld.so.cache): "
                       "no libcublas.so.13/.12/.11 or libcublas.so\n");
    if (!ok)
        ok = try_env_dir("CUDA_PATH", &tried);
    if (!ok)
        ok = try_env_dir("CUDA_HOME", &tried);
    if (!ok)
        ok = try_dir("/usr/local/cuda/lib64", &tried);
    if (!ok)
        ok = try_wheels(&tried);
    if (ok) {
        load_status = GA_OK;
        free(tried.s);
        return;
    }
    strbuf d = { 0 };
    sb_add(&d, "cuBLAS (needed for matmul/dot on CUDA) was not found; set GPUARRAY_CUBLAS to "
               "the path of libcublas.so, or install the CUDA toolkit or the nvidia-cublas "
               "wheel. Tried:\n%s", tried.s ? tried.s : "");
    free(tried.s);
    load_detail = d.s;
    load_status = GA_ERROR_NO_DRIVER;
}

ga_status ga_cublas_load(void)
{
    pthread_once(&load_once, load_run);
    if (load_status != GA_OK)
        return ga_error(load_status, "%s", load_detail ? load_detail : "cuBLAS was not found");
    return GA_OK;
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
