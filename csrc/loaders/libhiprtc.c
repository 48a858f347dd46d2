/* libhiprtc.c - find and dlopen hiprtc at first use, resolve libhiprtc.fn. */
#include "libhiprtc.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_hiprtc_api ga_hiprtc;

/* The separate library first (6.0 and later), newest first; then the HIP
 * runtime itself, which carries hiprtc in ROCm 5.x (and 6.x). */
static const char *const hiprtc_names[] = {
    "libhiprtc.so.7", "libhiprtc.so.6", "libhiprtc.so.5", "libhiprtc.so",
    "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so",
};

static const char *const hip_root_envs[] = { "ROCM_PATH", "HIP_PATH" };
static const char *const hip_dirs[] = {
    "/opt/rocm/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;
static int rocm_version;

static int resolve_all(void *h, const char **missing)
{
    ga_hiprtc_api api;
    memset(&api, 0, sizeof api);
#define HIPRTC_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#include "libhiprtc.fn"
#undef HIPRTC_REQ
    ga_hiprtc = api;
    return 1;
}

/* Which ROCm: the HIP runtime in the same file says so without a GPU
 * (5.x); a separate libhiprtc.so.N names its major release. */
static int rocm_version_of(void *h, const char *path)
{
    void *sym = dlsym(h, "hipRuntimeGetVersion");
    if (sym) {
        int (*get)(int *);
        memcpy(&get, &sym, sizeof sym);
        int v = 0;
        if (get(&v) == 0 && v > 0)
            return v;
    }
    const char *so = strstr(path, ".so.");
    if (so && so[4] >= '1' && so[4] <= '9')
        return atoi(so + 4) * 10000000;
    return 0;
}

static int accept_hiprtc(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (no hiprtc in it)\n", path, missing);
        return 0;
    }
    int major = 0, minor = 0;
    if (ga_hiprtc.hiprtcVersion(&major, &minor) != GA_HIPRTC_SUCCESS) {
        sb_add(tried, "  %s: hiprtcVersion failed\n", path);
        memset(&ga_hiprtc, 0, sizeof ga_hiprtc);
        return 0;
    }
    void *sym;
    memcpy(&sym, &ga_hiprtc.hiprtcVersion, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    rocm_version = rocm_version_of(h, loaded_path);
    return 1;
}

static const lib_search hiprtc_search = {
    .override_env = "GPUARRAY_HIPRTC",
    .names = hiprtc_names,
    .num_names = sizeof hiprtc_names / sizeof hiprtc_names[0],
    .names_text = "libhiprtc.so.7/.6/.5, libhiprtc.so or libamdhip64.so.6/.5",
    .pattern_text = "libhiprtc.so* or libamdhip64.so*",
    .accept = accept_hiprtc,
    .root_envs = hip_root_envs,
    .num_root_envs = sizeof hip_root_envs / sizeof hip_root_envs[0],
    .root_subdir = "lib",
    .dirs = hip_dirs,
    .num_dirs = sizeof hip_dirs / sizeof hip_dirs[0],
    .override_only = 1,
    .install_hint = "install ROCm's hiprtc (Debian/Ubuntu: apt-get install libamdhip64-dev; "
                    "newer releases: libhiprtc6 or libhiprtc7)",
};

static lib_loader hiprtc_loader = {
    .search = &hiprtc_search,
    .library = "hiprtc",
    .role = "the HIP runtime compiler, needed to compile kernels for AMD GPUs",
    .file = "libhiprtc.so",
    .wheel = "",
    .failure = GA_ERROR_NO_COMPILER,
};

static void load_run(void)
{
    lib_loader_run(&hiprtc_loader);
}

ga_status ga_hiprtc_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&hiprtc_loader);
}

const char *ga_hiprtc_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

int ga_hiprtc_rocm_version(void)
{
    pthread_once(&load_once, load_run);
    return rocm_version;
}

void ga_hiprtc_search_fingerprint(strbuf *sb)
{
    lib_search_fingerprint(&hiprtc_search, ga_hiprtc_path(), sb);
}
