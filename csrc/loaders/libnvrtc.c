/* libnvrtc.c - find and dlopen NVRTC at first use, resolve libnvrtc.fn. */
#define _GNU_SOURCE /* dladdr */
#include "libnvrtc.h"
#include "strbuf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ga_nvrtc_api ga_nvrtc;

/* Newest first: a machine with several toolkits gets the newest NVRTC. The
 * unversioned name last, as it exists only where a toolkit's dev files are. */
static const char *const nvrtc_names[] = {
    "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2",
    "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so",
};
#define NUM_NAMES (sizeof nvrtc_names / sizeof nvrtc_names[0])

/* Where pip's NVIDIA wheels put NVRTC under a site-packages directory
 * (nvidia-cuda-nvrtc-cu12 and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cuda_nvrtc/lib", "nvidia/cu13/lib" };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static ga_status load_status = GA_ERROR_NO_COMPILER;
static char *load_detail;      /* list of places tried, kept for later calls */
static char *loaded_path;
static void *nvrtc_handle;     /* never closed: ga_nvrtc points into it */

static int resolve_all(void *h, const char **missing)
{
    ga_nvrtc_api api;
    memset(&api, 0, sizeof api);
    /* dlsym returns void*; going through memcpy keeps -Wpedantic quiet about
     * object-to-function pointer conversion. */
#define NVRTC_REQ(ret, name, params)                                   \
    {                                                                  \
        void *p = dlsym(h, #name);                                     \
        if (!p) {                                                      \
            *missing = #name;                                          \
            return 0;                                                  \
        }                                                              \
        memcpy(&api.name, &p, sizeof p);                               \
    }
#define NVRTC_OPT(ret, name, params)                                   \
    {                                                                  \
        void *p = dlsym(h, #name);                                     \
        memcpy(&api.name, &p, sizeof p);                               \
    }
#include "libnvrtc.fn"
#undef NVRTC_REQ
#undef NVRTC_OPT
    ga_nvrtc = api;
    return 1;
}

/* Try one candidate; on success the library stays open and the table is
 * filled. Every outcome goes into `tried` so a failure can say why. */
static int try_open(const char *path, strbuf *tried, int *not_found)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        /* Plain absence of a soname is summarised by the caller; any other
         * failure (wrong architecture, missing dependency) is worth a line. */
        if (not_found && (!why || strstr(why, "cannot open shared object file"))) {
            *not_found = 1;
            return 0;
        }
        sb_add(tried, "  %s: %s\n", path, why ? why : "dlopen failed");
        return 0;
    }
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not NVRTC, or too old)\n", path, missing);
        dlclose(h);
        return 0;
    }
    int major = 0, minor = 0;
    if (ga_nvrtc.nvrtcVersion(&major, &minor) != GA_NVRTC_SUCCESS) {
        sb_add(tried, "  %s: nvrtcVersion failed\n", path);
        memset(&ga_nvrtc, 0, sizeof ga_nvrtc);
        dlclose(h);
        return 0;
    }
    /* The path the dynamic linker actually used (a soname resolves to a
     * full path only at load time). */
    Dl_info info;
    void *sym;
    memcpy(&sym, &ga_nvrtc.nvrtcVersion, sizeof sym);
    const char *where = (dladdr(sym, &info) && info.dli_fname && info.dli_fname[0])
                            ? info.dli_fname : path;
    loaded_path = strdup(where);
    nvrtc_handle = h;
    return 1;
}

/* One directory: only the names that exist are dlopen'd, the rest are
 * summarised in one line so the detail stays readable. */
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
        if (snprintf(path, sizeof path, "%s/%s", dir, nvrtc_names[i]) >= (int)sizeof path)
            continue;
        if (access(path, F_OK) != 0)
            continue;
        found = 1;
        if (try_open(path, tried, NULL))
            return 1;
    }
    if (!found)
        sb_add(tried, "  %s/: no libnvrtc.so* there\n", dir);
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

/* GPUARRAY_NVRTC_SEARCH_PATH: site-packages directories, ':'-separated,
 * set by the Python layer from sys.path (C cannot see sys.path). */
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
            for (size_t k = 0; k < sizeof wheel_subdirs / sizeof wheel_subdirs[0]; k++) {
                char dir[4096];
                snprintf(dir, sizeof dir, "%.*s/%s", (int)n, p, wheel_subdirs[k]);
                struct stat st;
                /* Most site-packages have no NVIDIA wheel: not worth a line
                 * each in the detail. */
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

    const char *override = getenv("GPUARRAY_NVRTC");
    if (override && override[0])
        ok = try_open(override, &tried, NULL);
    int absent = 0;
    for (size_t i = 0; !ok && i < NUM_NAMES; i++)
        ok = try_open(nvrtc_names[i], &tried, &absent);
    if (!ok && absent)
        sb_add(&tried, "  the dynamic linker's search path (LD_LIBRARY_PATH, ld.so.cache): "
                       "no libnvrtc.so.13/.12/.11.2/.11.1/.11.0 or libnvrtc.so\n");
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
    sb_add(&d, "NVRTC (the CUDA runtime compiler) was not found; set GPUARRAY_NVRTC to "
               "the path of libnvrtc.so, or install the CUDA toolkit or the "
               "nvidia-cuda-nvrtc wheel. Tried:\n%s", tried.s ? tried.s : "");
    free(tried.s);
    load_detail = d.s;
    load_status = GA_ERROR_NO_COMPILER;
}

ga_status ga_nvrtc_load(void)
{
    pthread_once(&load_once, load_run);
    if (load_status != GA_OK)
        return ga_error(load_status, "%s", load_detail ? load_detail : "NVRTC was not found");
    return GA_OK;
}

const char *ga_nvrtc_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

const char *ga_nvrtc_load_detail(void)
{
    pthread_once(&load_once, load_run);
    return load_detail ? load_detail : "";
}
