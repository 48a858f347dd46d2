/* gahost_prelude.h - the CUDA built-ins for kernels compiled by g++ and run
 * on CPU threads by libgpuarray_hostrt.so (gpuarray's host backend).
 *
 * Force-included (g++ -include) before the user's source after
 * gahost_rewrite_source (csrc/hostrt/source_rewrite.c) has turned
 * `extern __shared__` arrays into pointers, renamed kernels and appended one
 * exported entry per kernel; the entries use gahost::launcher below.
 *
 * threadIdx and friends live in the runtime's one initial-exec TLS block
 * (gahost_t), so reading threadIdx.x is a single fs-relative load. The
 * layout of gahost_tls, gahost_grid and the descriptors must match
 * csrc/hostrt/hostrt_private.h and gahost_runtime.h (GAHOST_ABI_VERSION). */
#ifndef GAHOST_PRELUDE_H
#define GAHOST_PRELUDE_H

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "gahost_prelude.h needs C++17 (g++ -std=c++17)"
#endif

/* System headers first: some use __attribute__((__noinline__)) and other
 * names that the CUDA macros below would break. */
#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#define GAHOST_ABI_VERSION 2
/* Kernel source is device code: NVRTC always defines __CUDA_ARCH__, and
 * code written for it takes its device branches (`#if __CUDA_ARCH__ < 600`
 * user atomicAdd(double*) must stay out, an `#ifdef __CUDA_ARCH__` asm
 * path must be reported, not silently replaced by a host branch). sm_80 is
 * the feature set the prelude provides. __CUDACC_RTC__ stays undefined: code
 * uses it to declare NVRTC's missing std types itself. */
#define __CUDACC__ 1
#define __CUDA_ARCH__ 800
#define __CUDACC_VER_MAJOR__ 12
#define __CUDACC_VER_MINOR__ 0
#define __CUDACC_VER_BUILD__ 0
#define __GPUARRAY_HOST__ 1
#define __NVCC_DIAG_PRAGMA_SUPPORT__ 0

/* ------------------------------------------------------------ runtime ABI */

extern "C" {
typedef struct gahost_dim3 { unsigned x, y, z; } gahost_dim3;
typedef int (*gahost_entry_fn)(void **, gahost_dim3, gahost_dim3, size_t);
typedef struct gahost_kernel_desc {
    const char *name;
    const char *symbol;
    gahost_entry_fn entry;
    int num_params;
    const unsigned *param_sizes;
    const unsigned *param_aligns;
} gahost_kernel_desc;
typedef struct gahost_module_desc {
    unsigned abi_version;
    unsigned num_kernels;
    const gahost_kernel_desc *kernels;
} gahost_module_desc;
typedef struct gahost_grid {
    gahost_dim3 grid, block;
    size_t shared_mem;
    void (*run_block)(const void *args);
    void (*run_thread)(const void *args);
    const void *args;
} gahost_grid;
}

/* CUDA's vector types (same sizes and alignments as CUDA's). */
#define GAHOST_VEC1(T, N, A) struct __attribute__((aligned(A))) N##1 { T x; };
#define GAHOST_VEC2(T, N, A) struct __attribute__((aligned(A))) N##2 { T x, y; };
#define GAHOST_VEC3(T, N, A) struct N##3 { T x, y, z; };
#define GAHOST_VEC4(T, N, A) struct __attribute__((aligned(A))) N##4 { T x, y, z, w; };
#define GAHOST_VECS(T, N, A1, A2, A4)                                                              \
    GAHOST_VEC1(T, N, A1) GAHOST_VEC2(T, N, A2) GAHOST_VEC3(T, N, A1) GAHOST_VEC4(T, N, A4)        \
    static inline N##1 make_##N##1(T x) { return N##1{x}; }                                        \
    static inline N##2 make_##N##2(T x, T y) { return N##2{x, y}; }                                \
    static inline N##3 make_##N##3(T x, T y, T z) { return N##3{x, y, z}; }                        \
    static inline N##4 make_##N##4(T x, T y, T z, T w) { return N##4{x, y, z, w}; }
GAHOST_VECS(signed char, char, 1, 2, 4)
GAHOST_VECS(unsigned char, uchar, 1, 2, 4)
GAHOST_VECS(short, short, 2, 4, 8)
GAHOST_VECS(unsigned short, ushort, 2, 4, 8)
GAHOST_VECS(int, int, 4, 8, 16)
GAHOST_VECS(unsigned int, uint, 4, 8, 16)
GAHOST_VECS(long, long, 8, 16, 16)
GAHOST_VECS(unsigned long, ulong, 8, 16, 16)
GAHOST_VECS(long long, longlong, 8, 16, 16)
GAHOST_VECS(unsigned long long, ulonglong, 8, 16, 16)
GAHOST_VECS(float, float, 4, 8, 16)
GAHOST_VECS(double, double, 8, 16, 16)
#undef GAHOST_VEC1
#undef GAHOST_VEC2
#undef GAHOST_VEC3
#undef GAHOST_VEC4
#undef GAHOST_VECS

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};

/* Must match gahost_tls in hostrt_private.h. */
struct gahost_tls {
    uint3 thread_idx;
    uint3 block_idx;
    uint3 block_dim;
    uint3 grid_dim;
    unsigned fiber_mode;
    unsigned pad_;
    void *dyn_shared;
    void *worker;
};

