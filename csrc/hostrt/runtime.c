/* runtime.c - runs a grid on a pool of OS threads; runs the CUDA threads of
 * a block as a plain loop until one waits at a barrier, then as fibers. */
/* One OS thread runs a whole block, so static `__shared__` (thread_local)
 * and the dynamic buffer are per block for free, and the threads of a block
 * never run at the same time: barriers are cooperative switches, no locks.
 * Blocks run concurrently on the pool, which is why atomics are real ones. */
#include "hostrt_private.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

HOSTRT_API __thread gahost_tls gahost_t __attribute__((tls_model("initial-exec")));

#define MAX_THREADS_PER_BLOCK 1024
#define WARP 32

/* -------------------------------------------------------- per-OS-thread */

enum { ST_READY, ST_WAIT_BAR, ST_WAIT_WARP, ST_DONE };

typedef struct warp_state {
    unsigned live;        /* lanes that have not returned */
    unsigned arrived;     /* lanes waiting at the current exchange */
    unsigned need;        /* lanes the last arrival asked for */
    unsigned gen;
    unsigned posted[2];   /* who wrote vals[parity] */
    unsigned long long vals[2][WARP];
} warp_state;

typedef struct hostrt_worker {
    void *dyn_buf;
    size_t dyn_cap;

    /* the block in fiber mode */
    const gahost_grid *grid;
    unsigned n, bx, bxy;  /* threads; row and plane sizes */
    unsigned cur;         /* running thread (linear index) */
    unsigned live;        /* threads not returned */
    unsigned bar_arrived, bar_gen;
    unsigned bar_true[2], bar_n[2];  /* per parity: true predicates, participants */
    int broken;           /* a deadlock was found: barriers no longer wait */
    unsigned char state[MAX_THREADS_PER_BLOCK];
    hostrt_ctx ctx[MAX_THREADS_PER_BLOCK];
    warp_state warps[MAX_THREADS_PER_BLOCK / WARP];

    hostrt_ctx main_ctx;  /* the worker stack, parked in gahost_block_finish */
    hostrt_ctx native_ctx;/* storage for the thread on the worker stack (ucontext) */
    hostrt_ctx scratch_ctx;
    void *ctx_storage[3]; /* what the three above point at (ucontext), to free */
    unsigned on_worker_stack; /* which thread runs on the worker stack */

    void *stacks[MAX_THREADS_PER_BLOCK]; /* mmap'd fiber stacks, reused */
    gahost_dim3 tidx[MAX_THREADS_PER_BLOCK];
    gahost_dim3 tidx_dim;     /* block shape tidx[] was filled for */

    hostrt_fault_state fault; /* fault.c: the recovery point of this thread */
} hostrt_worker;

static pthread_key_t worker_key;
static pthread_once_t worker_key_once = PTHREAD_ONCE_INIT;
static size_t page_size;
static size_t stack_size = HOSTRT_STACK_SIZE;   /* per fiber; GPUARRAY_HOST_STACK_KB */

static void worker_free(void *p)
{
    hostrt_worker *w = p;
    if (!w)
        return;
    for (int i = 0; i < MAX_THREADS_PER_BLOCK; i++)
        if (w->stacks[i])
            munmap(w->stacks[i], stack_size + page_size);
    for (int i = 0; i < 3; i++)
        free(w->ctx_storage[i]);
    hostrt_fault_thread_fini(&w->fault);
    free(w->dyn_buf);
    free(w);
    if (gahost_t.worker == w)
        gahost_t.worker = NULL;
}

static void worker_key_init(void)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    const char *e = getenv("GPUARRAY_HOST_STACK_KB");
    long kb = e && *e ? strtol(e, NULL, 10) : 0;
    if (kb >= 128 && kb <= 65536)
        stack_size = (((size_t)kb << 10) + page_size - 1) / page_size * page_size;
    pthread_key_create(&worker_key, worker_free);
}

