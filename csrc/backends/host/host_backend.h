/* host_backend.h - what the host backend's files share: the simulated
 * device, its stream workers and task queue, events, kernel modules, the
 * compiler and the out-of-bounds checker. Only csrc/backends/host*.c
 * include this. */
#ifndef GPUARRAY_BACKENDS_HOST_BACKEND_H
#define GPUARRAY_BACKENDS_HOST_BACKEND_H

#include "ga_private.h"
/* The runtime engineer's interface; included by path so that no build
 * file needs another include directory. */
#include "../../hostrt/gahost_runtime.h"

#include <stdint.h>

/* ------------------------------------------------------------------ device */

typedef struct host_stream host_stream;
typedef struct host_event host_event;
typedef struct host_module host_module;
typedef struct host_function host_function;

/* One simulated device (ga_device.native). Every stream of every device
 * shares one lock; `progress` is broadcast whenever a task completes, which
 * is what synchronizing callers and tasks waiting on other streams (of any
 * device: events order streams across devices too) sleep on. Tasks are
 * coarse (a whole grid, a whole copy), so one lock costs nothing
 * measurable and keeps the cross-stream ordering of the legacy null stream
 * simple to get right. */
typedef struct host_device {
    int ordinal;
    pthread_mutex_t *lock;       /* the backend's one lock */
    pthread_cond_t *progress;
    host_stream *null_stream;    /* the legacy default stream's worker */
    host_stream *streams;        /* every live stream (created ones), a list */
    /* An asynchronous failure (a kernel fault, a runtime error) waiting to
     * be reported by the next synchronizing call, as CUDA reports errors of
     * asynchronous work. Reported once, then cleared. */
    ga_status error_status;
    int error_code;              /* the CUDA code a GPU would give, for Python */
    char error_name[48];
    char error_detail[1024];
    int error_sticky;            /* a kernel fault: every later call reports it */
    _Atomic size_t reserved;     /* bytes held from the system for buffers */
    /* Buffers freed on one stream while other streams still had work
     * queued: given back once those streams pass that point (a kernel on
     * another stream that still uses one must not find it unmapped). */
    struct host_deferred_free *deferred;
} host_device;

/* Record an asynchronous failure on the device (the first one wins until
 * it is reported). Called by the stream workers. */
