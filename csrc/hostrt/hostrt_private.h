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

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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

/* fault.c: what one OS thread that runs blocks needs to survive a fault
 * of the kernel code it runs. */
typedef struct hostrt_fault_state {
    sigjmp_buf recover;          /* armed by run_chunks on the worker's stack */
    volatile int armed;          /* kernel code runs: a fault jumps to recover */
    int status;                  /* GAHOST_ERROR_* of the fault */
    int signal, code;            /* 0 for assert()/__trap() */
    int stack_overflow;
    uintptr_t addr;
    gahost_dim3 thread_idx, block_idx;
    char message[200];           /* assert()/__trap() text */
    void *altstack;              /* ours, to unmap at thread exit */
    size_t altstack_size;
    uintptr_t thread_stack_lo;   /* lowest byte of the OS thread's stack */
} hostrt_fault_state;

HOSTRT_INTERNAL int hostrt_fault_install(void);
HOSTRT_INTERNAL int hostrt_fault_thread_init(hostrt_fault_state *fs);
HOSTRT_INTERNAL void hostrt_fault_thread_fini(hostrt_fault_state *fs);
HOSTRT_INTERNAL void hostrt_fault_describe(const hostrt_fault_state *fs, char *out, size_t size);
HOSTRT_INTERNAL hostrt_fault_state *hostrt_fault_current(void);
/* runtime.c: addr is in a guard page under one of this thread's stacks. */
HOSTRT_INTERNAL int hostrt_is_stack_guard(uintptr_t addr);
HOSTRT_INTERNAL size_t hostrt_fiber_stack_size(void);
/* Called by the prelude's assert(), __trap(). */
HOSTRT_API void gahost_fault_raise(int status, const char *message) __attribute__((noreturn));
HOSTRT_API void gahost_assert_fail(const char *expr, const char *file, unsigned line,
                                   const char *function) __attribute__((noreturn));
HOSTRT_API void gahost_trap(void) __attribute__((noreturn));

/* The default fiber stack: CUDA allows 512 KiB of local memory per thread,
 * and the kernel's frames and the runtime's need room beside that. The
 * mapping is MAP_NORESERVE: only the pages a thread touches cost memory. */
#define HOSTRT_STACK_SIZE (1024u << 10)

#endif /* GPUARRAY_HOSTRT_HOSTRT_PRIVATE_H */
