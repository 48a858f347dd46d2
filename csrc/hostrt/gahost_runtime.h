/* gahost_runtime.h - the C interface between the host backend and the host
 * kernel runtime (libgpuarray_hostrt.so): how CUDA C source is rewritten,
 * compiled with the system C++ compiler, and run on CPU threads.
 *
 * Flow for one RawModule on the host backend:
 *
 *   1. gahost_rewrite_source(src, name, name_exprs, n, &rw, &err)
 *        -> rw.source: text to compile (the prelude is NOT in it: it comes
 *           with -include), rw.lowered[i]: the symbol for name_exprs[i].
 *   2. write rw.source to <dir>/k.cu, then run
 *        gahost_compile_argv(NULL, "<dir>/k.cu", "<dir>/k.so", opts, nopts, &err)
 *      (argv[0] is the compiler; exec it, collect stderr as the log; exit
 *      status != 0 is a compile error whose messages name the user's
 *      source lines). If the log contains GAHOST_UNSUPPORTED_MARKER the
 *      source used inline PTX asm: report GA_ERROR_UNSUPPORTED.
 *   3. dlopen("<dir>/k.so", RTLD_NOW | RTLD_LOCAL); dlsym(GAHOST_MODULE_SYMBOL)
 *      -> gahost_module_desc *; check abi_version == GAHOST_ABI_VERSION.
 *      `__device__`/`__constant__` variables are exported under their own
 *      (unmangled, global-namespace) names: dlsym gives get_global.
 *   4. get_function(name): the kernel whose `name` or `symbol` equals name
 *      (the core passes lowered names for name expressions, plain names
 *      otherwise). Parameter layout: param_sizes/param_aligns.
 *   5. launch: desc->entry(args, grid, block, shared_mem), from the stream's
 *      worker thread. It runs the whole grid on the runtime's thread pool and
 *      returns when every block has finished (synchronous). Several threads
 *      may call entries at the same time (one per stream): all grids in
 *      flight share the pool; each caller also runs blocks of its own grid,
 *      so a grid always progresses even when the pool is busy.
 *
 * Loading: the backend may link this library or dlopen it (then one
 * dlsym of "gahost_get_api" gives every function below). Load it BEFORE the
 * first kernel module: a module's DT_NEEDED libgpuarray_hostrt.so is then
 * satisfied by the loaded copy (same soname) even if its rpath is stale.
 *
 * The cache key of a compiled module must include GAHOST_ABI_VERSION, the
 * prelude's text (gahost_prelude_path()), the compiler's version and the
 * argv from gahost_compile_argv (minus the file names).
 *
 * Execution: blocks are handed out in chunks to a pool of threads (one per
 * core, the caller included); one OS thread runs a whole block, so static
 * `__shared__` (thread_local) and the dynamic buffer are per block. The
 * threads of a block run as a plain loop until one calls a barrier or a
 * warp operation (__syncthreads*, __syncwarp, shuffles, votes); from then
 * on the rest of the block runs as fibers (256 KiB mmap'd stacks with a
 * guard page, reused) that switch at each barrier. A thread that returns
 * leaves the barriers (as on Volta and later). Threads waiting at
 * different barriers (undefined in CUDA, a hang on a GPU) are released
 * and the launch returns GAHOST_ERROR_DEADLOCK. warpSize is 32. The
 * prelude defines __CUDA_ARCH__ 800 (NVRTC always defines it; device
 * branches are the ones kernel code expects) and __GPUARRAY_HOST__ 1.
 *
 * Environment:
 *   GPUARRAY_HOST_THREADS   threads running blocks (default: online cores;
 *                           the calling thread counts as one of them)
 *   GPUARRAY_HOST_STACK_KB  fiber stack size (default 1024, 128..65536)
 *   GPUARRAY_HOST_CXX       compiler (default $CXX, else "g++")
 *   GPUARRAY_HOST_CXXFLAGS  extra compiler flags (e.g. "-march=native")
 *   GPUARRAY_HOST_PRELUDE   path of gahost_prelude.h (default: found next
 *                           to this library, see gahost_prelude_path)
 *   GPUARRAY_HOST_PCH       0: never precompile the prelude
 *   GPUARRAY_HOST_PCH_DIR   where the precompiled prelude goes
 *
 * All functions are thread-safe. Pure C; the kernel side is the prelude. */
#ifndef GPUARRAY_HOSTRT_GAHOST_RUNTIME_H
#define GPUARRAY_HOSTRT_GAHOST_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a compiled module and this library stop fitting. */
#define GAHOST_ABI_VERSION 2