extern "C" {
extern __thread gahost_tls gahost_t __attribute__((tls_model("initial-exec")));
int gahost_launch(const gahost_grid *grid);
void gahost_block_finish(void);
int gahost_barrier(int op, int pred);
const unsigned long long *gahost_warp_exchange(unsigned mask, unsigned long long v, unsigned *posted);
unsigned gahost_activemask(void);
[[noreturn]] void gahost_trap(void);
[[noreturn]] void gahost_assert_fail(const char *expr, const char *file, unsigned line,
                                     const char *function);
void *gahost_device_malloc(size_t size);
void gahost_device_free(void *ptr);
}

#define threadIdx (gahost_t.thread_idx)
#define blockIdx (gahost_t.block_idx)
#define blockDim (gahost_t.block_dim)
#define gridDim (gahost_t.grid_dim)
static constexpr int warpSize = 32;

/* ------------------------------------------------------------- keywords */

/* `static __device__ f()` would warn that visibility is ignored */
#pragma GCC diagnostic ignored "-Wattributes"

#define __global__
#define __host__
#define __device__ __attribute__((visibility("default")))
#define __constant__ __attribute__((visibility("default")))
#define __managed__ __attribute__((visibility("default")))
/* the source rewrite turns __shared__ into (static) thread_local itself;
 * this covers __shared__ inside the user's macros */
#define __shared__ static thread_local
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __maxnreg__(n)
#define __grid_constant__
#define __cudart_builtin__
#define __device_builtin__
#define __builtin_align__(n) __attribute__((aligned(n)))
#define CUDART_CB

#define CUDART_PI_F 3.141592654f
#define CUDART_PI 3.1415926535897931e+0
#define CUDART_INF_F __builtin_huge_valf()
#define CUDART_INF __builtin_huge_val()
#define CUDART_NAN_F __builtin_nanf("")
#define CUDART_NAN __builtin_nan("")
#define CUDART_SQRT_2PI_F 2.506628275f
#define CUDART_L2E_F 1.442695041f
#define CUDART_LN2_F 0.693147181f

/* ------------------------------------------------------- gahost internals */

namespace gahost {

inline void *dyn_shared_ptr() { return gahost_t.dyn_shared; }

/* A file-scope `extern __shared__ T name[];` becomes one of these: it reads
 * the current block's buffer each time it is used, like the array would. */
template <class P>
struct dynamic_shared {
    P get() const { return reinterpret_cast<P>(gahost_t.dyn_shared); }
    operator P() const { return get(); }
    template <class U>
    explicit operator U *() const { return reinterpret_cast<U *>(gahost_t.dyn_shared); }
    decltype(auto) operator[](ptrdiff_t i) const { return get()[i]; }
    decltype(auto) operator*() const { return *get(); }
    P operator->() const { return get(); }
    P operator+(ptrdiff_t i) const { return get() + i; }
    P operator-(ptrdiff_t i) const { return get() - i; }
};

template <int Line>
struct ptx_asm { static constexpr bool unsupported = false; };

/* The kernel's arguments: a private copy whose address never escapes, so
 * the per-thread loop keeps them in registers (with std::tuple too, but
 * <tuple> costs compile time). */
template <size_t I, class T>
struct leaf { T v; };
template <class Seq, class... T>
struct args_base;
template <size_t... I, class... T>
struct args_base<std::index_sequence<I...>, T...> : leaf<I, T>... {};
template <class... T>
struct args : args_base<std::index_sequence_for<T...>, T...> {};
template <size_t I, class T>
inline T &arg(leaf<I, T> &l) { return l.v; }

template <class F>
struct fn_type;
template <class... P>
struct fn_type<void (*)(P...)> {
    using args_t = args<std::remove_cv_t<P>...>;
    static constexpr int n = sizeof...(P);
    static constexpr unsigned sizes[] = {unsigned(sizeof(P))..., 0u};
    static constexpr unsigned aligns[] = {unsigned(alignof(P))..., 0u};
    template <size_t... I>
    static args_t unpack(void **v, std::index_sequence<I...>)
    {
        return args_t{{leaf<I, std::remove_cv_t<P>>{*static_cast<std::remove_cv_t<P> *>(v[I])}...}};
    }
};
template <class... P>
struct fn_type<void (*)(P...) noexcept> : fn_type<void (*)(P...)> {};

template <auto K>
struct launcher {
    using F = fn_type<decltype(K)>;
    using A = typename F::args_t;
    static constexpr int num_params = F::n;
    static constexpr const unsigned *param_sizes = F::sizes;
    static constexpr const unsigned *param_aligns = F::aligns;

    template <size_t... I>
    static __attribute__((always_inline)) inline void call(A &a, std::index_sequence<I...>)
    {
        K(arg<I>(a)...);
    }

    /* Every thread of the block as a plain loop; the first barrier turns
     * the rest of the block into fibers (gahost_block_finish runs them). */
    static void run_block(const void *p)
    {
        A a = *static_cast<const A *>(p);
        const unsigned bx = gahost_t.block_dim.x, by = gahost_t.block_dim.y, bz = gahost_t.block_dim.z;
        for (unsigned z = 0; z < bz; z++) {
            gahost_t.thread_idx.z = z;
            for (unsigned y = 0; y < by; y++) {
                gahost_t.thread_idx.y = y;
                for (unsigned x = 0; x < bx; x++) {
                    gahost_t.thread_idx.x = x;
                    call(a, std::make_index_sequence<F::n>());
                    if (__builtin_expect(gahost_t.fiber_mode, 0)) {
                        gahost_block_finish();
                        return;
                    }
                }
            }
        }
    }

