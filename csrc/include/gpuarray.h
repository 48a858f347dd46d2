/* gpuarray.h - the public C API of gpuarray: devices, buffers, copies,
 * streams, events, run-time compiled modules and kernel launches.
 *
 * Conventions
 * - Every function that can fail returns a ga_status (GA_OK == 0). On
 *   failure a human-readable detail (driver error name and text, the full
 *   compiler log, the library paths searched, ...) is kept per thread and
 *   read with ga_last_error().
 * - Handles are opaque. Devices are process-wide singletons (never freed);
 *   everything else is created by a *_create / *_alloc / *_load function and
 *   released by the matching *_destroy / *_free / *_unload / *_release.
 * - A NULL ga_stream* means the device's legacy default ("null") stream.
 * - Device addresses are ga_devptr (an integer), so that an offset into a
 *   buffer is a plain addition.
 * - Every call is thread-safe; the device's context is made current on the
 *   calling thread as needed.
 * - The backend (CUDA where a usable GPU exists, else the host backend,
 *   which runs kernels on the CPU; HIP later) is chosen by ga_init();
 *   nothing in this API depends on which one runs.
 */
#ifndef GPUARRAY_H
#define GPUARRAY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define GA_API __attribute__((visibility("default")))
#else
#define GA_API
#endif

/* ------------------------------------------------------------------ status */

typedef enum ga_status {
    GA_OK = 0,
    GA_ERROR_INVALID_VALUE,      /* a bad argument: NULL, negative, too large */
    GA_ERROR_OUT_OF_MEMORY,      /* device memory exhausted (or pool limit) */
    GA_ERROR_HOST_OUT_OF_MEMORY, /* malloc or pinned host allocation failed */
    GA_ERROR_NO_DRIVER,          /* the driver library could not be loaded */
    GA_ERROR_DRIVER_TOO_OLD,     /* a needed entry point / feature is missing */
    GA_ERROR_NO_DEVICE,          /* the backend has no usable device */
    GA_ERROR_INVALID_DEVICE,     /* device ordinal out of range */
    GA_ERROR_NO_COMPILER,        /* NVRTC (or the host compiler) not found */
    GA_ERROR_COMPILE,            /* compilation failed: detail holds the log */
    GA_ERROR_NOT_FOUND,          /* kernel / global name not in a module */
    GA_ERROR_NOT_READY,          /* a query found work still pending */
    GA_ERROR_INVALID_IMAGE,      /* module image (PTX/cubin) did not load */
    GA_ERROR_LAUNCH,             /* launch configuration rejected */
    GA_ERROR_UNSUPPORTED,        /* the backend cannot do this */
    GA_ERROR_IO,                 /* reading or writing a file failed */
    GA_ERROR_DRIVER              /* any other driver error (see detail) */
} ga_status;

/* Short name of a status ("GA_ERROR_OUT_OF_MEMORY"). Never NULL. */
GA_API const char *ga_status_name(ga_status status);

/* The detail of the last failure on this thread ("" if none). The string
 * stays valid until the next failing gpuarray call on the same thread. */
GA_API const char *ga_last_error(void);

/* The backend's own error code of the last failure on this thread (a
 * CUresult for CUDA), or 0 when the failure did not come from the driver. */
GA_API int ga_last_driver_error(void);

/* Backend-native error name ("CUDA_ERROR_INVALID_VALUE") of the last driver
 * failure on this thread, or "" when there was none. */
GA_API const char *ga_last_driver_error_name(void);

/* --------------------------------------------------------- library, config */

/* Select and initialise a backend. Idempotent and thread-safe; every other
 * function calls it implicitly. CUDA where a usable CUDA device exists,
 * else the host backend; GPUARRAY_BACKEND=cuda or =host forces one. Fails
 * (forced CUDA only: the host backend always starts) with
 * GA_ERROR_NO_DRIVER / NO_DEVICE / DRIVER_TOO_OLD and a detail that says
 * why (which libraries were tried, which symbol was missing, ...); an
 * unknown GPUARRAY_BACKEND is GA_ERROR_UNSUPPORTED. */
GA_API ga_status ga_init(void);

/* Name of the active backend ("cuda" or "host"), or NULL before a
 * successful ga_init. */
GA_API const char *ga_backend_name(void);

typedef struct ga_config_info {
    const char *backend;         /* "cuda", "host", or "none" */
    int driver_version;          /* e.g. 13000, 0 if unknown (host: 0) */
    const char *driver_path;     /* path of the loaded driver library or ""
                                    (host: the kernel runtime library) */
    int compiler_version;        /* e.g. 13000 (major*1000 + minor*10), 0 if none
                                    (host: the C++ compiler's, 12020 = 12.2) */
    const char *compiler_path;   /* path of the loaded NVRTC library or ""
                                    (host: the C++ compiler) */
    const char *compiler_detail; /* why the compiler is missing, or "" */
    const char *cache_dir;       /* disk cache of compiled kernels */
} ga_config_info;