#define GAHOST_RUNTIME_SONAME "libgpuarray_hostrt.so"
#define GAHOST_MODULE_SYMBOL "gahost_module"
/* In a compiler log: the source used inline asm (GA_ERROR_UNSUPPORTED). */
#define GAHOST_UNSUPPORTED_MARKER "inline PTX asm cannot run on the host backend"

/* Status codes of this library (0 = success). */
enum {
    GAHOST_OK = 0,
    GAHOST_ERROR_NOMEM,       /* malloc/mmap failed */
    GAHOST_ERROR_LAUNCH,      /* bad grid/block: zero, > 1024 threads, z > 64 */
    GAHOST_ERROR_DEADLOCK,    /* threads of a block wait on different barriers */
    GAHOST_ERROR_NOT_FOUND,   /* prelude or runtime library not found */
    GAHOST_ERROR_INVALID,     /* a bad argument */
    /* A kernel faulted (fault.c); gahost_last_error() says where. The
     * backend reports each under CUDA's name for it. */
    GAHOST_ERROR_ILLEGAL_ADDRESS,     /* SIGSEGV/SIGBUS: CUDA_ERROR_ILLEGAL_ADDRESS */
    GAHOST_ERROR_MISALIGNED,          /* SIGBUS BUS_ADRALN: CUDA_ERROR_MISALIGNED_ADDRESS */
    GAHOST_ERROR_ASSERT,              /* assert(), abort() in libc: CUDA_ERROR_ASSERT */
    GAHOST_ERROR_ILLEGAL_INSTRUCTION, /* SIGILL: CUDA_ERROR_ILLEGAL_INSTRUCTION */
    GAHOST_ERROR_LAUNCH_FAILED        /* __trap(), SIGFPE: CUDA_ERROR_LAUNCH_FAILED */
};

/* A fault filter sees every fault signal first (sig, siginfo_t *,
 * ucontext_t *); it returns 1 when it dealt with the fault and the faulting
 * instruction may run again (GPUARRAY_HOST_CHECK's guard pages), 0 to let
 * the runtime handle it. Runs in a signal handler: async-signal-safe only. */
/* Or'ed into a fault's status when the fault was a signal from kernel code
 * that may have left the process in a state nobody can vouch for (a wild
 * write, a fault inside the C library): the device's error is sticky. */
#define GAHOST_FAULT_STICKY 0x100
#define GAHOST_STATUS_KIND(st) ((st) & 0xff)

typedef int (*gahost_fault_filter_fn)(int sig, void *siginfo, void *ucontext);

/* Why the last gahost_* call on this thread failed ("" if it did not). */
const char *gahost_last_error(void);

/* ------------------------------------------------------ compiled modules */

typedef struct gahost_dim3 { unsigned x, y, z; } gahost_dim3;

/* A kernel's exported entry: args[i] points at the value of parameter i
 * (as for cuLaunchKernel). Runs the grid; returns a GAHOST_ status (detail
 * in gahost_last_error()). shared_mem = bytes of `extern __shared__`. */
typedef int (*gahost_entry_fn)(void **args, gahost_dim3 grid, gahost_dim3 block,
                               size_t shared_mem);

typedef struct gahost_kernel_desc {
    const char *name;            /* "saxpy", or a name expression "scale<float>" */
    const char *symbol;          /* exported entry symbol, "gahost_entry_3" */
    gahost_entry_fn entry;
    int num_params;
    const unsigned *param_sizes; /* sizeof of each declared parameter type */
    const unsigned *param_aligns;/* alignof of each */
} gahost_kernel_desc;

/* Every compiled module exports `gahost_module_desc gahost_module`, filled
 * by the module's constructor when it is dlopened: the kernels whose
 * definitions survived the preprocessor (a kernel defined under #if/#else
 * appears once; an overloaded kernel name appears once per overload, the
 * first match wins a lookup by name). Kernels in a namespace are named
 * "ns::kernel". */
typedef struct gahost_module_desc {
    unsigned abi_version;        /* GAHOST_ABI_VERSION of the prelude it used */
    unsigned num_kernels;
    const gahost_kernel_desc *kernels;
} gahost_module_desc;

/* --------------------------------------------------------------- rewrite */

/* Result of gahost_rewrite_source. Every string is malloc'd. */
typedef struct gahost_rewrite {
    char *source;        /* to compile with the prelude; line numbers are the user's */
    int num_kernels;     /* entries generated: one per non-template __global__
                            definition, then one per name expression; those
                            in an inactive #if branch do not reach the module
                            (its descriptor is what counts) */
    char **names;        /* num_kernels: name as the user writes it */
    char **symbols;      /* num_kernels: "gahost_entry_<n>" */
    char **lowered;      /* one per name expression: its entry symbol */
    int num_lowered;
    int asm_line;        /* first line using inline asm, 0 if none */
} gahost_rewrite;