    static void run_thread(const void *p)
    {
        A a = *static_cast<const A *>(p);
        call(a, std::make_index_sequence<F::n>());
    }

    static int entry(void **v, gahost_dim3 g, gahost_dim3 b, size_t shared)
    {
        A a = F::unpack(v, std::make_index_sequence<F::n>());
        gahost_grid d = {g, b, shared, run_block, run_thread, &a};
        return gahost_launch(&d);
    }
};

inline unsigned lane_id()
{
    return (gahost_t.thread_idx.x +
            gahost_t.block_dim.x * (gahost_t.thread_idx.y + gahost_t.block_dim.y * gahost_t.thread_idx.z)) &
           31u;
}

template <class T>
inline unsigned long long to_bits(T v)
{
    static_assert(sizeof(T) <= 8, "warp shuffles move at most 8 bytes");
    unsigned long long b = 0;
    memcpy(&b, &v, sizeof v);
    return b;
}
template <class T>
inline T from_bits(unsigned long long b)
{
    T v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* The value lane src posted, or mine when src is outside my segment or did
 * not post (CUDA: undefined; this is what a GPU gives for inactive lanes
 * in the common case). */
template <class T>
inline T shfl(unsigned mask, T v, int src, bool in_range)
{
    unsigned posted;
    const unsigned long long *vals = gahost_warp_exchange(mask, to_bits(v), &posted);
    if (!in_range || src < 0 || src > 31 || !(posted >> src & 1))
        return v;
    return from_bits<T>(vals[src]);
}

} /* namespace gahost */

/* --------------------------------------------------------- synchronisation */

static inline void __syncthreads() { gahost_barrier(0, 0); }
static inline int __syncthreads_count(int p) { return gahost_barrier(1, p); }
static inline int __syncthreads_and(int p) { return gahost_barrier(2, p); }
static inline int __syncthreads_or(int p) { return gahost_barrier(3, p); }
static inline void __syncwarp(unsigned mask = 0xffffffffu)
{
    unsigned posted;
    gahost_warp_exchange(mask, 0, &posted);
}
static inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_block() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline unsigned __activemask() { return gahost_activemask(); }
static inline unsigned __lanemask_lt() { return (1u << gahost::lane_id()) - 1u; }
static inline unsigned __lanemask_le() { return (2u << gahost::lane_id()) - 1u; }
static inline unsigned __lanemask_gt() { return ~__lanemask_le(); }
static inline unsigned __lanemask_ge() { return ~__lanemask_lt(); }
static inline long long clock64()
{
#if defined(__x86_64__) || defined(__i386__)
    return (long long)__builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    long long v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
#endif
}
static inline void __nanosleep(unsigned ns)
{
    struct timespec t = {0, (long)ns};
    nanosleep(&t, 0);
}
/* __trap() ends the launch with CUDA_ERROR_LAUNCH_FAILED (fault.c). */
static inline void __trap() { gahost_trap(); }
static inline void __brkpt() { gahost_trap(); }

/* --------------------------------------------------------------- warps */

template <class T>
static inline T __shfl_sync(unsigned mask, T v, int src, int width = 32)
{
    int lane = (int)gahost::lane_id(), seg = lane & ~(width - 1);
    return gahost::shfl(mask, v, seg + (src & (width - 1)), true);
}
template <class T>
static inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32)
{
    int lane = (int)gahost::lane_id();
    return gahost::shfl(mask, v, lane - (int)delta, (lane & (width - 1)) >= (int)delta);
}
template <class T>
static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32)
{
    int lane = (int)gahost::lane_id();
    return gahost::shfl(mask, v, lane + (int)delta, (lane & (width - 1)) + (int)delta < width);
}
template <class T>
static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32)
{
    int lane = (int)gahost::lane_id(), src = lane ^ lane_mask;
    return gahost::shfl(mask, v, src, (src & ~(width - 1)) == (lane & ~(width - 1)));
}
template <class T>
static inline T __shfl(T v, int src, int width = 32) { return __shfl_sync(0xffffffffu, v, src, width); }
template <class T>
static inline T __shfl_up(T v, unsigned d, int width = 32) { return __shfl_up_sync(0xffffffffu, v, d, width); }
template <class T>
static inline T __shfl_down(T v, unsigned d, int width = 32) { return __shfl_down_sync(0xffffffffu, v, d, width); }
template <class T>
static inline T __shfl_xor(T v, int m, int width = 32) { return __shfl_xor_sync(0xffffffffu, v, m, width); }