/* Fill *info. Fields are valid for the life of the process. Works (with
 * zero/empty fields) when no backend could be initialised. */
GA_API ga_status ga_config(ga_config_info *info);

/* --------------------------------------------------------------- devices */

typedef struct ga_device ga_device;

GA_API ga_status ga_device_count(int *count);
/* Device `ordinal` (0-based). The handle lives as long as the process. */
GA_API ga_status ga_device_get(int ordinal, ga_device **device);
GA_API int ga_device_ordinal(const ga_device *device);
GA_API ga_status ga_device_name(ga_device *device, char *name, size_t len);
GA_API ga_status ga_device_compute_capability(ga_device *device, int *major, int *minor);
/* `attribute` uses the CUDA driver's numbering (CUdevice_attribute, which is
 * also the runtime's cudaDeviceAttr numbering). */
GA_API ga_status ga_device_attribute(ga_device *device, int attribute, int *value);
GA_API ga_status ga_device_mem_info(ga_device *device, size_t *free_bytes, size_t *total_bytes);
/* Block until all work on the device is done (releases nothing; callers in
 * Python release the GIL around it). */
GA_API ga_status ga_device_synchronize(ga_device *device);

/* Attribute numbers used by gpuarray itself (CUDA numbering). */
enum {
    GA_DEV_ATTR_MAX_THREADS_PER_BLOCK = 1,
    GA_DEV_ATTR_MAX_BLOCK_DIM_X = 2,
    GA_DEV_ATTR_MAX_BLOCK_DIM_Y = 3,
    GA_DEV_ATTR_MAX_BLOCK_DIM_Z = 4,
    GA_DEV_ATTR_MAX_GRID_DIM_X = 5,
    GA_DEV_ATTR_MAX_GRID_DIM_Y = 6,
    GA_DEV_ATTR_MAX_GRID_DIM_Z = 7,
    GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 8,
    GA_DEV_ATTR_WARP_SIZE = 10,
    GA_DEV_ATTR_MULTIPROCESSOR_COUNT = 16,
    GA_DEV_ATTR_COMPUTE_CAPABILITY_MAJOR = 75,
    GA_DEV_ATTR_COMPUTE_CAPABILITY_MINOR = 76,
    GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
    GA_DEV_ATTR_MEMORY_POOLS_SUPPORTED = 115
};

/* --------------------------------------------------------------- streams */

typedef struct ga_stream ga_stream;
typedef struct ga_event ga_event;

enum { GA_STREAM_DEFAULT = 0, GA_STREAM_NON_BLOCKING = 1 };

GA_API ga_status ga_stream_create(ga_device *device, unsigned flags, ga_stream **stream);
/* A ga_stream for a CUDA stream another library created (`native`, a
 * CUstream of `device`'s context): usable wherever a ga_stream is, never
 * destroyed by gpuarray (ga_stream_destroy frees the wrapper only, once
 * the buffers allocated on it are gone); the creator must keep it alive
 * that long. GA_ERROR_UNSUPPORTED on the host backend. */
GA_API ga_status ga_stream_wrap(ga_device *device, void *native, ga_stream **stream);
/* Destroying a stream with pending work is allowed: the work completes. */
GA_API ga_status ga_stream_destroy(ga_stream *stream);
GA_API ga_device *ga_stream_device(const ga_stream *stream);
GA_API ga_status ga_stream_synchronize(ga_device *device, ga_stream *stream);
/* *done = 1 if all work is complete, else 0. */
GA_API ga_status ga_stream_query(ga_device *device, ga_stream *stream, int *done);
GA_API ga_status ga_stream_wait_event(ga_device *device, ga_stream *stream, ga_event *event);
/* The backend's native handle (CUstream); NULL for the null stream. */
GA_API void *ga_stream_native(const ga_stream *stream);
/* Order work with a stream gpuarray did not create (interop: the stream
 * key of __cuda_array_interface__, DLPack's stream argument). `native` is
 * the backend's handle: a CUstream, NULL for the legacy default stream,
 * (void *)2 for the per-thread default stream.
 * ga_stream_wait_native: work queued on `stream` from now on waits for the
 * work queued on `native` so far. ga_native_wait_stream: the reverse.
 * Both are asynchronous on CUDA (a transient event). The host backend has
 * no foreign streams: the first synchronizes the device, the second
 * `stream` (so a CPU consumer can read at once). */
GA_API ga_status ga_stream_wait_native(ga_device *device, ga_stream *stream, void *native);
GA_API ga_status ga_native_wait_stream(ga_device *device, void *native, ga_stream *stream);

/* ------------------------------------------------------- graphs (capture) */

