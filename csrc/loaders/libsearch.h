/* libsearch.h - where the loaders look for a CUDA library they dlopen at run
 * time (NVRTC, cuBLAS), in one order for all of them, with a detail that
 * lists every place tried. */
#ifndef GPUARRAY_LOADERS_LIBSEARCH_H
#define GPUARRAY_LOADERS_LIBSEARCH_H

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
} lib_search;

/* Search, in order: $override_env; the names on the dynamic linker's path;
 * $CUDA_PATH/lib64, $CUDA_HOME/lib64 and /usr/local/cuda/lib64; the wheel
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

#endif /* GPUARRAY_LOADERS_LIBSEARCH_H */