static inline unsigned __ballot_sync(unsigned mask, int pred)
{
    unsigned posted, r = 0;
    const unsigned long long *v = gahost_warp_exchange(mask, pred != 0, &posted);
    for (int l = 0; l < 32; l++)
        if ((posted & mask) >> l & 1)
            r |= (unsigned)(v[l] != 0) << l;
    return r;
}
static inline int __any_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) != 0; }
static inline int __all_sync(unsigned mask, int pred)
{
    unsigned posted, m;
    const unsigned long long *v = gahost_warp_exchange(mask, pred != 0, &posted);
    m = posted & mask;
    for (int l = 0; l < 32; l++)
        if ((m >> l & 1) && !v[l])
            return 0;
    return 1;
}
static inline int __uni_sync(unsigned mask, int pred)
{
    unsigned b = __ballot_sync(mask, pred);
    return b == 0 || b == (mask & __activemask());
}
static inline unsigned __ballot(int pred) { return __ballot_sync(0xffffffffu, pred); }
static inline int __any(int pred) { return __any_sync(0xffffffffu, pred); }
static inline int __all(int pred) { return __all_sync(0xffffffffu, pred); }
template <class T>
static inline unsigned __match_any_sync(unsigned mask, T value)
{
    unsigned posted, r = 0;
    unsigned long long me = gahost::to_bits(value);
    const unsigned long long *v = gahost_warp_exchange(mask, me, &posted);
    for (int l = 0; l < 32; l++)
        if (((posted & mask) >> l & 1) && v[l] == me)
            r |= 1u << l;
    return r;
}
template <class T>
static inline unsigned __match_all_sync(unsigned mask, T value, int *pred)
{
    unsigned posted;
    unsigned long long me = gahost::to_bits(value);
    const unsigned long long *v = gahost_warp_exchange(mask, me, &posted);
    for (int l = 0; l < 32; l++)
        if (((posted & mask) >> l & 1) && v[l] != me) {
            *pred = 0;
            return 0;
        }
    *pred = 1;
    return mask & posted;
}
#define GAHOST_WARP_REDUCE(NAME, T, INIT, OP)                                               \
    static inline T NAME(unsigned mask, T value)                                            \
    {                                                                                       \
        unsigned posted;                                                                    \
        const unsigned long long *v = gahost_warp_exchange(mask, (unsigned long long)value, \
                                                           &posted);                        \
        T r = INIT;                                                                         \
        for (int l = 0; l < 32; l++)                                                        \
            if ((posted & mask) >> l & 1) {                                                 \
                T x = (T)v[l];                                                              \
                r = OP;                                                                     \
            }                                                                               \
        return r;                                                                           \
    }
GAHOST_WARP_REDUCE(__reduce_add_sync, unsigned, 0u, r + x)
GAHOST_WARP_REDUCE(__reduce_and_sync, unsigned, ~0u, r & x)
GAHOST_WARP_REDUCE(__reduce_or_sync, unsigned, 0u, r | x)
GAHOST_WARP_REDUCE(__reduce_xor_sync, unsigned, 0u, r ^ x)
GAHOST_WARP_REDUCE(__reduce_min_sync, unsigned, ~0u, x < r ? x : r)
GAHOST_WARP_REDUCE(__reduce_max_sync, unsigned, 0u, x > r ? x : r)
GAHOST_WARP_REDUCE(__reduce_add_sync, int, 0, r + x)
GAHOST_WARP_REDUCE(__reduce_min_sync, int, INT_MAX, x < r ? x : r)
GAHOST_WARP_REDUCE(__reduce_max_sync, int, INT_MIN, x > r ? x : r)
#undef GAHOST_WARP_REDUCE

/* ------------------------------------------------------------ atomics */
/* Real atomics: blocks run concurrently on the pool. CUDA's are relaxed. */