/* A graph: the work queued on one stream between ga_stream_begin_capture
 * and ga_stream_end_capture, recorded instead of run, replayed by
 * ga_graph_launch (CUDA graphs on CUDA; the host backend records the
 * stream's tasks and replays them on a worker).
 *
 * While a stream captures: launches, copies between device memory and
 * pinned host memory, and fills are recorded; a copy to or from pageable
 * host memory, a synchronizing call on the stream and any other
 * uncapturable work fail with GA_ERROR_UNSUPPORTED naming it (the capture
 * goes on). Device buffers allocated on the stream come from the
 * stream-ordered pool (on CUDA graph memory nodes: the addresses stay
 * fixed for the graph's life, freed again at each relaunch), never from
 * the block cache; on CUDA they are mapped only once the graph has been
 * launched (touching one before is a fault). Buffers freed on the
 * capturing stream, and buffers
 * allocated during the capture, are given back only once the graph is
 * destroyed: a replay may still use them. Buffers allocated before the
 * capture and used by it must be kept alive by the caller while the graph
 * lives (gpuarray.cuda.Graph holds the arrays its kernels were given). */
typedef struct ga_graph ga_graph;

typedef enum ga_capture_mode {     /* the driver's CUstreamCaptureMode */
    GA_CAPTURE_GLOBAL = 0,
    GA_CAPTURE_THREAD_LOCAL = 1,
    GA_CAPTURE_RELAXED = 2
} ga_capture_mode;

/* The null stream cannot capture (GA_ERROR_INVALID_VALUE); nor can a stream
 * that is capturing already. */
GA_API ga_status ga_stream_begin_capture(ga_stream *stream, ga_capture_mode mode);
/* *capturing = 1 between begin and end. */
GA_API ga_status ga_stream_is_capturing(ga_stream *stream, int *capturing);
/* Ends the capture and instantiates it: *graph is ready to launch. */
GA_API ga_status ga_stream_end_capture(ga_stream *stream, ga_graph **graph);
/* Replay on `stream` (NULL: the null stream), asynchronously. */
GA_API ga_status ga_graph_launch(ga_graph *graph, ga_stream *stream);
/* Upload the graph's work to the device ahead of its first launch. */
GA_API ga_status ga_graph_upload(ga_graph *graph, ga_stream *stream);
/* Allowed with replays in flight: they complete first. */
GA_API ga_status ga_graph_destroy(ga_graph *graph);

/* ---------------------------------------------------------------- events */

enum { GA_EVENT_DEFAULT = 0, GA_EVENT_BLOCKING_SYNC = 1, GA_EVENT_DISABLE_TIMING = 2 };

GA_API ga_status ga_event_create(ga_device *device, unsigned flags, ga_event **event);
GA_API ga_status ga_event_destroy(ga_event *event);
GA_API ga_status ga_event_record(ga_event *event, ga_stream *stream);
GA_API ga_status ga_event_synchronize(ga_event *event);
/* *done = 1 if the recorded work is complete (or never recorded), else 0. */
GA_API ga_status ga_event_query(ga_event *event, int *done);
/* Milliseconds between two recorded, completed, timing-enabled events.
 * Unrecorded events or a timing-disabled event: GA_ERROR_INVALID_VALUE with a
 * detail that says which. */
GA_API ga_status ga_event_elapsed_time(ga_event *start, ga_event *end, float *ms);
GA_API int ga_event_was_recorded(const ga_event *event);
GA_API void *ga_event_native(const ga_event *event);

/* ---------------------------------------------------- device memory (pool) */

typedef uint64_t ga_devptr;
typedef struct ga_buffer ga_buffer;

/* Allocate nbytes (0 allowed: a valid buffer with address 0) of device
 * memory, stream-ordered on `stream` from the device's memory pool. On an
 * out-of-memory failure the pool's cached blocks are released and the
 * allocation is retried once before GA_ERROR_OUT_OF_MEMORY is returned. The
 * pool limit (ga_mempool_set_limit) is honoured. */
GA_API ga_status ga_buffer_alloc(ga_device *device, size_t nbytes, ga_stream *stream, ga_buffer **buffer);
/* Free, stream-ordered on the stream the buffer was allocated on (the
 * memory is reused only after work queued there before the free). */
GA_API ga_status ga_buffer_free(ga_buffer *buffer);
GA_API ga_devptr ga_buffer_ptr(const ga_buffer *buffer);
GA_API size_t ga_buffer_size(const ga_buffer *buffer);
GA_API ga_device *ga_buffer_device(const ga_buffer *buffer);
/* The ordinal of the device whose memory `ptr` points into, for memory
 * gpuarray did not allocate (another library's arrays). GA_ERROR_UNSUPPORTED
 * where the backend cannot tell (the host backend's devices share one
 * memory), GA_ERROR_INVALID_VALUE where the driver does not know `ptr` as
 * device memory. */
GA_API ga_status ga_pointer_device(ga_devptr ptr, int *ordinal);