static hostrt_worker *worker_get(void)
{
    hostrt_worker *w = gahost_t.worker;
    if (w)
        return w;
    pthread_once(&worker_key_once, worker_key_init);
    if (posix_memalign((void **)&w, 64, sizeof *w))
        return NULL;
    memset(w, 0, sizeof *w);
    w->native_ctx = w->ctx_storage[0] = hostrt_ctx_native_storage();
    w->main_ctx = w->ctx_storage[1] = hostrt_ctx_native_storage();
    w->scratch_ctx = w->ctx_storage[2] = hostrt_ctx_native_storage();
    pthread_attr_t attr;
    void *stack_addr;
    size_t stack_len;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &stack_addr, &stack_len) == 0)
            w->fault.thread_stack_lo = (uintptr_t)stack_addr;
        pthread_attr_destroy(&attr);
    }
    if (hostrt_fault_thread_init(&w->fault) != GAHOST_OK) {
        for (int i = 0; i < 3; i++)
            free(w->ctx_storage[i]);
        free(w);
        return NULL;
    }
    gahost_t.worker = w;
    pthread_setspecific(worker_key, w);  /* freed when the thread ends */
    return w;
}

static int worker_reserve_shared(hostrt_worker *w, size_t bytes)
{
    if (bytes < 64)
        bytes = 64;
    if (bytes > w->dyn_cap) {
        void *p;
        size_t cap = (bytes + 4095) & ~(size_t)4095;
        if (posix_memalign(&p, 128, cap))
            return hostrt_error(GAHOST_ERROR_NOMEM, "no memory for %zu bytes of shared memory", bytes);
        free(w->dyn_buf);
        w->dyn_buf = p;
        w->dyn_cap = cap;
    }
    gahost_t.dyn_shared = w->dyn_buf;
    return GAHOST_OK;
}

size_t hostrt_fiber_stack_size(void) { return stack_size; }

