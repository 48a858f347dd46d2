/* libsearch.h - where the loaders look for a CUDA library they dlopen at run
 * time (NVRTC, cuBLAS), in one order for all of them, with a detail that
 * lists every place tried. */
#ifndef GPUARRAY_LOADERS_LIBSEARCH_H
#define GPUARRAY_LOADERS_LIBSEARCH_H

#include "ga_private.h"
#include "strbuf.h"

#include <stddef.h>

typedef struct lib_search {
    const char *override_env;            /* a path to try first, e.g. "GPUARRAY_NVRTC" */
    const char *const *names;            /* file names, newest first */
    size_t num_names;
    const char *names_text;              /* for "no ... on the linker's path" lines */
    const char *pattern_text;            /* for "no ... there" lines, e.g. "libnvrtc.so*" */
    const char *const *wheel_subdirs;    /* under a site-packages directory */
    size_t num_wheel_subdirs;
    /* Fill the library's table from a dlopen'd handle: 1 to keep it, or 0
     * after adding a line to `tried` saying why not (the handle is then
     * closed). */
    int (*accept)(void *handle, const char *path, strbuf *tried);
    /* 1: when $override_env is set, it is the only place tried (a library
     * named on purpose that cannot be used is an error, not a reason to
     * load another one silently). */
    int override_only;
    /* Where else to look, for libraries that are not CUDA's. NULL/0 keep
     * the CUDA places ($CUDA_PATH/lib64, $CUDA_HOME/lib64,
     * /usr/local/cuda/lib64). root_envs: variables naming an install root,
     * searched in $VAR/root_subdir; dirs: fixed directories after them. */
    const char *const *root_envs;
    size_t num_root_envs;
    const char *root_subdir;             /* e.g. "lib" */
    const char *const *dirs;
    size_t num_dirs;
    /* How to install the library, for the not-found detail; NULL = "the
     * CUDA toolkit or the <wheel> wheel". */
    const char *install_hint;
} lib_search;

/* Search, in order: $override_env; the names on the dynamic linker's path;
 * $CUDA_PATH/lib64, $CUDA_HOME/lib64 and /usr/local/cuda/lib64 (or the
 * search's own root_envs and dirs, e.g. $ROCM_PATH/lib, /opt/rocm/lib); the wheel
 * subdirectories of each site-packages directory in
 * GPUARRAY_NVRTC_SEARCH_PATH (set by the Python layer: C cannot see
 * sys.path). Returns the accepted handle (never closed: the table points
 * into it), or NULL with every place tried in *tried. */
GA_INTERNAL void *lib_search_run(const lib_search *s, strbuf *tried);

/* Append to *sb a line that changes when anything lib_search_run depends
 * on does: its variables, the dynamic linker's cache, every directory it
 * looks in, and `library` (the file it found) with its directory. Each
 * file or directory enters as device, inode, size and modification time. */
GA_INTERNAL void lib_search_fingerprint(const lib_search *s, const char *library, strbuf *sb);

/* The file the dynamic linker loaded `symbol` from (a soname resolves to a
 * full path only at load time), as a new string; `fallback` if unknown. */
GA_INTERNAL char *lib_loaded_path(void *symbol, const char *fallback);

/* Resolve one entry of a library's X-macro symbol list (*.fn) into the
 * table `api` from handle `h`, inside a function returning int: a missing
 * required symbol stores its name in *missing and returns 0; a missing
 * optional one leaves NULL. dlsym returns void*; going through memcpy keeps
 * -Wpedantic quiet about object-to-function pointer conversion. */
#define LIB_SYM_REQUIRED(h, api, name, missing)                        \
    {                                                                  \
        void *p_ = dlsym(h, #name);                                    \
        if (!p_) {                                                     \
            *(missing) = #name;                                        \
            return 0;                                                  \
        }                                                              \
        memcpy(&(api).name, &p_, sizeof p_);                           \
    }
#define LIB_SYM_OPTIONAL(h, api, name)                                 \
    {                                                                  \
        void *p_ = dlsym(h, #name);                                    \
        memcpy(&(api).name, &p_, sizeof p_);                           \
    }

/* A library loaded once per process by lib_search_run, and what a failure
 * said, kept for every later call. The loader's file runs lib_loader_run
 * under its own pthread_once and answers with lib_loader_status. */
typedef struct lib_loader {
    const lib_search *search;
    const char *library;     /* "cuFFT" */
    const char *role;        /* "needed for gpuarray.fft on CUDA" */
    const char *file;        /* "libcufft.so", for "set $override_env to the path of ..." */
    const char *wheel;       /* "nvidia-cufft", for "... or install the ... wheel" */
    ga_status failure;       /* the status of a failed load */
    ga_status status;        /* set by lib_loader_run */
    char *detail;            /* the failure's text: every place tried */
} lib_loader;

/* Search; on failure build the detail: what is missing and why it is
 * needed, how to provide it, every place tried, and (override_only
 * searches whose variable is set) where else the search would look. */
GA_INTERNAL void lib_loader_run(lib_loader *l);

/* GA_OK once loaded, else l->failure raised with the detail. */
GA_INTERNAL ga_status lib_loader_status(const lib_loader *l);

#endif /* GPUARRAY_LOADERS_LIBSEARCH_H */