/* Bytes handed out to live buffers / held by the pool (live + cached). */
GA_API ga_status ga_mempool_used_bytes(ga_device *device, size_t *bytes);
GA_API ga_status ga_mempool_total_bytes(ga_device *device, size_t *bytes);
/* Release cached, unused blocks back to the driver (synchronizes the device). */
GA_API ga_status ga_mempool_free_all_blocks(ga_device *device);
/* Cap on used bytes; 0 means no limit. */
GA_API ga_status ga_mempool_set_limit(ga_device *device, size_t limit);
GA_API ga_status ga_mempool_get_limit(ga_device *device, size_t *limit);

/* ---------------------------------------------------- pinned host memory */

/* Page-locked host memory, so copies from and to it are truly asynchronous
 * and run at full bus speed. */
GA_API ga_status ga_host_alloc(size_t nbytes, void **ptr);
GA_API ga_status ga_host_free(void *ptr);
/* 1 if ptr lies in memory from ga_host_alloc (or otherwise page-locked). */
GA_API int ga_host_is_pinned(const void *ptr);

/* ---------------------------------------------------------------- copies */

/* All copies are queued on `stream` (NULL = null stream).
 * The *_async forms return at once when the host memory is pinned; with
 * pageable host memory they return once the host buffer may be reused.
 * The plain forms return when the copy is complete. */
GA_API ga_status ga_memcpy_htod_async(ga_device *device, ga_devptr dst, const void *src, size_t nbytes, ga_stream *stream);
GA_API ga_status ga_memcpy_dtoh_async(ga_device *device, void *dst, ga_devptr src, size_t nbytes, ga_stream *stream);
GA_API ga_status ga_memcpy_dtod_async(ga_device *device, ga_devptr dst, ga_devptr src, size_t nbytes, ga_stream *stream);
GA_API ga_status ga_memcpy_htod(ga_device *device, ga_devptr dst, const void *src, size_t nbytes, ga_stream *stream);
GA_API ga_status ga_memcpy_dtoh(ga_device *device, void *dst, ga_devptr src, size_t nbytes, ga_stream *stream);
/* Fill nbytes with a repeated pattern of 1, 2 or 4 bytes (nbytes must be a
 * multiple of elem_size and dst aligned to it). Asynchronous on stream. */
GA_API ga_status ga_memset_async(ga_device *device, ga_devptr dst, uint32_t pattern, size_t elem_size, size_t nbytes, ga_stream *stream);

/* ------------------------------------------------- copies between devices */

/* *can = 1 when `device` can address `peer`'s memory directly (NVLink or
 * PCIe peer-to-peer), else 0. As in CUDA, a device is not its own peer
 * (*can = 0 when device == peer). The host backend's simulated devices
 * share one address space: 1 for any two different ones. */
GA_API ga_status ga_device_can_access_peer(ga_device *device, ga_device *peer, int *can);

/* Copy nbytes from `src` on src_device to `dst` on dst_device, queued on
 * `stream`, which must be a stream of dst_device (NULL = dst_device's null
 * stream). Peer-to-peer where ga_device_can_access_peer says so (access is
 * enabled once per pair of devices, on first use), else staged through
 * host memory by the driver; the call never needs the caller to enable
 * anything. Ordering: the copy starts after the work queued on `stream`
 * and after the work already queued on src_device's null stream and
 * blocking streams; work queued on those streams of src_device afterwards
 * (freeing the source, overwriting it) waits for the copy. Work on
 * src_device's non-blocking streams is the caller's to order (an event).
 * With src_device == dst_device it is ga_memcpy_dtod_async. */
GA_API ga_status ga_memcpy_peer_async(ga_device *dst_device, ga_devptr dst, ga_device *src_device,
                                      ga_devptr src, size_t nbytes, ga_stream *stream);
/* The same, returning when the copy is complete. */
GA_API ga_status ga_memcpy_peer(ga_device *dst_device, ga_devptr dst, ga_device *src_device,
                                ga_devptr src, size_t nbytes, ga_stream *stream);

/* ------------------------------------------------------------ compilation */

typedef struct ga_program ga_program;

typedef enum ga_image_kind {
    GA_IMAGE_NONE = 0,
    GA_IMAGE_CUBIN = 1,   /* device code for one real architecture */
    GA_IMAGE_PTX = 2,     /* NUL-terminated PTX text */
    GA_IMAGE_FATBIN = 3,
    GA_IMAGE_HOST_SO = 4, /* the host backend's compiled kernels: a shared
                             object for this machine (dlopen'ed to load) */
    GA_IMAGE_AMDGPU = 5   /* an AMD GPU code object (ELF, EM_AMDGPU) for
                             one gfx target: what hiprtc makes */
} ga_image_kind;

typedef struct ga_compile_request {
    const char *source;                     /* CUDA C++ source text */
    const char *source_name;                /* for diagnostics; NULL = "kernel.cu" */
    const char *const *options;             /* compiler options (may be NULL) */
    int num_options;
    const char *const *name_expressions;    /* e.g. "scale<float>" (may be NULL) */
    int num_name_expressions;
    int arch;                /* 0 = the device's (or, with no device, the
                                newest the compiler supports); e.g. 90 */
    int no_cache;            /* 1 = neither read nor write the caches */
} ga_compile_request;

