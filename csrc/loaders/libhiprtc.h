/* libhiprtc.h - hiprtc loaded at run time: its few types and one table of
 * entry points filled by dlopen/dlsym (see libhiprtc.fn). ROCm 5.x exports
 * hiprtc from libamdhip64 itself; from 6.0 it is libhiprtc.so.6 (.7), and
 * 7.0 dropped it from libamdhip64. Loading it needs no GPU and no hipInit. */
#ifndef GPUARRAY_LOADERS_LIBHIPRTC_H
#define GPUARRAY_LOADERS_LIBHIPRTC_H

#include "ga_private.h"
#include "strbuf.h"

#include <stddef.h>

typedef int hiprtcResult;
typedef struct _hiprtcProgram *hiprtcProgram;

/* hiprtcResult values (ROCm's hiprtc.h; they follow NVRTC's). */
enum {
    GA_HIPRTC_SUCCESS = 0,
    GA_HIPRTC_ERROR_OUT_OF_MEMORY = 1,
    GA_HIPRTC_ERROR_INVALID_INPUT = 3,
    GA_HIPRTC_ERROR_INVALID_OPTION = 5,
    GA_HIPRTC_ERROR_COMPILATION = 6,
    GA_HIPRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    GA_HIPRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10,
    GA_HIPRTC_ERROR_INTERNAL_ERROR = 11
};

typedef struct ga_hiprtc_api {
#define HIPRTC_REQ(ret, name, params) ret (*name) params;
#include "libhiprtc.fn"
#undef HIPRTC_REQ
} ga_hiprtc_api;

GA_INTERNAL extern ga_hiprtc_api ga_hiprtc;

/* Load hiprtc once per process (thread-safe). On failure every call
 * returns GA_ERROR_NO_COMPILER again, the detail listing every place tried. */
GA_INTERNAL ga_status ga_hiprtc_load(void);
/* Path of the loaded library, or "" when none is loaded. */
GA_INTERNAL const char *ga_hiprtc_path(void);
/* The ROCm release the loaded hiprtc belongs to, as HIP numbers versions
 * (major*10000000 + minor*100000 + patch, e.g. 50221153), or major*10000000
 * where only the soname tells (libhiprtc.so.6); 0 when none is loaded. */
GA_INTERNAL int ga_hiprtc_rocm_version(void);
/* Append a line to *sb that changes when anything the search reads does. */
GA_INTERNAL void ga_hiprtc_search_fingerprint(strbuf *sb);

#endif /* GPUARRAY_LOADERS_LIBHIPRTC_H */
