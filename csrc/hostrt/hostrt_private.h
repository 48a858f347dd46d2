/* hostrt_private.h - what the runtime's C files share: the per-thread CUDA
 * state, the grid a module hands to the pool, the fiber context switch.
 * The prelude (kernels/host/gahost_prelude.h) declares the same layouts for
 * the module side: change both together and bump GAHOST_ABI_VERSION. */
#ifndef GPUARRAY_HOSTRT_HOSTRT_PRIVATE_H
#define GPUARRAY_HOSTRT_HOSTRT_PRIVATE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "gahost_runtime.h"

#include <stdarg.h>
#include <stddef.h>

#define HOSTRT_API __attribute__((visibility("default")))
#define HOSTRT_INTERNAL __attribute__((visibility("hidden")))

struct hostrt_worker;

/* The one TLS block of the runtime; modules read it fs-relative
 * (initial-exec), so threadIdx.x costs one load. */
typedef struct gahost_tls {
    gahost_dim3 thread_idx;
    gahost_dim3 block_idx;
    gahost_dim3 block_dim;
    gahost_dim3 grid_dim;
    unsigned fiber_mode;          /* the current block runs its threads as fibers */
    unsigned pad_;
    void *dyn_shared;             /* `extern __shared__` buffer of this OS thread */
    struct hostrt_worker *worker; /* lazily made per OS thread */
} gahost_tls;

HOSTRT_API extern __thread gahost_tls gahost_t __attribute__((tls_model("initial-exec")));

/* What a module's entry hands to gahost_launch. run_block runs every thread
 * of the block in gahost_t.block_idx as a plain loop (calling
 * gahost_block_finish if a thread turned the block into fibers); run_thread
 * runs the one thread in gahost_t.thread_idx. */
typedef struct gahost_grid {
    gahost_dim3 grid, block;
    size_t shared_mem;
    void (*run_block)(const void *args);
    void (*run_thread)(const void *args);
    const void *args;
} gahost_grid;

/* Called by modules (declared again in the prelude). */
HOSTRT_API int gahost_launch(const gahost_grid *grid);
HOSTRT_API void gahost_block_finish(void);
HOSTRT_API int gahost_barrier(int op, int pred);
HOSTRT_API const unsigned long long *gahost_warp_exchange(unsigned mask, unsigned long long v,
                                                          unsigned *posted);
HOSTRT_API unsigned gahost_activemask(void);

/* error.c */
HOSTRT_INTERNAL int hostrt_error(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
HOSTRT_INTERNAL void hostrt_clear_error(void);

/* fiber.c: a fiber context is its saved stack pointer (x86-64 and aarch64
 * assembly) or a ucontext_t* (fallback). */
typedef void *hostrt_ctx;
/* Save the running context into *save, resume `to`. */
HOSTRT_INTERNAL void hostrt_ctx_switch(hostrt_ctx *save, hostrt_ctx to);
/* A context that, when resumed, calls hostrt_fiber_main() on the stack
 * [lo, lo + size) (stack top `top_offset` bytes below the end). */
HOSTRT_INTERNAL hostrt_ctx hostrt_ctx_make(void *lo, size_t size, size_t top_offset);
/* The context storage of a non-fiber stack (the worker's own); NULL means
 * none is needed (assembly switch). */
HOSTRT_INTERNAL hostrt_ctx hostrt_ctx_native_storage(void);
HOSTRT_INTERNAL void hostrt_fiber_main(void);

#define HOSTRT_STACK_SIZE (256u << 10)

#endif /* GPUARRAY_HOSTRT_HOSTRT_PRIVATE_H */