/* Where ga_program_compile found the program. */
typedef enum ga_cache_source {
    GA_CACHE_MISS = 0,       /* freshly compiled */
    GA_CACHE_MEMORY = 1,     /* in-process cache */
    GA_CACHE_DISK = 2        /* on-disk cache */
} ga_cache_source;

/* Compile (or fetch from cache) a program. `device` may be NULL: the target
 * architecture is then request->arch or the compiler's newest. On failure
 * with GA_ERROR_COMPILE, ga_last_error() holds the full compiler log, and
 * ga_compile_error_log() too. The result is reference counted. */
GA_API ga_status ga_program_compile(ga_device *device, const ga_compile_request *request, ga_program **program);
/* The same through the compiler of the backend named `backend` ("cuda",
 * "hip", "host"), whichever backend is active and with no device and no
 * driver initialised: code for a machine other than this one. For "hip",
 * request->arch is the gfx number read as hex (gfx90a = 0x90a; 0 = gfx90a). */
GA_API ga_status ga_program_compile_backend(const char *backend, const ga_compile_request *request,
                                            ga_program **program);
GA_API void ga_program_retain(ga_program *program);
GA_API void ga_program_release(ga_program *program);
/* The loadable image (CUBIN, or PTX when the compiler is older than the
 * device). */
GA_API const void *ga_program_image(const ga_program *program, size_t *size, ga_image_kind *kind);
/* PTX text of the program (NULL when not available). */
GA_API const char *ga_program_ptx(const ga_program *program, size_t *size);
GA_API const char *ga_program_log(const ga_program *program);
/* The mangled name of a name expression given at compile time, or NULL. */
GA_API const char *ga_program_lowered_name(const ga_program *program, const char *name_expression);
GA_API ga_cache_source ga_program_cache_source(const ga_program *program);
GA_API int ga_program_arch(const ga_program *program);
/* The source the program was compiled from (used to read kernel parameter
 * types); NULL for programs created from images. */
GA_API const char *ga_program_source(const ga_program *program);

/* The full log of the last failed compile on this thread ("" if none). */
GA_API const char *ga_compile_error_log(void);

/* The disk cache directory ($GPUARRAY_CACHE_DIR, else
 * $XDG_CACHE_HOME/gpuarray, else ~/.cache/gpuarray). */
GA_API const char *ga_cache_dir(void);
/* Drop the in-memory compile cache (the disk cache stays). */
GA_API void ga_cache_clear_memory(void);

/* ------------------------------------------------------ modules, functions */

typedef struct ga_module ga_module;
typedef struct ga_function ga_function;

/* Load a compiled program (retained by the module). */
GA_API ga_status ga_module_load_program(ga_device *device, ga_program *program, ga_module **module);
/* Load an image from memory: PTX text (size may be 0: NUL-terminated) or
 * cubin/fatbin bytes. */
GA_API ga_status ga_module_load_data(ga_device *device, ga_image_kind kind, const void *image, size_t size, ga_module **module);
/* Load a .ptx, .cubin or .fatbin file (kind from the contents). */
GA_API ga_status ga_module_load_file(ga_device *device, const char *path, ga_module **module);
/* Release a module. Loading one program twice on a device returns the same
 * module (reference counted); the last unload frees it, and functions
 * obtained from it become invalid then. */
GA_API ga_status ga_module_unload(ga_module *module);
GA_API ga_device *ga_module_device(const ga_module *module);

/* Look up a kernel by its name, or by a name expression given at compile
 * time ("scale<float>"). The function is owned by the module. */
GA_API ga_status ga_module_get_function(ga_module *module, const char *name, ga_function **function);
/* Address and size of a __device__ / __constant__ global. */
GA_API ga_status ga_module_get_global(ga_module *module, const char *name, ga_devptr *ptr, size_t *size);

/* Function attributes, CUDA numbering (CUfunction_attribute). */
enum {
    GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK = 0,
    GA_FUNC_ATTR_SHARED_SIZE_BYTES = 1,
    GA_FUNC_ATTR_CONST_SIZE_BYTES = 2,
    GA_FUNC_ATTR_LOCAL_SIZE_BYTES = 3,
    GA_FUNC_ATTR_NUM_REGS = 4,
    GA_FUNC_ATTR_PTX_VERSION = 5,
    GA_FUNC_ATTR_BINARY_VERSION = 6,
    GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8
};
GA_API ga_status ga_function_attribute(ga_function *function, int attribute, int *value);
GA_API ga_status ga_function_set_attribute(ga_function *function, int attribute, int value);
GA_API const char *ga_function_name(const ga_function *function);
GA_API ga_module *ga_function_module(const ga_function *function);

