/* ga_private.h - what the core and the backends share: the backend table,
 * the handle structs behind the public opaque types, and error helpers.
 * Nothing outside csrc/core, csrc/backends and csrc/loaders includes this. */
#ifndef GPUARRAY_CORE_GA_PRIVATE_H
#define GPUARRAY_CORE_GA_PRIVATE_H

/* strdup, strnlen, dladdr, RTLD_* extensions: POSIX/GNU, not plain C11. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "gpuarray.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>

#define GA_INTERNAL __attribute__((visibility("hidden")))

/* ------------------------------------------------------------ error state */

/* Record a failure on this thread: status + printf-style detail. Returns
 * `status` so call sites read `return ga_error(GA_ERROR_..., "...")`. */
GA_INTERNAL ga_status ga_error(ga_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, also recording the backend's own code and error name. */
GA_INTERNAL ga_status ga_error_driver(ga_status status, int code, const char *code_name,
                                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Store the full compiler log of a failed compile (kept apart from the
 * detail so that it survives later errors' details on the same thread). */
GA_INTERNAL void ga_error_set_compile_log(const char *log);

/* ------------------------------------------------------- compiled output */

/* What a backend compiler returns; the core owns and caches it. All
 * buffers are malloc'd; ga_compiled_output_clear frees them. */
typedef struct ga_compiled_output {
    ga_image_kind kind;
    void *image;             /* cubin bytes, PTX text (NUL-terminated), or a
                                host shared object */
    size_t image_size;       /* bytes (PTX: including the NUL) */
    char *ptx;               /* PTX text or NULL */
    size_t ptx_size;
    char *log;               /* compiler log ("" when silent) */
    char **lowered_names;    /* one per request->name_expressions, or NULL */
    int num_lowered_names;
} ga_compiled_output;

GA_INTERNAL void ga_compiled_output_clear(ga_compiled_output *out);

/* A runtime compiler's lowered-name lookup (nvrtcGetLoweredName,
 * hiprtcGetLoweredName): the mangled name of `expression` in `program`, or
 * NULL with *why set to the compiler's error name. */
typedef const char *(*ga_lowered_name_fn)(void *program, const char *expression,
                                          const char **why);
/* Fill out->lowered_names with one copy per name expression of `req`,
 * looked up with `lookup`; `name` names the source in the error. */
GA_INTERNAL ga_status ga_compiled_output_set_lowered_names(ga_compiled_output *out,
                                                           const ga_compile_request *req,
                                                           const char *name,
                                                           ga_lowered_name_fn lookup,
                                                           void *program);

/* ----------------------------------------------------------- backend table */

/* One backend = one file that fills one const table. Natives are the
 * backend's own handles (CUcontext, CUstream, CUevent, CUmodule,
 * CUfunction), passed as void*. A NULL stream native is the null stream. */
struct ga_gemm_desc;   /* below; the gemm slot takes one */

typedef struct ga_backend_ops {
    const char *name;

    /* Load libraries and initialise the driver; called once. The detail
     * says what was tried when it fails. */
    ga_status (*init)(void);
    int (*driver_version)(void);
    const char *(*driver_path)(void);

    ga_status (*device_count)(int *count);
    /* Fill dev->native (the context) and dev->native_device, retaining the
     * device's primary context. dev->ordinal is already set. */
    ga_status (*device_open)(ga_device *dev);
    /* Make the device's context current on the calling thread (cheap when
     * it already is). */
    ga_status (*device_activate)(ga_device *dev);
    ga_status (*device_name)(ga_device *dev, char *name, size_t len);
    ga_status (*device_attribute)(ga_device *dev, int attribute, int *value);
    ga_status (*device_mem_info)(ga_device *dev, size_t *free_bytes, size_t *total_bytes);
    ga_status (*device_synchronize)(ga_device *dev);

    /* Stream-ordered pool allocation. Must return GA_ERROR_OUT_OF_MEMORY
     * (not a generic error) when memory is exhausted. */
    ga_status (*mem_alloc)(ga_device *dev, size_t nbytes, void *stream, ga_devptr *ptr);
    ga_status (*mem_free)(ga_device *dev, ga_devptr ptr, void *stream);
    /* Optional: the ordinal of the device `ptr` belongs to. */
    ga_status (*pointer_device)(ga_devptr ptr, int *ordinal);
    /* Optional: 1 when allocations must keep their exact size (bounds
     * checking), which turns the block cache off. */
    int (*exact_allocations)(void);
    /* Bytes the pool holds from the driver (live + cached). */
    ga_status (*pool_reserved)(ga_device *dev, size_t *bytes);
    /* Give cached blocks back (caller has synchronized the device). */
    ga_status (*pool_trim)(ga_device *dev);

    ga_status (*host_alloc)(size_t nbytes, void **ptr);
    ga_status (*host_free)(void *ptr);
    int (*host_is_pinned)(const void *ptr);

    /* Asynchronous copies and fill, queued on `stream`. */
    ga_status (*copy_htod)(ga_device *dev, ga_devptr dst, const void *src, size_t n, void *stream);
    ga_status (*copy_dtoh)(ga_device *dev, void *dst, ga_devptr src, size_t n, void *stream);
    ga_status (*copy_dtod)(ga_device *dev, ga_devptr dst, ga_devptr src, size_t n, void *stream);
    ga_status (*memset)(ga_device *dev, ga_devptr dst, uint32_t pattern, size_t elem_size,
                        size_t nbytes, void *stream);
    /* A copy between two devices (never the same one), queued on `stream`
     * (a stream of dst_dev; NULL = its null stream). It starts after the
     * work already queued on src_dev's null stream and blocking streams,
     * and src_dev's work queued later on those streams (a free of the
     * source, a write to it) waits for it. NULL slot: unsupported. */
    ga_status (*copy_peer)(ga_device *dst_dev, ga_devptr dst, ga_device *src_dev, ga_devptr src,
                           size_t n, void *stream);
    /* *can = 1 when `dev` can address `peer`'s memory directly. */
    ga_status (*device_can_access_peer)(ga_device *dev, ga_device *peer, int *can);

    ga_status (*stream_create)(ga_device *dev, unsigned flags, void **stream);
    ga_status (*stream_destroy)(ga_device *dev, void *stream);
    ga_status (*stream_synchronize)(ga_device *dev, void *stream);
    ga_status (*stream_query)(ga_device *dev, void *stream, int *done);
    ga_status (*stream_wait_event)(ga_device *dev, void *stream, void *event);

    ga_status (*event_create)(ga_device *dev, unsigned flags, void **event);
    ga_status (*event_destroy)(ga_device *dev, void *event);
    ga_status (*event_record)(ga_device *dev, void *event, void *stream);
    ga_status (*event_synchronize)(ga_device *dev, void *event);
    ga_status (*event_query)(ga_device *dev, void *event, int *done);
    ga_status (*event_elapsed)(ga_device *dev, void *start, void *end, float *ms);

    /* Compiler: load it (once; detail says where it was looked for), its
     * version (major*1000 + minor*10) and path, the architecture to target
     * for a device of compute capability `device_arch` (e.g. 90; 0 = no
     * device: the newest supported) and whether that target is real
     * (cubin) or virtual (PTX fallback), and the compile itself. */
    ga_status (*compiler_load)(void);
    int (*compiler_version)(void);
    const char *(*compiler_path)(void);
    ga_status (*compiler_target)(int device_arch, int *arch, int *is_real);
    /* Optional: a backend that answered the above from a record without
     * loading its compiler loads it now, before a compile, and says
     * whether the answers change (*changed = 1: recompute target and key). */
    ga_status (*compiler_confirm)(int *changed);
    ga_status (*compile)(const ga_compile_request *req, int arch, int is_real,
                         ga_compiled_output *out);
    /* Whatever else decides the compiled code and is not in the request or
     * the version (the host backend's runtime ABI, prelude text and
     * command line), as a string for the cache key; NULL slot = nothing. */
    const char *(*compiler_fingerprint)(void);

    /* 1 when copies from pageable host memory are slow enough that
     * bouncing them through pinned buffers pays (staging.c). */
    int stage_pageable_copies;

    ga_status (*module_load)(ga_device *dev, ga_image_kind kind, const void *image, size_t size,
                             void **module);
    ga_status (*module_unload)(ga_device *dev, void *module);
    ga_status (*module_get_function)(ga_device *dev, void *module, const char *name, void **function);
    ga_status (*module_get_global)(ga_device *dev, void *module, const char *name, ga_devptr *ptr,
                                   size_t *size);
    ga_status (*function_attribute)(ga_device *dev, void *function, int attribute, int *value);
    ga_status (*function_set_attribute)(ga_device *dev, void *function, int attribute, int value);
    /* Offset and size of parameter `index`; GA_ERROR_NOT_FOUND past the
     * last one; GA_ERROR_UNSUPPORTED when the driver cannot tell. */
    ga_status (*function_param_layout)(ga_device *dev, void *function, int index, size_t *offset,
                                       size_t *size);
    ga_status (*launch)(ga_device *dev, void *function, const unsigned grid[3], const unsigned block[3],
                        size_t shared_mem, void *stream, void **args);
    /* Row-major gemm (blas.c); NULL = the backend has none. */
    ga_status (*gemm)(ga_device *dev, void *stream, const struct ga_gemm_desc *g);
    /* FFT plans (fft.c); NULL = the backend has none. */
    const struct ga_fft_ops *fft;
    /* Stream capture into graphs (graph.c); NULL slots: no graphs. end
     * instantiates the captured work as *graph (the backend's executable
     * graph). */
    ga_status (*stream_begin_capture)(ga_device *dev, void *stream, int mode);
    ga_status (*stream_end_capture)(ga_device *dev, void *stream, void **graph);
    ga_status (*graph_launch)(ga_device *dev, void *graph, void *stream);
    ga_status (*graph_upload)(ga_device *dev, void *graph, void *stream);
    ga_status (*graph_destroy)(ga_device *dev, void *graph);
    /* 1 when memory allocated during a capture exists only once the graph
     * has been launched (CUDA's graph memory nodes): never launched, it
     * is not freed. */
    int capture_allocs_need_launch;
    /* Dense factorizations (solver.c); NULL = the backend has none. Takes
     * the stream itself: workspaces are allocated on it. */
    ga_status (*solver)(ga_device *dev, ga_stream *stream, const ga_solver_desc *d);
    /* Optional: the compiler_target argument for `dev` when its compute
     * capability is not it (HIP: the gfx number of gcnArchName); NULL =
     * cc_major * 10 + cc_minor. */
    int (*device_compile_arch)(ga_device *dev);
} ga_backend_ops;

/* A backend's FFT plans: the layout is checked by fft.c first; `native`
 * is the backend's plan. */
typedef struct ga_fft_ops {
    ga_status (*plan_create)(ga_device *dev, ga_fft_type type, ga_dtype real_dtype,
                             const ga_fft_layout *layout, void **native, size_t *work_size);
    ga_status (*execute)(ga_device *dev, void *native, void *stream, ga_devptr in, ga_devptr out,
                         int inverse);
    ga_status (*plan_destroy)(ga_device *dev, void *native);
} ga_fft_ops;
GA_INTERNAL extern const ga_fft_ops ga_cuda_fft_ops;   /* cuda_fft.c */

/* One (strided batched) gemm as ga_gemm_strided_batched describes it,
 * checked by blas.c before a backend sees it. */
typedef struct ga_gemm_desc {
    ga_dtype dtype;
    ga_blas_op transa, transb;
    int64_t m, n, k;
    double alpha[2], beta[2];
    ga_devptr a, b, c;
    int64_t lda, ldb, ldc;
    int64_t stride_a, stride_b, stride_c;   /* elements */
    int64_t batch;
} ga_gemm_desc;

/* The active backend (set by ga_init), NULL before. */
GA_INTERNAL extern const ga_backend_ops *ga_backend;
GA_INTERNAL extern const ga_backend_ops ga_cuda_backend;
GA_INTERNAL extern const ga_backend_ops ga_host_backend;
GA_INTERNAL extern const ga_backend_ops ga_hip_backend;     /* backends/hip/hip.c */
/* The backends' gemm slots (cuda_blas.c, host_blas.c). */
GA_INTERNAL ga_status ga_cuda_gemm(ga_device *dev, void *stream, const struct ga_gemm_desc *g);
GA_INTERNAL ga_status ga_host_gemm(ga_device *dev, void *stream, const struct ga_gemm_desc *g);
/* The CUDA backend's solver slot and cuSOLVER's path (cuda_solver.c). */
GA_INTERNAL ga_status ga_cuda_solver(ga_device *dev, ga_stream *stream, const ga_solver_desc *d);
GA_INTERNAL ga_status ga_cuda_solver_library(const char **path);

/* The table whose compiler to use: the active backend (ga_init is run
 * first), else, where no backend initialises, the CUDA table, whose
 * compiler (NVRTC) works with no driver and no GPU. Never NULL. */
GA_INTERNAL const ga_backend_ops *ga_compiler_ops(void);

/* ------------------------------------------------------------ handles */

/* Small freed blocks kept per stream for reuse (block_cache.c). */
#define GA_CACHE_MIN_SHIFT 9                       /* 512 bytes */
#define GA_CACHE_CLASSES 12                        /* 512 B .. 1 MiB */
#define GA_CACHE_MAX_BYTES ((size_t)1 << (GA_CACHE_MIN_SHIFT + GA_CACHE_CLASSES - 1))
#define GA_CACHE_DEPTH 32

typedef struct ga_cached_block {
    ga_devptr ptr;
    ga_stream *stream;           /* freed on (not retained: see ga_stream_release) */
} ga_cached_block;

typedef struct ga_block_cache {
    pthread_mutex_t lock;
    int enabled;
    int count[GA_CACHE_CLASSES];
    ga_cached_block blocks[GA_CACHE_CLASSES][GA_CACHE_DEPTH];
} ga_block_cache;

struct ga_device {
    int ordinal;
    void *native;                /* CUcontext */
    int native_device;           /* CUdevice */
    int cc_major, cc_minor;
    int max_threads_per_block;
    int max_block[3];
    int max_grid[3];
    int max_shared_per_block;       /* default limit */
    int max_shared_per_block_optin; /* after raising the function's limit */
    void *pool;                  /* CUmemoryPool of the device, or NULL */
    _Atomic size_t used_bytes;   /* bytes in live ga_buffers */
    _Atomic size_t pool_limit;   /* 0 = unlimited */
    struct ga_staging *staging;  /* pinned bounce buffers (copy.c), lazy */
    pthread_mutex_t staging_lock;
    ga_block_cache block_cache;
    _Atomic int captures;        /* streams of this device capturing now (graph.c) */
};

struct ga_stream {
    ga_device *device;
    void *native;
    unsigned flags;
    _Atomic int refcount;        /* the user's + one per live buffer */
    int external;                /* wrapped (ga_stream_wrap): never destroyed here */
    struct ga_capture *capture;  /* while capturing (graph.c), else NULL */
};

struct ga_event {
    ga_device *device;
    void *native;
    unsigned flags;
    _Atomic int recorded;
};

struct ga_buffer {
    ga_device *device;
    ga_devptr ptr;
    size_t size;
    ga_stream *stream;           /* allocation stream (retained), NULL = null stream */
    struct ga_capture *capture;  /* the capture it was allocated in (retained), or NULL */
};

#define GA_PROGRAM_MAX_DEVICES 16

struct ga_program {
    _Atomic int refcount;
    ga_compiled_output out;
    char *source;                /* NULL for images */
    char **name_expressions;     /* as requested, parallel to out.lowered_names */
    int arch;
    ga_cache_source cache_source;
    /* The module this program is loaded as, per device ordinal (weak: the
     * module retains the program; guarded by module.c's lock). Loading the
     * same program again on a device shares it, as CuPy does. */
    ga_module *loaded[GA_PROGRAM_MAX_DEVICES];
};

struct ga_function {
    ga_module *module;
    void *native;
    char *name;                  /* as asked for (a name expression, perhaps) */
    ga_param *params;            /* NULL until first asked */
    int num_params;
    int params_known;
    int params_ready;
    ga_function *next;           /* the module's list */
};

struct ga_module {
    _Atomic int refcount;        /* one per ga_module_load_* that returned it */
    ga_device *device;
    void *native;
    ga_program *program;         /* retained, NULL for raw images */
    char *ptx_text;              /* copy of PTX loaded as data, for params */
    pthread_mutex_t lock;        /* guards the function list */
    ga_function *functions;
};

/* Stream helpers for the core: retain/release keep a stream alive while
 * buffers allocated on it live. */
GA_INTERNAL void ga_stream_retain(ga_stream *stream);
GA_INTERNAL ga_status ga_stream_release(ga_stream *stream);

/* Pinned bounce buffers for large pageable copies (staging.c). The htod
 * form returns once the source may be reused; the dtoh form returns once
 * the data has arrived. */
GA_INTERNAL int ga_staging_worthwhile(const void *host, size_t nbytes);
GA_INTERNAL ga_status ga_staged_htod(ga_device *dev, ga_devptr dst, const void *src, size_t nbytes,
                                     void *stream);
GA_INTERNAL ga_status ga_staged_dtoh(ga_device *dev, void *dst, ga_devptr src, size_t nbytes,
                                     void *stream);

/* The block cache (block_cache.c). init: at device open. alloc_size: the
 * bytes to ask the driver for so that the block can be cached later.
 * take: a cached block of `nbytes`' class freed on `stream`, or 0. put:
 * keep a block being freed (1), or 0 when the caller must free it. */
GA_INTERNAL void ga_block_cache_init(ga_device *dev);
GA_INTERNAL size_t ga_block_cache_alloc_size(const ga_device *dev, size_t nbytes);
GA_INTERNAL ga_devptr ga_block_cache_take(ga_device *dev, size_t nbytes, ga_stream *stream);
GA_INTERNAL int ga_block_cache_put(ga_device *dev, size_t nbytes, ga_stream *stream, ga_devptr ptr);
GA_INTERNAL ga_status ga_block_cache_release_stream(ga_device *dev, ga_stream *stream);
GA_INTERNAL ga_status ga_block_cache_release_all(ga_device *dev);

/* Captures (graph.c). A ga_capture lives while its stream captures and
 * while its graph or a buffer allocated in it lives; it keeps the buffers
 * freed during the capture, or allocated in it, until then.
 * ga_capture_keep_free: `buffer` is being freed and belongs to a capture
 * (it was allocated in one, or its stream captures): the capture takes
 * its memory (1), or 0 when the caller frees it as usual.
 * ga_capture_check: GA_ERROR_UNSUPPORTED naming `what` when `stream`
 * captures (work that cannot be recorded). */
GA_INTERNAL int ga_capture_keep_free(ga_buffer *buffer);
GA_INTERNAL ga_status ga_capture_check(ga_stream *stream, const char *what);
GA_INTERNAL void ga_capture_retain(struct ga_capture *cap);
GA_INTERNAL void ga_capture_release(struct ga_capture *cap);

/* memcpy of a big block split over a few threads (parallel_copy.c); a
 * plain memcpy below 1 MiB. For the staged pageable copies. */
GA_INTERNAL void ga_parallel_memcpy(void *dst, const void *src, size_t nbytes);

/* ga_init() plus the device's context made current; the common prologue. */
GA_INTERNAL ga_status ga_device_enter(ga_device *dev);

/* Fill in offset and size of each parameter from the C ABI of its dtype
 * (pointers are 8 bytes). Parameters of UNKNOWN value type keep a preset
 * size (PTX aggregates; alignment = largest power of two dividing it, at
 * most 8); from C source they have size 0. */
GA_INTERNAL void ga_params_layout(ga_param *params, int count);

#endif /* GPUARRAY_CORE_GA_PRIVATE_H */