/* Async-signal-safe: reads this thread's worker only. */
int hostrt_is_stack_guard(uintptr_t addr)
{
    hostrt_worker *w = gahost_t.worker;
    if (!w || !page_size)
        return 0;
    /* The OS thread's own stack: its guard lies below the lowest byte;
     * a frame larger than the guard may land further down. */
    uintptr_t lo = w->fault.thread_stack_lo;
    if (lo && addr < lo + page_size && addr + ((uintptr_t)1 << 20) >= lo)
        return 1;
    for (int i = 0; i < MAX_THREADS_PER_BLOCK; i++) {
        uintptr_t s = (uintptr_t)w->stacks[i];
        if (s && addr >= s && addr < s + page_size)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- fibers */

/* Staggered stack tops: with equal spacing every fiber's hot frames land on
 * the same cache sets (3x slower measured). 17 is odd, so 1024 threads get
 * 1024 distinct 64-byte lines of a 64 KiB window. */
static size_t stack_top_offset(unsigned i) { return ((size_t)i * 17 % 1024) * 64; }

static void *stack_get(hostrt_worker *w, unsigned i)
{
    if (!w->stacks[i]) {
        void *p = mmap(NULL, stack_size + page_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        mprotect(p, page_size, PROT_NONE);   /* guard page below the stack */
        w->stacks[i] = p;
    }
    return (char *)w->stacks[i] + page_size;
}

static void set_thread_idx(hostrt_worker *w, unsigned t)
{
    gahost_t.thread_idx = w->tidx[t];
}

/* threadIdx of every linear index, so a switch needs no division. */
static void fill_tidx(hostrt_worker *w)
{
    gahost_dim3 b = gahost_t.block_dim;
    if (b.x == w->tidx_dim.x && b.y == w->tidx_dim.y && b.z == w->tidx_dim.z)
        return;
    unsigned i = 0;
    for (unsigned z = 0; z < b.z; z++)
        for (unsigned y = 0; y < b.y; y++)
            for (unsigned x = 0; x < b.x; x++)
                w->tidx[i++] = (gahost_dim3){x, y, z};
    w->tidx_dim = b;
}

static unsigned current_linear(hostrt_worker *w)
{
    return gahost_t.thread_idx.x + w->bx * gahost_t.thread_idx.y + w->bxy * gahost_t.thread_idx.z;
}

/* Turn the running block into fibers at thread k: 0..k-1 have returned,
 * k keeps the worker stack, k+1.. start as fibers when first scheduled. */
static void enter_fiber_mode(hostrt_worker *w)
{
    unsigned k = current_linear(w);
    unsigned n = w->n;
    fill_tidx(w);
    memset(w->state, ST_DONE, k);
    memset(w->state + k, ST_READY, n - k);
    for (unsigned i = k + 1; i < n; i++)
        w->ctx[i] = NULL;
    w->ctx[k] = w->native_ctx;
    w->on_worker_stack = k;
    w->cur = k;
    w->live = n - k;
    w->bar_arrived = 0;
    w->bar_true[0] = w->bar_true[1] = w->bar_n[0] = w->bar_n[1] = 0;
    w->broken = 0;
    for (unsigned wi = 0; wi < (n + WARP - 1) / WARP; wi++) {
        warp_state *ws = &w->warps[wi];
        unsigned lo = wi * WARP, hi = lo + WARP < n ? lo + WARP : n;
        unsigned first = k > lo ? (k < hi ? k : hi) : lo;
        unsigned live = 0;
        for (unsigned i = first; i < hi; i++)
            live |= 1u << (i - lo);
        ws->live = live;
        ws->arrived = ws->need = 0;
        ws->posted[0] = ws->posted[1] = 0;
    }
    gahost_t.fiber_mode = 1;
}

static void deadlock(hostrt_worker *w);

/* The next runnable thread after `me`: first in me's warp when `warp_first`,
 * then anywhere in the ring. n means none. */
static inline __attribute__((always_inline)) unsigned find_next(hostrt_worker *w, unsigned me, int warp_first)
{
    unsigned n = w->n;
    if (warp_first) {
        unsigned lo = me & ~(WARP - 1u), hi = lo + WARP < n ? lo + WARP : n;
        for (unsigned i = me + 1; i < hi; i++)
            if (w->state[i] == ST_READY)
                return i;
        for (unsigned i = lo; i < me; i++)
            if (w->state[i] == ST_READY)
                return i;
    }
    for (unsigned i = me + 1; i < n; i++)
        if (w->state[i] == ST_READY)
            return i;
    for (unsigned i = 0; i <= me && i < n; i++)
        if (w->state[i] == ST_READY)
            return i;
    return n;
}

/* Switch from `me` (whose context is saved into *save) to thread t. */
static inline __attribute__((always_inline)) void resume(hostrt_worker *w, hostrt_ctx *save, unsigned t)
{
    if (!w->ctx[t]) {
        void *lo = stack_get(w, t);
        if (!lo) {
            char msg[160];
            snprintf(msg, sizeof msg, "cannot map a %zu KiB stack for GPU thread %u: %s",
                     stack_size >> 10, t, strerror(errno));
            gahost_fault_raise(GAHOST_ERROR_NOMEM, msg);
        }
        w->ctx[t] = hostrt_ctx_make(lo, stack_size, stack_top_offset(t));
    }
    w->cur = t;
    set_thread_idx(w, t);
    hostrt_ctx_switch(save, w->ctx[t]);
}

/* `me` cannot go on: run others until me is READY again. */
static inline __attribute__((always_inline)) void wait_for_wake(hostrt_worker *w, unsigned me, int warp_first)
{
    while (w->state[me] != ST_READY) {
        unsigned t = find_next(w, me, warp_first);
        if (t == w->n) {
            deadlock(w);
            continue;
        }
        resume(w, &w->ctx[me], t);
        /* back: whoever resumed us set cur and threadIdx */
    }
}

static void release_block_barrier(hostrt_worker *w)
{
    unsigned p = (w->bar_gen + 1) & 1;
    w->bar_arrived = 0;
    w->bar_gen++;
    w->bar_true[p] = w->bar_n[p] = 0;
    for (unsigned i = 0; i < w->n; i++)
        if (w->state[i] == ST_WAIT_BAR)
            w->state[i] = ST_READY;
}

static void release_warp(hostrt_worker *w, unsigned wi)
{
    warp_state *ws = &w->warps[wi];
    unsigned wake = ws->arrived & (ws->need | ~ws->live);
    ws->arrived &= ~wake;
    ws->gen++;
    ws->posted[ws->gen & 1] = 0;
    for (unsigned l = 0; l < WARP; l++)
        if (wake >> l & 1)
            w->state[wi * WARP + l] = ST_READY;
}

/* No thread can run, yet some have not returned: threads wait at different
 * barriers (undefined behaviour in CUDA, a hang on a GPU). Release them
 * all; from now on barriers of this block do not wait, and the launch
 * reports GAHOST_ERROR_DEADLOCK. */
static void deadlock(hostrt_worker *w)
{
    w->broken = 1;
    for (unsigned i = 0; i < w->n; i++)
        if (w->state[i] == ST_WAIT_BAR || w->state[i] == ST_WAIT_WARP)
            w->state[i] = ST_READY;
}

static unsigned warp_of(unsigned t) { return t / WARP; }

/* A thread returned in fiber mode: drop it from the ring, release any
 * barrier that was only waiting for it. */
static void thread_exit(hostrt_worker *w, unsigned me)
{
    warp_state *ws = &w->warps[warp_of(me)];
    w->state[me] = ST_DONE;
    w->live--;
    ws->live &= ~(1u << (me % WARP));
    if (ws->arrived && (ws->arrived & ws->need & ws->live) == (ws->need & ws->live))
        release_warp(w, warp_of(me));
    if (w->bar_arrived && w->bar_arrived == w->live)
        release_block_barrier(w);
}

void hostrt_fiber_main(void)
{
    hostrt_worker *w = gahost_t.worker;
    w->grid->run_thread(w->grid->args);
    unsigned me = w->cur;
    thread_exit(w, me);
    for (;;) {
        if (w->live == 0) {
            w->cur = w->on_worker_stack;
            hostrt_ctx_switch(&w->scratch_ctx, w->main_ctx);
        }
        unsigned t = find_next(w, me, 0);
        if (t == w->n) {
            deadlock(w);
            continue;
        }
        resume(w, &w->scratch_ctx, t);
    }
}

void gahost_block_finish(void)
{
    hostrt_worker *w = gahost_t.worker;
    unsigned me = w->cur;
    thread_exit(w, me);
    while (w->live) {
        unsigned t = find_next(w, me, 0);
        if (t == w->n) {
            deadlock(w);
            continue;
        }
        resume(w, &w->main_ctx, t);
    }
    gahost_t.fiber_mode = 0;
}

/* __syncthreads and its _count/_and/_or forms (op 0 plain, 1 count, 2 and,
 * 3 or): returns the combined predicate. */
int gahost_barrier(int op, int pred)
{
    hostrt_worker *w = gahost_t.worker;
    if (!gahost_t.fiber_mode) {
        /* The last thread of the block needs nobody: the others returned. */
        if (current_linear(w) + 1 == w->n)
            return op == 0 ? 0 : op == 1 ? (pred != 0) : (pred != 0);
        enter_fiber_mode(w);
    }
    unsigned me = w->cur, p = w->bar_gen & 1;
    w->bar_true[p] += pred != 0;
    w->bar_n[p]++;
    if (!w->broken) {
        if (++w->bar_arrived == w->live)
            release_block_barrier(w);
        else {
            w->state[me] = ST_WAIT_BAR;
            wait_for_wake(w, me, 0);
        }
    }
    switch (op) {
    case 1: return (int)w->bar_true[p];
    case 2: return w->bar_true[p] == w->bar_n[p];
    case 3: return w->bar_true[p] != 0;
    default: return 0;
    }
}

/* Every lane in `mask` posts v; returns the posted values of this round
 * (valid until this lane's next exchange), *posted = lanes that posted. */
const unsigned long long *gahost_warp_exchange(unsigned mask, unsigned long long v, unsigned *posted)
{
    hostrt_worker *w = gahost_t.worker;
    unsigned me, lane, wi;
    if (!gahost_t.fiber_mode) {
        me = current_linear(w);
        lane = me % WARP;
        wi = warp_of(me);
        unsigned hi = (wi + 1) * WARP < w->n ? WARP : w->n - wi * WARP;
        unsigned later = (hi >= 32 ? ~0u : (1u << hi) - 1) & ~((1u << lane) - 1);
        if ((mask & later) == (1u << lane)) {   /* alone: the others returned */
            warp_state *ws = &w->warps[0];
            ws->vals[0][lane] = v;
            *posted = 1u << lane;
            return ws->vals[0];
        }
        enter_fiber_mode(w);
    }
    me = w->cur;
    lane = me % WARP;
    wi = warp_of(me);
    warp_state *ws = &w->warps[wi];
    unsigned g = ws->gen, p = g & 1, bit = 1u << lane;
    ws->vals[p][lane] = v;
    ws->posted[p] |= bit;
    if (!w->broken) {
        ws->arrived |= bit;
        ws->need = (mask | bit) & ws->live;
        if ((ws->arrived & ws->need) == ws->need)
            release_warp(w, wi);
        else {
            w->state[me] = ST_WAIT_WARP;
            wait_for_wake(w, me, 1);
        }
    }
    *posted = ws->posted[p];
    return ws->vals[p];
}

unsigned gahost_activemask(void)
{
    hostrt_worker *w = gahost_t.worker;
    if (!gahost_t.fiber_mode) {
        unsigned me = current_linear(w), wi = warp_of(me);
        unsigned hi = (wi + 1) * WARP < w->n ? WARP : w->n - wi * WARP;
        return hi >= 32 ? ~0u : (1u << hi) - 1;
    }
    return w->warps[warp_of(w->cur)].live;
}

/* --------------------------------------------------------------- pool */

typedef struct job {
    const gahost_grid *grid;
    uint64_t total;            /* blocks */
    uint64_t chunk;
    _Atomic uint64_t next;     /* first block not handed out */
    int users;                 /* pool workers inside it (pool.lock) */
    int listed;                /* in pool.jobs (pool.lock) */
    _Atomic int status;        /* first failure */
    char message[480];
    struct job *link;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;       /* a job was queued */
    pthread_cond_t done;       /* a worker left a job */
    job *jobs;                 /* with blocks left to hand out */
    _Atomic unsigned seq;      /* bumped per queued job: spinners watch it */
    int sleepers;
    int nthreads;              /* callers included; pool has nthreads - 1 */
    int started;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
            .done = PTHREAD_COND_INITIALIZER};

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static int nthreads_from_env(void)
{
    const char *e = getenv("GPUARRAY_HOST_THREADS");
    long n = 0;
    if (e && *e) {
        char *end;
        n = strtol(e, &end, 10);
        if (*end || n < 1)
            n = 0;
    }
    if (n <= 0) {
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof set, &set) == 0)
            n = CPU_COUNT(&set);
        if (n <= 0)
            n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n <= 0)
            n = 1;
    }
    return n > 1024 ? 1024 : (int)n;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void run_chunks(hostrt_worker *w, job *j);

static job *pick_job(void)
{
    for (job *j = pool.jobs; j; j = j->link)
        if (atomic_load_explicit(&j->next, memory_order_relaxed) < j->total)
            return j;
    return NULL;
}

static void unlist(job *j)
{
    if (!j->listed)
        return;
    for (job **pp = &pool.jobs; *pp; pp = &(*pp)->link)
        if (*pp == j) {
            *pp = j->link;
            break;
        }
    j->listed = 0;
}

static void *pool_main(void *arg)
{
    (void)arg;
    hostrt_worker *w = worker_get();
    if (!w)
        return NULL;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        job *j = pick_job();
        if (!j) {
            /* Spin a little before sleeping: back-to-back launches then
             * find the pool awake. */
            unsigned seq = atomic_load(&pool.seq);
            pthread_mutex_unlock(&pool.lock);
            for (int i = 0; i < 4000 && atomic_load_explicit(&pool.seq, memory_order_relaxed) == seq; i++)
                cpu_relax();
            pthread_mutex_lock(&pool.lock);
            if (!pick_job() && atomic_load(&pool.seq) == seq) {
                pool.sleepers++;
                pthread_cond_wait(&pool.work, &pool.lock);
                pool.sleepers--;
            }
            continue;
        }
        j->users++;
        pthread_mutex_unlock(&pool.lock);
        run_chunks(w, j);
        pthread_mutex_lock(&pool.lock);
        unlist(j);
        if (--j->users == 0)
            pthread_cond_broadcast(&pool.done);
    }
    return NULL;
}