namespace gahost {
template <class T>
using same_t = typename std::enable_if<true, T>::type;   /* not deduced */
template <class T>
using bits_t = std::conditional_t<sizeof(T) == 2, unsigned short,
               std::conditional_t<sizeof(T) == 4, unsigned, unsigned long long>>;

/* compare-and-swap loop applying f(old) for types with no native RMW */
template <class T, class F>
inline T cas_loop(T *p, F f)
{
    using B = bits_t<T>;
    B *q = reinterpret_cast<B *>(p);
    B old = __atomic_load_n(q, __ATOMIC_RELAXED), nw;
    do {
        T o, n;
        memcpy(&o, &old, sizeof o);
        n = f(o);
        memcpy(&nw, &n, sizeof nw);
    } while (!__atomic_compare_exchange_n(q, &old, nw, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    T o;
    memcpy(&o, &old, sizeof o);
    return o;
}
} /* namespace gahost */

#define GAHOST_INT_ONLY(T) std::enable_if_t<std::is_integral<T>::value, T>
template <class T>
static inline GAHOST_INT_ONLY(T) atomicAdd(T *p, gahost::same_t<T> v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
template <class T>
static inline GAHOST_INT_ONLY(T) atomicSub(T *p, gahost::same_t<T> v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); }
template <class T>
static inline GAHOST_INT_ONLY(T) atomicAnd(T *p, gahost::same_t<T> v) { return __atomic_fetch_and(p, v, __ATOMIC_RELAXED); }
template <class T>
static inline GAHOST_INT_ONLY(T) atomicOr(T *p, gahost::same_t<T> v) { return __atomic_fetch_or(p, v, __ATOMIC_RELAXED); }
template <class T>
static inline GAHOST_INT_ONLY(T) atomicXor(T *p, gahost::same_t<T> v) { return __atomic_fetch_xor(p, v, __ATOMIC_RELAXED); }
template <class T>
static inline GAHOST_INT_ONLY(T) atomicMin(T *p, gahost::same_t<T> v)
{
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (v < old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <class T>
static inline GAHOST_INT_ONLY(T) atomicMax(T *p, gahost::same_t<T> v)
{
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (v > old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <class T>
static inline GAHOST_INT_ONLY(T) atomicCAS(T *p, gahost::same_t<T> cmp, gahost::same_t<T> v)
{
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}
#undef GAHOST_INT_ONLY
static inline unsigned atomicInc(unsigned *p, unsigned v)
{
    return gahost::cas_loop(p, [v](unsigned o) { return o >= v ? 0u : o + 1; });
}
static inline unsigned atomicDec(unsigned *p, unsigned v)
{
    return gahost::cas_loop(p, [v](unsigned o) { return (o == 0 || o > v) ? v : o - 1; });
}
/* floating point (and __half): CAS loops */
#define GAHOST_FP_ATOMICS(T)                                                                        \
    static inline T atomicAdd(T *p, T v) { return gahost::cas_loop(p, [v](T o) { return (T)(o + v); }); } \
    static inline T atomicSub(T *p, T v) { return gahost::cas_loop(p, [v](T o) { return (T)(o - v); }); } \
    static inline T atomicExch(T *p, T v) { return gahost::cas_loop(p, [v](T) { return v; }); }        \
    static inline T atomicMin(T *p, T v) { return gahost::cas_loop(p, [v](T o) { return v < o ? v : o; }); } \
    static inline T atomicMax(T *p, T v) { return gahost::cas_loop(p, [v](T o) { return v > o ? v : o; }); }
GAHOST_FP_ATOMICS(float)
GAHOST_FP_ATOMICS(double)
GAHOST_FP_ATOMICS(_Float16)
#undef GAHOST_FP_ATOMICS
template <class T>
static inline std::enable_if_t<std::is_integral<T>::value, T> atomicExch(T *p, gahost::same_t<T> v)
{
    return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}
#define GAHOST_SCOPED(NAME) \
    template <class... A> static inline auto NAME##_block(A... a) { return NAME(a...); } \
    template <class... A> static inline auto NAME##_system(A... a) { return NAME(a...); }
GAHOST_SCOPED(atomicAdd) GAHOST_SCOPED(atomicSub) GAHOST_SCOPED(atomicExch) GAHOST_SCOPED(atomicMin)
GAHOST_SCOPED(atomicMax) GAHOST_SCOPED(atomicInc) GAHOST_SCOPED(atomicDec) GAHOST_SCOPED(atomicCAS)
GAHOST_SCOPED(atomicAnd) GAHOST_SCOPED(atomicOr) GAHOST_SCOPED(atomicXor)
#undef GAHOST_SCOPED

/* --------------------------------------------------------------- math */

/* CUDA's min/max for every mix of arithmetic types (std::min is picked
 * when both types are equal and `using namespace std` is in force). */
template <class A, class B,
          class = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
static inline std::common_type_t<A, B> min(A a, B b)
{
    return (std::common_type_t<A, B>)b < (std::common_type_t<A, B>)a ? b : a;
}
template <class A, class B,
          class = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
static inline std::common_type_t<A, B> max(A a, B b)
{
    return (std::common_type_t<A, B>)a < (std::common_type_t<A, B>)b ? b : a;
}
static inline _Float16 min(_Float16 a, _Float16 b) { return b < a ? b : a; }
static inline _Float16 max(_Float16 a, _Float16 b) { return a < b ? b : a; }
static inline unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
static inline unsigned umax(unsigned a, unsigned b) { return a > b ? a : b; }
static inline long long llmin(long long a, long long b) { return a < b ? a : b; }
static inline long long llmax(long long a, long long b) { return a > b ? a : b; }
static inline unsigned long long ullmin(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
static inline unsigned long long ullmax(unsigned long long a, unsigned long long b) { return a > b ? a : b; }

static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
static inline double rsqrt(double x) { return 1.0 / sqrt(x); }
static inline float rcbrtf(float x) { return 1.0f / cbrtf(x); }
static inline double rcbrt(double x) { return 1.0 / cbrt(x); }
static inline float sinpif(float x) { return sinf((float)M_PI * x); }
static inline float cospif(float x) { return cosf((float)M_PI * x); }
static inline double sinpi(double x) { return sin(M_PI * x); }
static inline double cospi(double x) { return cos(M_PI * x); }
static inline void sincospif(float x, float *s, float *c) { *s = sinpif(x); *c = cospif(x); }
static inline void sincospi(double x, double *s, double *c) { *s = sinpi(x); *c = cospi(x); }
static inline float normcdff(float x) { return 0.5f * erfcf(-x * (float)M_SQRT1_2); }
static inline double normcdf(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }
static inline float fdividef(float a, float b) { return a / b; }
static inline float __saturatef(float x) { return x >= 1.0f ? 1.0f : x > 0.0f ? x : 0.0f; }
static inline float saturate(float x) { return __saturatef(x); }
static inline float __frcp_rn(float x) { return 1.0f / x; }
static inline float __fsqrt_rn(float x) { return sqrtf(x); }
static inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
static inline double __drcp_rn(double x) { return 1.0 / x; }
static inline double __dsqrt_rn(double x) { return sqrt(x); }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
#define GAHOST_RN(N, T, OP) static inline T N(T a, T b) { return a OP b; }
GAHOST_RN(__fadd_rn, float, +) GAHOST_RN(__fsub_rn, float, -) GAHOST_RN(__fmul_rn, float, *)
GAHOST_RN(__fdiv_rn, float, /) GAHOST_RN(__fadd_rz, float, +) GAHOST_RN(__fmul_rz, float, *)
GAHOST_RN(__dadd_rn, double, +) GAHOST_RN(__dsub_rn, double, -) GAHOST_RN(__dmul_rn, double, *)
GAHOST_RN(__ddiv_rn, double, /)
#undef GAHOST_RN
/* Fast intrinsics: glibc declares __expf, __logf, __sinf, ... itself, so
 * these are macros, not functions. */
#define __fdividef(a, b) ((float)(a) / (float)(b))
#define __expf(x) ::expf(x)
#define __exp10f(x) ::exp10f(x)
#define __logf(x) ::logf(x)
#define __log2f(x) ::log2f(x)
#define __log10f(x) ::log10f(x)
#define __sinf(x) ::sinf(x)
#define __cosf(x) ::cosf(x)
#define __tanf(x) ::tanf(x)
#define __powf(x, y) ::powf(x, y)
#define __sincosf(x, s, c) ::sincosf(x, s, c)

/* bits and integers */
static inline int __popc(unsigned x) { return __builtin_popcount(x); }
static inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
static inline int __clz(int x) { return x ? __builtin_clz((unsigned)x) : 32; }
static inline int __clzll(long long x) { return x ? __builtin_clzll((unsigned long long)x) : 64; }
static inline int __ffs(int x) { return __builtin_ffs(x); }
static inline int __ffsll(long long x) { return __builtin_ffsll(x); }
static inline unsigned __brev(unsigned x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}
static inline unsigned long long __brevll(unsigned long long x)
{
    return ((unsigned long long)__brev((unsigned)x) << 32) | __brev((unsigned)(x >> 32));
}
static inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s)
{
    unsigned long long v = ((unsigned long long)y << 32) | x;
    unsigned r = 0;
    for (int i = 0; i < 4; i++)
        r |= (unsigned)((v >> (((s >> (4 * i)) & 7) * 8)) & 0xff) << (8 * i);
    return r;
}
static inline int __mul24(int a, int b) { return (int)(((long long)(a << 8 >> 8)) * (b << 8 >> 8)); }
static inline unsigned __umul24(unsigned a, unsigned b) { return (a & 0xffffff) * (b & 0xffffff); }
static inline int __mulhi(int a, int b) { return (int)(((long long)a * b) >> 32); }
static inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
static inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b)
{
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
static inline int __hadd(int a, int b) { return (int)(((long long)a + b) >> 1); }
static inline int __rhadd(int a, int b) { return (int)(((long long)a + b + 1) >> 1); }
static inline unsigned __uhadd(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a + b) >> 1); }
static inline unsigned __urhadd(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a + b + 1) >> 1); }
static inline unsigned __sad(int a, int b, unsigned c) { return c + (unsigned)(a > b ? a - b : b - a); }
static inline unsigned __usad(unsigned a, unsigned b, unsigned c) { return c + (a > b ? a - b : b - a); }

/* reinterpretations and conversions */
static inline float __int_as_float(int x) { return gahost::from_bits<float>((unsigned)x); }
static inline int __float_as_int(float x) { return (int)gahost::to_bits(x); }
static inline float __uint_as_float(unsigned x) { return gahost::from_bits<float>(x); }
static inline unsigned __float_as_uint(float x) { return (unsigned)gahost::to_bits(x); }
static inline double __longlong_as_double(long long x) { return gahost::from_bits<double>((unsigned long long)x); }
static inline long long __double_as_longlong(double x) { return (long long)gahost::to_bits(x); }
static inline int __double2hiint(double x) { return (int)(gahost::to_bits(x) >> 32); }
static inline int __double2loint(double x) { return (int)gahost::to_bits(x); }
static inline double __hiloint2double(int hi, int lo)
{
    return gahost::from_bits<double>(((unsigned long long)(unsigned)hi << 32) | (unsigned)lo);
}
static inline int __float2int_rn(float x) { return (int)nearbyintf(x); }
static inline int __float2int_rz(float x) { return (int)x; }
static inline int __float2int_rd(float x) { return (int)floorf(x); }
static inline int __float2int_ru(float x) { return (int)ceilf(x); }
static inline unsigned __float2uint_rn(float x) { return (unsigned)nearbyintf(x); }
static inline unsigned __float2uint_rz(float x) { return (unsigned)x; }
static inline unsigned __float2uint_rd(float x) { return (unsigned)floorf(x); }
static inline unsigned __float2uint_ru(float x) { return (unsigned)ceilf(x); }
static inline long long __float2ll_rn(float x) { return (long long)nearbyintf(x); }
static inline long long __float2ll_rz(float x) { return (long long)x; }
static inline int __double2int_rn(double x) { return (int)nearbyint(x); }
static inline int __double2int_rz(double x) { return (int)x; }
static inline int __double2int_rd(double x) { return (int)floor(x); }
static inline int __double2int_ru(double x) { return (int)ceil(x); }
static inline long long __double2ll_rn(double x) { return (long long)nearbyint(x); }
static inline long long __double2ll_rz(double x) { return (long long)x; }
static inline float __double2float_rn(double x) { return (float)x; }
static inline float __double2float_rz(double x) { return (float)x; }
static inline float __int2float_rn(int x) { return (float)x; }
static inline float __uint2float_rn(unsigned x) { return (float)x; }
static inline float __ll2float_rn(long long x) { return (float)x; }
static inline float __ull2float_rn(unsigned long long x) { return (float)x; }
static inline double __int2double_rn(int x) { return (double)x; }
static inline double __uint2double_rn(unsigned x) { return (double)x; }
static inline double __ll2double_rn(long long x) { return (double)x; }
static inline double __ull2double_rn(unsigned long long x) { return (double)x; }

/* cache-hinted loads and stores: plain memory on the host */
template <class T> static inline T __ldg(const T *p) { return *p; }
template <class T> static inline T __ldcg(const T *p) { return *p; }
template <class T> static inline T __ldca(const T *p) { return *p; }
template <class T> static inline T __ldcs(const T *p) { return *p; }
template <class T> static inline T __ldlu(const T *p) { return *p; }
template <class T> static inline T __ldcv(const T *p) { return *p; }
template <class T> static inline void __stcg(T *p, T v) { *p = v; }
template <class T> static inline void __stcs(T *p, T v) { *p = v; }
template <class T> static inline void __stwb(T *p, T v) { *p = v; }
template <class T> static inline void __stwt(T *p, T v) { *p = v; }

/* -------------------------------------------------------------- float16 */
/* __half is GCC's _Float16: arithmetic, comparisons and conversions are the
 * compiler's; the intrinsics below are CUDA's names for them. */

typedef _Float16 __half;
typedef __half half;
struct __attribute__((aligned(4))) __half2 {
    __half x, y;
};
typedef __half2 half2;
struct __half_raw { unsigned short x; };

#define GAHOST_H(x) ((__half)(x))
static inline __half __float2half(float f) { return (__half)f; }
static inline __half __float2half_rn(float f) { return (__half)f; }
static inline __half __double2half(double d) { return (__half)d; }
static inline float __half2float(__half h) { return (float)h; }
static inline __half __int2half_rn(int i) { return (__half)i; }
static inline __half __uint2half_rn(unsigned i) { return (__half)i; }
static inline int __half2int_rn(__half h) { return (int)nearbyintf((float)h); }
static inline int __half2int_rz(__half h) { return (int)(float)h; }
static inline short __half_as_short(__half h) { return gahost::from_bits<short>(gahost::to_bits(h)); }
static inline unsigned short __half_as_ushort(__half h) { return gahost::from_bits<unsigned short>(gahost::to_bits(h)); }
static inline __half __short_as_half(short s) { return gahost::from_bits<__half>(gahost::to_bits(s)); }
static inline __half __ushort_as_half(unsigned short s) { return gahost::from_bits<__half>(gahost::to_bits(s)); }
static inline __half __hadd(__half a, __half b) { return GAHOST_H((float)a + (float)b); }
static inline __half __hsub(__half a, __half b) { return GAHOST_H((float)a - (float)b); }
static inline __half __hmul(__half a, __half b) { return GAHOST_H((float)a * (float)b); }
static inline __half __hdiv(__half a, __half b) { return GAHOST_H((float)a / (float)b); }
static inline __half __hadd_sat(__half a, __half b) { return GAHOST_H(__saturatef((float)a + (float)b)); }
static inline __half __hmul_sat(__half a, __half b) { return GAHOST_H(__saturatef((float)a * (float)b)); }
static inline __half __hfma(__half a, __half b, __half c) { return GAHOST_H(fmaf((float)a, (float)b, (float)c)); }
static inline __half __hneg(__half a) { return -a; }
static inline __half __habs(__half a) { return GAHOST_H(fabsf((float)a)); }
static inline __half __hmax(__half a, __half b) { return a < b ? b : a; }
static inline __half __hmin(__half a, __half b) { return b < a ? b : a; }
static inline bool __heq(__half a, __half b) { return a == b; }
static inline bool __hne(__half a, __half b) { return a != b; }
static inline bool __hlt(__half a, __half b) { return a < b; }
static inline bool __hle(__half a, __half b) { return a <= b; }
static inline bool __hgt(__half a, __half b) { return a > b; }
static inline bool __hge(__half a, __half b) { return a >= b; }
static inline bool __hisnan(__half a) { return a != a; }
static inline int __hisinf(__half a) { return __builtin_isinf((float)a) ? (a > 0 ? 1 : -1) : 0; }
#define GAHOST_H1(N, F) static inline __half N(__half a) { return GAHOST_H(F((float)a)); }
GAHOST_H1(hexp, expf) GAHOST_H1(hexp2, exp2f) GAHOST_H1(hexp10, exp10f) GAHOST_H1(hlog, logf)
GAHOST_H1(hlog2, log2f) GAHOST_H1(hlog10, log10f) GAHOST_H1(hsqrt, sqrtf) GAHOST_H1(hrsqrt, rsqrtf)
GAHOST_H1(hsin, sinf) GAHOST_H1(hcos, cosf) GAHOST_H1(hfloor, floorf) GAHOST_H1(hceil, ceilf)
GAHOST_H1(htrunc, truncf) GAHOST_H1(hrint, nearbyintf) GAHOST_H1(hrcp, 1.0f /)
#undef GAHOST_H1
static inline __half2 __halves2half2(__half a, __half b) { return __half2{a, b}; }
static inline __half2 __float2half2_rn(float f) { return __half2{(__half)f, (__half)f}; }
static inline __half2 __floats2half2_rn(float a, float b) { return __half2{(__half)a, (__half)b}; }
static inline __half2 __float22half2_rn(float2 f) { return __half2{(__half)f.x, (__half)f.y}; }
static inline float2 __half22float2(__half2 h) { return float2{(float)h.x, (float)h.y}; }
static inline float __low2float(__half2 h) { return (float)h.x; }
static inline float __high2float(__half2 h) { return (float)h.y; }
static inline __half __low2half(__half2 h) { return h.x; }
static inline __half __high2half(__half2 h) { return h.y; }
static inline __half2 __half2half2(__half a) { return __half2{a, a}; }
static inline __half2 __lows2half2(__half2 a, __half2 b) { return __half2{a.x, b.x}; }
static inline __half2 __highs2half2(__half2 a, __half2 b) { return __half2{a.y, b.y}; }
#define GAHOST_H2(N, F) static inline __half2 N(__half2 a, __half2 b) { return __half2{F(a.x, b.x), F(a.y, b.y)}; }
GAHOST_H2(__hadd2, __hadd) GAHOST_H2(__hsub2, __hsub) GAHOST_H2(__hmul2, __hmul) GAHOST_H2(__h2div, __hdiv)
GAHOST_H2(__hmax2, __hmax) GAHOST_H2(__hmin2, __hmin)
#undef GAHOST_H2
static inline __half2 __hfma2(__half2 a, __half2 b, __half2 c)
{
    return __half2{__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y)};
}
static inline __half2 __hneg2(__half2 a) { return __half2{-a.x, -a.y}; }
static inline __half2 __habs2(__half2 a) { return __half2{__habs(a.x), __habs(a.y)}; }
static inline __half2 operator+(__half2 a, __half2 b) { return __hadd2(a, b); }
static inline __half2 operator-(__half2 a, __half2 b) { return __hsub2(a, b); }
static inline __half2 operator*(__half2 a, __half2 b) { return __hmul2(a, b); }
static inline __half2 operator/(__half2 a, __half2 b) { return __h2div(a, b); }
static inline __half2 &operator+=(__half2 &a, __half2 b) { return a = a + b; }
static inline __half2 &operator*=(__half2 &a, __half2 b) { return a = a * b; }
static inline __half2 atomicAdd(__half2 *p, __half2 v)
{
    return gahost::cas_loop(p, [v](__half2 o) { return __hadd2(o, v); });
}
#undef GAHOST_H

/* bfloat16: storage with round-to-nearest-even conversions; arithmetic
 * goes through float (like CUDA before sm_90 for most operations). */
struct __nv_bfloat16 {
    unsigned short x;
    __nv_bfloat16() = default;
    __nv_bfloat16(float f)
    {
        unsigned u = __float_as_uint(f);
        if ((u & 0x7fffffffu) > 0x7f800000u)
            x = (unsigned short)((u >> 16) | 0x40);
        else
            x = (unsigned short)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
    }
    __nv_bfloat16(double d) : __nv_bfloat16((float)d) {}
    __nv_bfloat16(int i) : __nv_bfloat16((float)i) {}
    operator float() const { return __uint_as_float((unsigned)x << 16); }
    __nv_bfloat16 &operator+=(float o) { return *this = (float)*this + o; }
    __nv_bfloat16 &operator-=(float o) { return *this = (float)*this - o; }
    __nv_bfloat16 &operator*=(float o) { return *this = (float)*this * o; }
    __nv_bfloat16 &operator/=(float o) { return *this = (float)*this / o; }
};
typedef __nv_bfloat16 nv_bfloat16;
struct __attribute__((aligned(4))) __nv_bfloat162 { __nv_bfloat16 x, y; };
typedef __nv_bfloat162 nv_bfloat162;
static inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
static inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
static inline float __bfloat162float(__nv_bfloat16 b) { return (float)b; }
static inline __nv_bfloat16 __hadd(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a + (float)b; }
static inline __nv_bfloat16 __hmul(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a * (float)b; }
static inline __nv_bfloat16 __hsub(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a - (float)b; }
static inline __nv_bfloat16 __hdiv(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a / (float)b; }

/* ------------------------------------------------------ device libc */

/* assert() as on a GPU: the message names block and thread, and the launch
 * ends with CUDA_ERROR_ASSERT instead of abort() ending the process. The
 * C library's assert() macro calls __assert_fail: the module's own
 * definition (hidden, so it binds inside the module only) takes the call,
 * also when the kernel source includes <assert.h> again. */
extern "C" __attribute__((visibility("hidden"), noreturn)) void
__assert_fail(const char *expr, const char *file, unsigned int line, const char *function) noexcept
{
    gahost_assert_fail(expr, file, line, function);
}

/* Device malloc/free: the device heap (csrc/hostrt/device_heap.c) has
 * CUDA's limit (8 MiB, GPUARRAY_HOST_MALLOC_HEAP_MB), malloc returns NULL
 * past it, and free of a pointer it did not give ends the launch with an
 * error instead of a libc abort. printf is the C library's (each call is
 * one write of the stream: lines of concurrent blocks do not mix). */
#define malloc(n) gahost_device_malloc(n)
#define free(p) gahost_device_free(p)

/* exit() and abort() are host functions: NVRTC rejects them in device code,
 * and so does the host backend (a kernel cannot end the process). */
namespace gahost {
template <int L>
struct host_only_call { static constexpr bool allowed = false; };
}
#define exit(...) static_assert(gahost::host_only_call<__LINE__>::allowed, \
    "exit() is a host function: it cannot be called from device code (NVRTC rejects it too)")
#define abort(...) static_assert(gahost::host_only_call<__LINE__>::allowed, \
    "abort() is a host function: it cannot be called from device code (NVRTC rejects it too); " \
    "__trap() ends a kernel with an error")

/* ------------------------------------------------------------- the rest */

/* Inline PTX cannot run here: the source rewrite turns every asm statement
 * into static_assert(ptx_asm<__LINE__>::unsupported, GAHOST_UNSUPPORTED_MARKER). */

#endif /* GAHOST_PRELUDE_H */