/* ----------------------------------------------------- kernel parameters */

/* Element types gpuarray knows, also used for kernel parameter types. */
typedef enum ga_dtype {
    GA_DTYPE_UNKNOWN = 0,  /* a type gpuarray cannot name (struct, template) */
    GA_BOOL, GA_INT8, GA_UINT8, GA_INT16, GA_UINT16, GA_INT32, GA_UINT32,
    GA_INT64, GA_UINT64, GA_FLOAT16, GA_BFLOAT16, GA_FLOAT32, GA_FLOAT64,
    GA_COMPLEX64, GA_COMPLEX128,
    GA_DTYPE_VOID,         /* only as a pointee: void* */
    GA_DTYPE_COUNT
} ga_dtype;

GA_API size_t ga_dtype_size(ga_dtype dtype);   /* 0 for UNKNOWN / VOID */
GA_API const char *ga_dtype_name(ga_dtype dtype);

typedef enum ga_param_kind {
    GA_PARAM_VALUE = 0,    /* passed by value: dtype says which (or UNKNOWN) */
    GA_PARAM_POINTER = 1   /* a pointer: dtype is the pointee (VOID/UNKNOWN =
                              any) */
} ga_param_kind;

typedef struct ga_param {
    ga_param_kind kind;
    ga_dtype dtype;
    int is_const;          /* pointee is const */
    size_t size;           /* bytes in the argument buffer */
    size_t offset;         /* offset in the argument buffer */
    char name[64];         /* declared name, or "" when unknown */
    char type_text[64];    /* declared type as written, e.g. "const float*" */
} ga_param;

/* The kernel's declared parameters, read from its CUDA C source (including
 * template instantiations given as name expressions), from PTX, or, for
 * cubin, from the driver's parameter layout (types then UNKNOWN).
 * *params stays valid as long as the function. *known = 0 when nothing at
 * all could be learnt (no count check possible). */
GA_API ga_status ga_function_params(ga_function *function, const ga_param **params, int *count, int *known);

/* Parse the parameters of kernel `name` (a plain name or a name expression
 * like "scale<float, 4>") in CUDA C `source`. Returns GA_ERROR_NOT_FOUND if
 * no __global__ function of that name is found. Offsets/sizes follow the
 * C ABI of the parsed types (UNKNOWN types get size 0). *params is malloc'd
 * and freed by the caller with free(). */
GA_API ga_status ga_parse_kernel_params(const char *source, const char *name, ga_param **params, int *count);
/* The same from PTX text for entry `name`. */
GA_API ga_status ga_parse_ptx_params(const char *ptx, const char *name, ga_param **params, int *count);

/* --------------------------------------------------------------- launches */

/* Launch `function` on grid x block threads with `shared_mem` bytes of
 * dynamic shared memory on `stream`. `args` points to one pointer per
 * parameter, each to the argument's bytes (the CUDA kernelParams form).
 * Grid and block are checked against the device's limits first
 * (GA_ERROR_LAUNCH with a detail naming the limit). */
GA_API ga_status ga_launch(ga_function *function, const unsigned grid[3], const unsigned block[3],
                           size_t shared_mem, ga_stream *stream, void **args);

/* ------------------------------------------------------------------- BLAS */

/* How a gemm operand is read: as stored, transposed, or conjugate
 * transposed. */
typedef enum ga_blas_op { GA_BLAS_N = 0, GA_BLAS_T = 1, GA_BLAS_C = 2 } ga_blas_op;

/* C = alpha op(A) op(B) + beta C, queued on `stream`, with ROW-MAJOR
 * matrices (the C and NumPy layout; the CUDA backend hands cuBLAS the
 * transposed problem C^T = op(B)^T op(A)^T, which costs nothing):
 *   op(A) is m x k: A[i*lda + p] (GA_BLAS_N, lda >= max(1,k)) or A[p*lda + i]
 *   (T/C, lda >= max(1,m)); op(B) is k x n likewise (ldb >= max(1,n) for N,
 *   max(1,k) for T/C); C is m x n, C[i*ldc + j], ldc >= max(1,n).
 * Leading dimensions and strides count elements, not bytes. dtype is one of
 * GA_FLOAT16, GA_BFLOAT16 (both computed in float, rounded once),
 * GA_FLOAT32, GA_FLOAT64, GA_COMPLEX64, GA_COMPLEX128; alpha and beta are
 * {real, imaginary} (imaginary ignored for real types). When beta is 0, C
 * is not read (NaN in it does not propagate). k == 0 gives C = beta C.
 * CUDA: cuBLAS, loaded at first use (GA_ERROR_NO_DRIVER with the places
 * searched when absent), one handle per device and concurrent caller,
 * bound to `stream` per call; float32 uses full float precision (no
 * TF32). Host: the stream is synchronized first, then the product is
 * computed on the calling thread's behalf on all cores (blocking). */