static void pool_reset_after_fork(void)
{
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.work, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.jobs = NULL;
    pool.sleepers = 0;
    pool.started = 0;
    pool_once = (pthread_once_t)PTHREAD_ONCE_INIT;
}

static void pool_start(void)
{
    hostrt_fault_install();     /* before any worker runs kernel code */
    pool.nthreads = nthreads_from_env();
    pthread_atfork(NULL, NULL, pool_reset_after_fork);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int started = 1;
    for (int i = 1; i < pool.nthreads; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, pool_main, NULL) == 0)
            started++;
    }
    pthread_attr_destroy(&attr);
    pool.nthreads = started;
    pool.started = 1;
}

HOSTRT_API int gahost_num_threads(void)
{
    pthread_once(&pool_once, pool_start);
    return pool.nthreads;
}

/* ------------------------------------------------------------- blocks */

static void job_fail(job *j, int status, const char *msg)
{
    int expected = GAHOST_OK;
    if (atomic_compare_exchange_strong(&j->status, &expected, status))
        snprintf(j->message, sizeof j->message, "%s", msg);
}

static void run_range(hostrt_worker *w, job *j, uint64_t b, uint64_t end)
{
    const gahost_grid *g = j->grid;
    uint64_t gx = g->grid.x, gxy = (uint64_t)g->grid.x * g->grid.y;
    unsigned z = (unsigned)(b / gxy), y = (unsigned)((b % gxy) / gx), x = (unsigned)(b % gx);
    void (*run_block)(const void *) = g->run_block;
    const void *args = g->args;
    for (; b < end; b++) {
        gahost_t.block_idx.x = x;
        gahost_t.block_idx.y = y;
        gahost_t.block_idx.z = z;
        run_block(args);
        if (w->broken) {
            w->broken = 0;
            char msg[200];
            snprintf(msg, sizeof msg, "threads of block (%u,%u,%u) wait at different barriers "
                     "(__syncthreads or warp operations in divergent code): a GPU would hang", x, y, z);
            job_fail(j, GAHOST_ERROR_DEADLOCK, msg);
        }
        if (++x == g->grid.x) {
            x = 0;
            if (++y == g->grid.y) {
                y = 0;
                z++;
            }
        }
    }
}

