/* libnvrtc.h - NVRTC loaded at run time: the few types gpuarray needs and
 * one table of entry points filled by dlopen/dlsym (see libnvrtc.fn). */
#ifndef GPUARRAY_LOADERS_LIBNVRTC_H
#define GPUARRAY_LOADERS_LIBNVRTC_H

#include "ga_private.h"
#include "strbuf.h"

#include <stddef.h>

/* Declared here rather than taken from nvrtc.h: the build must need no CUDA
 * toolkit. The values are NVRTC's ABI and do not change between releases. */
typedef int nvrtcResult;
typedef struct _nvrtcProgram *nvrtcProgram;

enum {
    GA_NVRTC_SUCCESS = 0,
    GA_NVRTC_ERROR_OUT_OF_MEMORY = 1,
    GA_NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    GA_NVRTC_ERROR_INVALID_INPUT = 3,
    GA_NVRTC_ERROR_INVALID_PROGRAM = 4,
    GA_NVRTC_ERROR_INVALID_OPTION = 5,
    GA_NVRTC_ERROR_COMPILATION = 6,
    GA_NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    GA_NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10
};

typedef struct ga_nvrtc_api {
#define NVRTC_REQ(ret, name, params) ret (*name) params;
#define NVRTC_OPT(ret, name, params) ret (*name) params;
#include "libnvrtc.fn"
#undef NVRTC_REQ
#undef NVRTC_OPT
} ga_nvrtc_api;

/* Filled by ga_nvrtc_load; optional entries may stay NULL. */
GA_INTERNAL extern ga_nvrtc_api ga_nvrtc;

/* Load NVRTC once per process (thread-safe). On failure every call returns
 * GA_ERROR_NO_COMPILER again, with a detail listing every place tried. */
GA_INTERNAL ga_status ga_nvrtc_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_nvrtc_path(void);
/* Why loading failed (the list of places tried), or "" after success. */
GA_INTERNAL const char *ga_nvrtc_load_detail(void);
/* Append a line to *sb that changes when anything the search for NVRTC
 * reads does (libsearch.h), with `library` the file found before. */
GA_INTERNAL void ga_nvrtc_search_fingerprint(const char *library, strbuf *sb);

#endif /* GPUARRAY_LOADERS_LIBNVRTC_H */