GA_API ga_status ga_gemm(ga_device *device, ga_stream *stream, ga_blas_op transa, ga_blas_op transb,
                         int64_t m, int64_t n, int64_t k, ga_dtype dtype, const double alpha[2],
                         ga_devptr A, int64_t lda, ga_devptr B, int64_t ldb, const double beta[2],
                         ga_devptr C, int64_t ldc);
/* `batch` independent gemms as above, the i-th on A + i*stride_a, B +
 * i*stride_b, C + i*stride_c (elements; a stride of 0 reuses the operand,
 * which is how a broadcast operand is passed; the C strides must keep the
 * outputs apart). */
GA_API ga_status ga_gemm_strided_batched(ga_device *device, ga_stream *stream, ga_blas_op transa,
                                         ga_blas_op transb, int64_t m, int64_t n, int64_t k,
                                         ga_dtype dtype, const double alpha[2], ga_devptr A,
                                         int64_t lda, int64_t stride_a, ga_devptr B, int64_t ldb,
                                         int64_t stride_b, const double beta[2], ga_devptr C,
                                         int64_t ldc, int64_t stride_c, int64_t batch);

/* -------------------------------------------------------------------- FFT */

/* A cuFFT-style plan: `batch` transforms of rank 1..3, each element of
 * transform b at index (x[, y[, z]]) read at
 *   in + (b*idist + ((x*inembed[1] + y)*inembed[2] + z)*istride) elements
 * (the advanced data layout of cuFFT; inembed[0] is not used) and written
 * likewise with onembed/ostride/odist. n is the logical size; a real-to-
 * complex transform reads n real numbers and writes n[rank-1]/2+1 complex
 * ones along the last dimension (complex-to-real the reverse). Strides,
 * distances and embeds count elements of each side's own type. */
typedef enum ga_fft_type { GA_FFT_C2C = 0, GA_FFT_R2C = 1, GA_FFT_C2R = 2 } ga_fft_type;
#define GA_FFT_MAX_RANK 3

typedef struct ga_fft_layout {
    int rank;
    int64_t n[GA_FFT_MAX_RANK];
    int64_t inembed[GA_FFT_MAX_RANK], istride, idist;
    int64_t onembed[GA_FFT_MAX_RANK], ostride, odist;
    int64_t batch;
} ga_fft_layout;

typedef struct ga_fft_plan ga_fft_plan;

/* A plan on `device` for `type` in the precision of `real_dtype`
 * (GA_FLOAT32: complex64 data, GA_FLOAT64: complex128). CUDA: cuFFT,
 * loaded at first use (GA_ERROR_NO_DRIVER with the places searched when
 * absent); the plan owns its work area (ga_fft_plan_work_size bytes of
 * device memory) until destroyed. The host backend has no plans
 * (GA_ERROR_UNSUPPORTED): gpuarray.fft calls NumPy's pocketfft there. */
GA_API ga_status ga_fft_plan_create(ga_device *device, ga_fft_type type, ga_dtype real_dtype,
                                    const ga_fft_layout *layout, ga_fft_plan **plan);
GA_API ga_status ga_fft_plan_work_size(const ga_fft_plan *plan, size_t *bytes);
/* Queue the transforms on `stream` (a stream of the plan's device; NULL =
 * its null stream), unnormalised in both directions. `inverse` selects
 * exp(+2 pi i jk/n): it must be 0 for R2C and 1 for C2R. A C2R transform
 * may overwrite its input (cuFFT does); in == out is an in-place
 * transform. One plan may be used from several threads (its stream is
 * set and the transform queued under a lock). */
GA_API ga_status ga_fft_execute(ga_fft_plan *plan, ga_stream *stream, ga_devptr in, ga_devptr out,
                                int inverse);
GA_API ga_status ga_fft_plan_destroy(ga_fft_plan *plan);
/* Load the backend's FFT library without a device (cuFFT on CUDA and on
 * the host backend alike, since dlopen needs no GPU): its path and
 * version. GA_ERROR_NO_DRIVER naming every place searched when absent. */
GA_API ga_status ga_fft_library(const char **path, int *version);
/* ---------------------------------------------------------------- solver */

/* Dense LAPACK-style factorizations (gpuarray.linalg's engine). Unlike
 * ga_gemm, matrices are COLUMN-MAJOR, as LAPACK and cuSOLVER take them:
 * element (i, j) of A is A[i + j*lda]; leading dimensions and strides count
 * elements. Each call runs `batch` independent problems, the i-th on
 * a + i*stride_a, b + i*stride_b, ... and writes its LAPACK info (0 = done,
 * > 0 = the numerical failure LAPACK reports: a zero pivot, a minor that
 * is not positive definite, no convergence) to info[i] (int32; info may be
 * 0, and is then not written). Reading info is the caller's business: it
 * costs a device-to-host copy, which a stream capture cannot contain. */