/* A fault in kernel code (fault.c) lands here: the block it was in is
 * abandoned, the job hands out no more blocks, and the first fault of the
 * job is its error. The worker's fiber state is reset for the next block. */
static void after_fault(hostrt_worker *w, job *j)
{
    char msg[sizeof j->message];
    hostrt_fault_describe(&w->fault, msg, sizeof msg);
    job_fail(j, w->fault.status, msg);
    atomic_store(&j->next, j->total);
    gahost_t.fiber_mode = 0;
    w->broken = 0;
}

static void run_chunks(hostrt_worker *w, job *j)
{
    const gahost_grid *g = j->grid;
    if (worker_reserve_shared(w, g->shared_mem)) {
        job_fail(j, GAHOST_ERROR_NOMEM, gahost_last_error());
        /* still hand out its blocks, or the job would never end */
    }
    gahost_t.block_dim = g->block;
    gahost_t.grid_dim = g->grid;
    gahost_t.fiber_mode = 0;
    w->grid = g;
    w->n = g->block.x * g->block.y * g->block.z;
    w->bx = g->block.x;
    w->bxy = g->block.x * g->block.y;
    int ok = atomic_load(&j->status) != GAHOST_ERROR_NOMEM;
    /* Armed once for all the chunks (no system call: the mask is not
     * saved); a fault jumps back here, and the job is over. */
    if (sigsetjmp(w->fault.recover, 0)) {
        after_fault(w, j);
        return;
    }
    w->fault.armed = 1;
    for (;;) {
        uint64_t b = atomic_fetch_add_explicit(&j->next, j->chunk, memory_order_relaxed);
        if (b >= j->total)
            break;
        uint64_t end = b + j->chunk < j->total ? b + j->chunk : j->total;
        if (ok)
            run_range(w, j, b, end);
    }
    w->fault.armed = 0;
}