GA_INTERNAL void host_device_fail(host_device *dev, ga_status status, int code, const char *name,
                                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A kernel fault that leaves the device unusable, as CUDA's sticky errors
 * do: every later synchronizing call and launch reports it again. */
GA_INTERNAL void host_device_fail_sticky(host_device *dev, ga_status status, int code,
                                         const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Report (and clear, unless sticky) the device's pending failure, or GA_OK. */
GA_INTERNAL ga_status host_device_take_error(host_device *dev);

/* The device's sticky error (reported again), or GA_OK. */
GA_INTERNAL ga_status host_device_sticky_error(host_device *dev);

/* Number of threads kernels run on (GPUARRAY_HOST_THREADS, else the online
 * cores), without starting the runtime's pool. */
GA_INTERNAL int host_thread_count(void);

/* Give a device buffer back to the system (or to the checker). */
GA_INTERNAL void host_mem_release(host_device *dev, void *ptr);

/* --------------------------------------------------------- kernel modules */

struct host_function {
    host_module *module;
    const gahost_kernel_desc *desc;
    size_t *offsets;             /* C-ABI offset of each parameter */
    size_t args_size;            /* bytes of all parameters, laid out */
    _Atomic int max_dynamic_shared; /* MAX_DYNAMIC_SHARED_SIZE_BYTES */
    int preferred_carveout;
    host_function *next;
};

struct host_module {
    _Atomic int refs;            /* the module handle + one per queued launch */
    void *handle;                /* dlopen */
    const gahost_module_desc *desc;
    int fd;                      /* the memory file holding the .so, or -1 */
    char *path;                  /* a temporary .so file to unlink, or NULL */
    void *image;                 /* a copy of the .so bytes, for its symbol table */
    size_t image_size;
    uintptr_t load_base;         /* where the .so is mapped (link_map l_addr) */
    pthread_mutex_t lock;
    host_function *functions;
};

GA_INTERNAL void host_module_retain(host_module *m);
GA_INTERNAL void host_module_release(host_module *m);

/* ------------------------------------------------------------------ tasks */

typedef enum host_task_kind {
    HOST_TASK_NOP = 0,           /* only waits (stream_wait_event) */
    HOST_TASK_LAUNCH,
    HOST_TASK_COPY,
    HOST_TASK_MEMSET,
    HOST_TASK_RECORD,
    HOST_TASK_FREE,
    HOST_TASK_GRAPH              /* one replay of a captured graph (host_graph.c) */
} host_task_kind;

typedef struct host_dep {
    host_stream *stream;         /* retained by the task */
    uint64_t target;             /* wait until stream->completed >= target */
} host_dep;

typedef struct host_task host_task;
struct host_task {
    host_task *next;
    host_task_kind kind;
    int ndeps;
    host_dep deps_inline[2];
    host_dep *deps;              /* deps_inline or malloc'd */
    int deps_cap;
    union {
        struct {
            host_function *fn;   /* its module is retained by the task */
            gahost_dim3 grid, block;
            size_t shared_mem;
            void **argv;         /* into argbuf: the task owns a copy */
            unsigned char *argbuf;
        } launch;
        struct {
            void *dst;
            const void *src;
            size_t n;
            void *owned;         /* a private copy of pageable source, freed after */
        } copy;
        struct {
            void *dst;
            uint32_t pattern;
            size_t elem_size, nbytes;
        } memset;
        struct {
            host_event *event;   /* retained by the task */
            uint64_t gen;
        } record;
        struct {
            host_stream *stream; /* the stream it was freed on (not retained:
                                    the task runs on it) */
            void *ptr;
        } free;
        struct host_graph *graph;   /* retained by the task */
    } u;
};

GA_INTERNAL host_task *host_task_new(host_task_kind kind);
/* Add a dependency (retains the stream). */
GA_INTERNAL ga_status host_task_add_dep(host_task *t, host_stream *s, uint64_t target);
/* Free a task that was never submitted (drops what it holds). */
GA_INTERNAL void host_task_discard(host_task *t);

/* ---------------------------------------------------------------- streams */

/* Queue `t` on stream `s` (NULL = the device's null stream), adding the
 * implicit waits of the legacy null stream. The stream owns t afterwards.
 * *seq (if not NULL) is the value stream->completed reaches when t is done.
 * With `inline_when_idle`, a task whose stream has nothing pending and that
 * waits on nothing runs on the calling thread at once (cheap tasks only:
 * copies, fills, frees, records): same result, no thread hop. */
GA_INTERNAL ga_status host_stream_submit(host_device *dev, host_stream *s, host_task *t,
                                         int inline_when_idle, host_stream **on, uint64_t *seq);
/* Queue copy task `t` on stream `s` of `dev` after everything already
 * queued on every stream of device `src`, and make `src`'s null stream
 * wait for it (a peer copy; the stream owns t afterwards). */
GA_INTERNAL ga_status host_stream_submit_peer(host_device *dev, host_stream *s, host_task *t,
                                              host_device *src);
/* Block until stream `on` has completed `seq` tasks. */
GA_INTERNAL void host_stream_wait_seq(host_device *dev, host_stream *on, uint64_t seq);
/* Run one task's work (on a worker, or inline). */
GA_INTERNAL void host_task_run(host_device *dev, host_task *t);

/* Graphs (host_graph.c): a capturing stream hands each task to
 * host_capture_record instead of queueing it (which owns t afterwards);
 * a replay is one HOST_TASK_GRAPH task running the recorded ones in order.
 * host_stream_capture gives the capture slot of a created stream. */
typedef struct host_capture host_capture;
typedef struct host_graph host_graph;
GA_INTERNAL host_capture **host_stream_capture(void *stream);
GA_INTERNAL ga_status host_capture_record(host_capture *capture, host_task *t);
GA_INTERNAL void host_graph_run(host_device *dev, host_graph *graph);
GA_INTERNAL void host_graph_release(host_graph *graph);
GA_INTERNAL ga_status host_stream_begin_capture(ga_device *gdev, void *stream, int mode);
GA_INTERNAL ga_status host_stream_end_capture(ga_device *gdev, void *stream, void **graph);
GA_INTERNAL ga_status host_graph_launch(ga_device *gdev, void *graph, void *stream);
GA_INTERNAL ga_status host_graph_upload(ga_device *gdev, void *graph, void *stream);
GA_INTERNAL ga_status host_graph_destroy(ga_device *gdev, void *graph);

GA_INTERNAL ga_status host_streams_init_device(host_device *dev);
GA_INTERNAL ga_status host_device_sync_all(host_device *dev);

GA_INTERNAL ga_status host_stream_create(ga_device *gdev, unsigned flags, void **stream);
GA_INTERNAL ga_status host_stream_destroy(ga_device *gdev, void *stream);
GA_INTERNAL ga_status host_stream_synchronize(ga_device *gdev, void *stream);
GA_INTERNAL ga_status host_stream_query(ga_device *gdev, void *stream, int *done);
GA_INTERNAL ga_status host_stream_wait_event(ga_device *gdev, void *stream, void *event);

GA_INTERNAL ga_status host_event_create(ga_device *gdev, unsigned flags, void **event);
GA_INTERNAL ga_status host_event_destroy(ga_device *gdev, void *event);
GA_INTERNAL ga_status host_event_record(ga_device *gdev, void *event, void *stream);
GA_INTERNAL ga_status host_event_synchronize(ga_device *gdev, void *event);
GA_INTERNAL ga_status host_event_query(ga_device *gdev, void *event, int *done);
GA_INTERNAL ga_status host_event_elapsed(ga_device *gdev, void *start, void *end, float *ms);

/* --------------------------------------------------------------- compiler */

/* The runtime library's entry points (loaded once with dlopen), or NULL
 * with the error detail set saying where it was looked for. */
GA_INTERNAL const gahost_api *host_runtime(void);
GA_INTERNAL const char *host_runtime_path(void);

GA_INTERNAL ga_status host_compiler_load(void);
GA_INTERNAL int host_compiler_version(void);
GA_INTERNAL const char *host_compiler_path(void);
GA_INTERNAL ga_status host_compiler_target(int device_arch, int *arch, int *is_real);
GA_INTERNAL const char *host_compiler_fingerprint(void);
GA_INTERNAL ga_status host_compile(const ga_compile_request *req, int arch, int is_real,
                                   ga_compiled_output *out);

/* ---------------------------------------------------------------- checker */

/* GPUARRAY_HOST_CHECK=1: device buffers get guard pages and a fault in
 * them is reported as an error of the kernel that made it. */
GA_INTERNAL int host_check_enabled(void);
GA_INTERNAL ga_status host_check_init(void);
GA_INTERNAL void *host_check_alloc(size_t nbytes);
/* The size of the buffer at ptr from host_check_alloc (now freed), or 0
 * when ptr did not come from it. */
GA_INTERNAL size_t host_check_free(void *ptr);
/* Around each task on a worker: `what` names it for the report (the
 * kernel's name, or "memcpy"/"memset"). After the task, a fault that
 * happened during it becomes the device's pending error. */
GA_INTERNAL void host_check_task_begin(void);
GA_INTERNAL void host_check_task_end(host_device *dev, const char *what);

#endif /* GPUARRAY_BACKENDS_HOST_BACKEND_H */