/* Rewrite CUDA C for the host: `extern __shared__` arrays become pointers
 * to the block's dynamic shared buffer, static `__shared__` becomes
 * `static thread_local`, kernel definitions are renamed (a kernel may be
 * called `exp`), `#include <cuda_*.h>` lines are blanked, inline asm
 * becomes a compile-time error (GAHOST_UNSUPPORTED_MARKER), and one
 * exported entry per kernel plus the module descriptor are appended.
 * Template kernels get entries only through name expressions. Never fails
 * on odd source (g++ reports real errors); returns GAHOST_ERROR_NOMEM or
 * GAHOST_ERROR_INVALID with *error set (malloc'd) when it does fail. */
int gahost_rewrite_source(const char *source, const char *source_name,
                          const char *const *name_expressions, int num_name_expressions,
                          gahost_rewrite *out, char **error);
void gahost_rewrite_free(gahost_rewrite *rw);

/* --------------------------------------------------------------- compile */

/* Path of gahost_prelude.h: $GPUARRAY_HOST_PRELUDE, else next to this
 * library (<libdir>/gahost_prelude.h, <libdir>/host/gahost_prelude.h,
 * <libdir>/../kernels/host/gahost_prelude.h). NULL if none exists. */
const char *gahost_prelude_path(void);
/* Directory holding libgpuarray_hostrt.so (this library). */
const char *gahost_runtime_dir(void);

/* The compiler command line, NULL-terminated, malloc'd (gahost_argv_free):
 *   g++ -std=c++17 -O2 -fPIC -fvisibility=hidden -fno-semantic-interposition
 *       -fno-math-errno -fno-exceptions -fno-rtti -fno-plt -pthread
 *       -Wno-attributes -shared
 *       -iquote <pch dir> -iquote <prelude dir> -include gahost_prelude.h
 *       [$GPUARRAY_HOST_CXXFLAGS] [translated user options] -x c++ <src>
 *       -x none -o <out> -L<rtdir> -lgpuarray_hostrt -Wl,-rpath,<rtdir>
 *       -Wl,-z,now
 * The prelude is precompiled once per machine (in the background, by the
 * first process that needs it) into <pch dir> = $GPUARRAY_HOST_PCH_DIR/<key>,
 * else the first writable of $XDG_CACHE_HOME/gpuarray/host-pch/<key>,
 * ~/.cache/gpuarray/host-pch/<key>, $GPUARRAY_CACHE_DIR/host-pch/<key>;
 * g++ uses it when valid for the command line and the header otherwise, so
 * it changes compile time (0.3 s -> 0.15 s per module), never the result.
 * GPUARRAY_HOST_PCH=0 (or no writable cache) gives -include <prelude path>.
 * cxx NULL = $GPUARRAY_HOST_CXX, $CXX, "g++". NVRTC options are translated:
 * -D/-U/-I (joined or separate, --define-macro= etc.) and -std=/--std=
 * (c++11/14 become c++17) pass; -O<n> passes; --fmad=false becomes
 * -ffp-contract=off; the rest (-arch, -lineinfo, --use_fast_math, ...)
 * is dropped. NULL with *error set if the prelude or runtime is missing. */
char **gahost_compile_argv(const char *cxx, const char *src_path, const char *out_path,
                           const char *const *options, int num_options, char **error);
void gahost_argv_free(char **argv);

/* ------------------------------------------------------------------ pool */

/* Threads that run blocks (the caller included); starts the pool if needed. */
int gahost_num_threads(void);

/* The compiler said the precompiled prelude is unreadable (a truncated
 * file): delete it; this process compiles from the header from now on, the
 * next one builds a new PCH. */
void gahost_pch_discard(void);

/* Install the filter (NULL: none) that sees kernel fault signals first. */
void gahost_set_fault_filter(gahost_fault_filter_fn filter);

/* --------------------------------------------------------- dlopen access */

typedef struct gahost_api {
    unsigned abi_version;
    const char *(*last_error)(void);
    int (*rewrite_source)(const char *, const char *, const char *const *, int,
                          gahost_rewrite *, char **);
    void (*rewrite_free)(gahost_rewrite *);
    const char *(*prelude_path)(void);
    const char *(*runtime_dir)(void);
    char **(*compile_argv)(const char *, const char *, const char *, const char *const *, int,
                           char **);
    void (*argv_free)(char **);
    int (*num_threads)(void);
    void (*set_fault_filter)(gahost_fault_filter_fn filter);
    void (*pch_discard)(void);
} gahost_api;

/* The table above, or NULL if abi_version differs from this library's. */
const gahost_api *gahost_get_api(unsigned abi_version);

#ifdef __cplusplus
}
#endif

#endif /* GPUARRAY_HOSTRT_GAHOST_RUNTIME_H */