static int check_dims(const gahost_grid *g)
{
    const gahost_dim3 b = g->block, gr = g->grid;
    if (!b.x || !b.y || !b.z || !gr.x || !gr.y || !gr.z)
        return hostrt_error(GAHOST_ERROR_LAUNCH, "grid (%u,%u,%u) and block (%u,%u,%u) must not "
                            "have a zero dimension", gr.x, gr.y, gr.z, b.x, b.y, b.z);
    if (b.x > 1024 || b.y > 1024 || b.z > 64 || (uint64_t)b.x * b.y * b.z > MAX_THREADS_PER_BLOCK)
        return hostrt_error(GAHOST_ERROR_LAUNCH, "block (%u,%u,%u) exceeds the limits: 1024 threads, "
                            "(1024, 1024, 64) per dimension", b.x, b.y, b.z);
    if (gr.x > 2147483647u || gr.y > 65535 || gr.z > 65535)
        return hostrt_error(GAHOST_ERROR_LAUNCH, "grid (%u,%u,%u) exceeds the limits "
                            "(2147483647, 65535, 65535)", gr.x, gr.y, gr.z);
    return GAHOST_OK;
}

int gahost_launch(const gahost_grid *g)
{
    int st = check_dims(g);
    if (st)
        return st;
    hostrt_worker *w = worker_get();
    if (!w)
        return hostrt_error(GAHOST_ERROR_NOMEM, "no memory for the runtime's thread state");
    pthread_once(&pool_once, pool_start);
    if (hostrt_fault_install() != GAHOST_OK)
        return GAHOST_ERROR_INVALID;

    job j;
    j.grid = g;
    j.total = (uint64_t)g->grid.x * g->grid.y * g->grid.z;
    j.users = 0;
    j.listed = 0;
    atomic_init(&j.next, 0);
    atomic_init(&j.status, GAHOST_OK);
    j.message[0] = '\0';
    j.link = NULL;
    uint64_t per = j.total / ((uint64_t)pool.nthreads * 16);
    j.chunk = per ? per : 1;

    int helpers = pool.nthreads - 1;
    if (j.total < 2)
        helpers = 0;
    if (helpers > 0) {
        pthread_mutex_lock(&pool.lock);
        job **pp = &pool.jobs;
        while (*pp)
            pp = &(*pp)->link;
        *pp = &j;
        j.listed = 1;
        atomic_fetch_add(&pool.seq, 1);
        if (pool.sleepers)
            pthread_cond_broadcast(&pool.work);
        pthread_mutex_unlock(&pool.lock);
    }

    /* A caller's own state is restored afterwards: an entry may be called
     * from inside another grid's thread only in tests, never by CUDA. */
    /* A nested launch (tests only) must give the outer one its recovery
     * point back. */
    int outer_armed = w->fault.armed;
    sigjmp_buf outer_recover;
    if (outer_armed)
        memcpy(outer_recover, w->fault.recover, sizeof outer_recover);
    run_chunks(w, &j);
    if (outer_armed) {
        memcpy(w->fault.recover, outer_recover, sizeof outer_recover);
        w->fault.armed = 1;
    }

    if (helpers > 0) {
        pthread_mutex_lock(&pool.lock);
        unlist(&j);
        while (j.users)
            pthread_cond_wait(&pool.done, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
    st = atomic_load(&j.status);
    if (st)
        return hostrt_error(st, "%s", j.message);
    hostrt_clear_error();
    return GAHOST_OK;
}