typedef enum ga_solver_op {
    GA_SOLVER_GETRF = 0,  /* a (m x n) := its LU factors; ipiv (int64, min(m, n), 1-based) */
    GA_SOLVER_GETRS = 1,  /* b (n x k) := op(A)^-1 b, A given by GETRF's a and ipiv;
                             op is `trans` (a ga_blas_op) */
    GA_SOLVER_POTRF = 2,  /* a (n x n) := its Cholesky factor in the `lower` triangle
                             (the other one is left as it was) */
    GA_SOLVER_GEQRF = 3,  /* a (m x n) := R and the reflectors; w := tau (min(m, n)) */
    GA_SOLVER_ORGQR = 4,  /* a (m x n, m >= n >= k) := Q's first n columns from the k
                             reflectors in a and tau in w (orgqr/ungqr) */
    GA_SOLVER_GESVD = 5,  /* a (m x n, m >= n) is destroyed; w := singular values (real
                             dtype, descending); u (ldu) := U for jobu 'A' or 'S';
                             vt (ldvt) := V^H for jobvt 'A' or 'S'; 'N' = not computed */
    GA_SOLVER_SYEVD = 6,  /* a (n x n, symmetric/Hermitian, its `lower` or upper triangle
                             read) := its eigenvectors when `vectors`; w := eigenvalues
                             (real dtype, ascending) */
    GA_SOLVER_GEEV = 7,   /* a (n x n, complex dtypes only) is destroyed; w := eigenvalues;
                             u (ldu) := right eigenvectors when `vectors` */
    GA_SOLVER_GESVDJ = 8  /* the Jacobi SVD: a (m x n) is destroyed; w := singular values
                             (real dtype, descending); when `vectors`, u (ldu) := U and
                             vt (ldvt) := V itself (NOT V^H), m x m and n x n for jobu 'A',
                             m x min(m, n) and n x min(m, n) for jobu 'S'; info > 0 when
                             it did not converge (GESVD is the fallback) */,
    GA_SOLVER_GETRF_BATCHED = 9,  /* GETRF of a stack of square matrices (m == n) in one
                                     call (cuBLAS's getrfBatched, for small orders): the
                                     pivots are int32 (stride_ipiv counts int32s) */
    GA_SOLVER_GETRS_BATCHED = 10  /* GETRS with GETRF_BATCHED's factors and int32 pivots */
} ga_solver_op;

typedef struct ga_solver_desc {
    ga_solver_op op;
    ga_dtype dtype;               /* GA_FLOAT32, GA_FLOAT64, GA_COMPLEX64, GA_COMPLEX128 */
    int64_t m, n, k;              /* k: GETRS's right-hand sides, ORGQR's reflectors */
    int64_t batch;
    ga_devptr a;
    int64_t lda, stride_a;
    ga_devptr b;                  /* GETRS */
    int64_t ldb, stride_b;
    ga_devptr ipiv;               /* GETRF, GETRS: int64 pivots */
    int64_t stride_ipiv;
    ga_devptr w;                  /* tau, singular values or eigenvalues */
    int64_t stride_w;
    ga_devptr u;                  /* GESVD: U; GEEV: right eigenvectors */
    int64_t ldu, stride_u;
    ga_devptr vt;                 /* GESVD: V^H */
    int64_t ldvt, stride_vt;
    ga_devptr info;               /* int32 per problem, or 0 */
    int lower;                    /* POTRF, SYEVD */
    int trans;                    /* GETRS: GA_BLAS_N, _T or _C */
    char jobu, jobvt;             /* GESVD; GESVDJ: jobu only */
    int vectors;                  /* SYEVD, GEEV, GESVDJ */
} ga_solver_desc;

/* Run `d` on `stream` (NULL = the device's null stream). CUDA: cuSOLVER's
 * dense API (the 64-bit generic one, classic orgqr/ungqr), loaded at first
 * use (GA_ERROR_NO_DRIVER with the places searched when absent), one
 * handle per device and concurrent caller, bound to `stream` per call;
 * workspaces come from gpuarray's stream-ordered allocator. GEEV needs
 * cuSOLVER 11.7 (CUDA 12.6) and is GA_ERROR_UNSUPPORTED before. The host
 * backend has no solver (gpuarray.linalg runs NumPy's LAPACK on the same
 * memory there): GA_ERROR_UNSUPPORTED. */
GA_API ga_status ga_solver(ga_device *device, ga_stream *stream, const ga_solver_desc *d);
/* Load cuSOLVER (works without a GPU) and give the path it was loaded
 * from; GA_ERROR_NO_DRIVER with every place searched when it is absent. */
GA_API ga_status ga_solver_library(const char **path);

/* ----------------------------------------------------------------- hashing */

/* SHA-256 of data (used for the kernel cache key; exported for tests). */
GA_API void ga_sha256(const void *data, size_t size, unsigned char digest[32]);

#ifdef __cplusplus
}
#endif

#endif /* GPUARRAY_H */
