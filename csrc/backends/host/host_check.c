/* host_check.c - GPUARRAY_HOST_CHECK=1: out-of-bounds accesses to device
 * buffers, caught and reported as the error of the kernel that made them.
 *
 * Each buffer gets its own mapping, laid out as
 *     [meta page][guard page][data ... end][guard page]
 * with the data ending exactly where the upper guard page begins (its start
 * is aligned only as far as its size allows, at most 16 bytes, so that even
 * one element past the end faults). Guard pages are PROT_NONE. A SIGSEGV
 * in a guard page is recorded (address, buffer, read or write, and the
 * CUDA thread and block the runtime was running on that OS thread), the
 * page is opened so that the faulting instruction completes harmlessly,
 * and the kernel runs on; when its task ends, the stream worker turns the
 * record into the device's pending error (reported by the next
 * synchronizing call, like CUDA's illegal-address error) and closes the
 * page again. Accesses that miss the guard pages (far out of bounds) are
 * not ours: the previous handler gets them (normally a crash), after a
 * line on stderr naming the kernel position.
 *
 * Limits: an access below the buffer is caught only once it is below the
 * buffer's first page (the bytes between the page start and the buffer
 * are mapped); concurrent kernels on several streams are told apart by
 * name only when one runs at a time. */
#define _GNU_SOURCE
#include "host_backend.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static pthread_once_t enabled_once = PTHREAD_ONCE_INIT;
static int enabled;
static size_t page;

static void read_enabled(void)
{
    const char *v = getenv("GPUARRAY_HOST_CHECK");
    enabled = v && *v && strcmp(v, "0") != 0;
    long p = sysconf(_SC_PAGESIZE);
    page = p > 0 ? (size_t)p : 4096;
}

int host_check_enabled(void)
{
    pthread_once(&enabled_once, read_enabled);
    return enabled;
}

/* -------------------------------------------------------- guard registry */

/* Guard page address -> its buffer. Open addressing, written under a lock,
 * read lock-free by the signal handler (key written last, with release). */
#define GUARD_SLOTS (1u << 16)
#define GUARD_TOMB ((uintptr_t)1)

typedef struct guard_slot {
    _Atomic uintptr_t page;
    uintptr_t data;
    size_t size;
} guard_slot;

static guard_slot guards[GUARD_SLOTS];
static pthread_mutex_t guards_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(uintptr_t p)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> 48) & (GUARD_SLOTS - 1);
}

static int guard_insert(uintptr_t pg, uintptr_t data, size_t size)
{
    unsigned i = slot_of(pg);
    for (unsigned n = 0; n < GUARD_SLOTS; n++, i = (i + 1) & (GUARD_SLOTS - 1)) {
        uintptr_t k = atomic_load_explicit(&guards[i].page, memory_order_relaxed);
        if (k == 0 || k == GUARD_TOMB) {
            guards[i].data = data;
            guards[i].size = size;
            atomic_store_explicit(&guards[i].page, pg, memory_order_release);
            return 1;
        }
    }
    return 0;
}

static void guard_remove(uintptr_t pg)
{
    unsigned i = slot_of(pg);
    for (unsigned n = 0; n < GUARD_SLOTS; n++, i = (i + 1) & (GUARD_SLOTS - 1)) {
        uintptr_t k = atomic_load_explicit(&guards[i].page, memory_order_relaxed);
        if (k == 0)
            return;
        if (k == pg) {
            atomic_store_explicit(&guards[i].page, GUARD_TOMB, memory_order_release);
            return;
        }
    }
}

/* Async-signal-safe. */
static const guard_slot *guard_find(uintptr_t pg)
{
    unsigned i = slot_of(pg);
    for (unsigned n = 0; n < GUARD_SLOTS; n++, i = (i + 1) & (GUARD_SLOTS - 1)) {
        uintptr_t k = atomic_load_explicit(&guards[i].page, memory_order_acquire);
        if (k == 0)
            return NULL;
        if (k == pg)
            return &guards[i];
    }
    return NULL;
}

/* ------------------------------------------------------------ allocation */

/* Guard pages a fault has opened, to close when the task ends. */
#define MAX_OPENED 256
static _Atomic uintptr_t opened[MAX_OPENED];

typedef struct check_meta {
    uint64_t magic;
    void *base;
    size_t total;
    size_t size;
    uintptr_t data;
    uintptr_t low, high;         /* the guard pages */
} check_meta;

#define CHECK_MAGIC 0x6761636865636b21ull /* "gacheck!" */

void *host_check_alloc(size_t nbytes)
{
    size_t data_pages = (nbytes + page - 1) / page * page;
    size_t total = 3 * page + data_pages;
    char *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uintptr_t low = (uintptr_t)base + page, high = (uintptr_t)base + total - page;
    size_t align = nbytes & (~nbytes + 1);          /* lowest set bit */
    if (align > 16)
        align = 16;
    uintptr_t data = (high - nbytes) & ~(uintptr_t)(align - 1);
    mprotect((void *)low, page, PROT_NONE);
    mprotect((void *)high, page, PROT_NONE);
    check_meta *m = (check_meta *)base;
    *m = (check_meta){CHECK_MAGIC, base, total, nbytes, data, low, high};
    /* The meta page must be found from the data pointer: it sits two pages
     * below the data's first page. */
    if ((data & ~(uintptr_t)(page - 1)) - 2 * page != (uintptr_t)base) {
        munmap(base, total);
        return NULL;
    }
    pthread_mutex_lock(&guards_lock);
    guard_insert(low, data, nbytes);
    guard_insert(high, data, nbytes);
    pthread_mutex_unlock(&guards_lock);
    return (void *)data;
}

size_t host_check_free(void *ptr)
{
    uintptr_t pg = (uintptr_t)ptr & ~(uintptr_t)(page - 1);
    check_meta *m = (check_meta *)(pg - 2 * page);
    if (m->magic != CHECK_MAGIC || m->data != (uintptr_t)ptr)
        return 0;
    size_t size = m->size;
    pthread_mutex_lock(&guards_lock);
    guard_remove(m->low);
    guard_remove(m->high);
    pthread_mutex_unlock(&guards_lock);
    /* A guard page opened by a fault must not be "closed" again once the
     * address may belong to another mapping. */
    for (int i = 0; i < MAX_OPENED; i++) {
        uintptr_t k = m->low;
        if (!atomic_compare_exchange_strong(&opened[i], &k, 0)) {
            k = m->high;
            atomic_compare_exchange_strong(&opened[i], &k, 0);
        }
    }
    m->magic = 0;
    munmap(m->base, m->total);
    return size;
}

/* ------------------------------------------------------------ the handler */

/* The runtime's per-thread CUDA state (gahost_t in libgpuarray_hostrt.so,
 * initial-exec TLS) starts with threadIdx then blockIdx, as the prelude
 * declares it. Its offset from the thread pointer is the same on every
 * thread, so the handler finds it without calling anything. */
typedef struct runtime_tls_head {
    gahost_dim3 thread_idx;
    gahost_dim3 block_idx;
} runtime_tls_head;

static _Atomic intptr_t tls_offset;      /* 0 = not known (yet) */

static inline uintptr_t thread_pointer(void)
{
    uintptr_t tp;
#if defined(__x86_64__)
    __asm__("mov %%fs:0, %0" : "=r"(tp));
#else
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
#endif
    return tp;
}

static struct {
    _Atomic int state;           /* 0 none, 1 being written, 2 recorded */
    uintptr_t addr, data;
    size_t size;
    int is_write;                /* 1 write, 0 read, -1 unknown */
    int have_pos;
    gahost_dim3 thread_idx, block_idx;
} fault;

static _Atomic int in_flight;            /* tasks running between begin and end */

static struct sigaction old_segv, old_bus;

static void say(const char *s)
{
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void chain(int sig, siginfo_t *si, void *uc)
{
    struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction) {
            old->sa_sigaction(sig, si, uc);
            return;
        }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* Default action: restore it; the faulting instruction runs again and
     * the process ends as it would have without us. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
}

/* Returns 1 when the fault was in a guard page (recorded, page opened:
 * the access completes when the instruction runs again), else 0. */
static int guard_filter(int sig, void *siv, void *ucv)
{
    siginfo_t *si = siv;
    if (sig != SIGSEGV && sig != SIGBUS)
        return 0;
    uintptr_t addr = (uintptr_t)si->si_addr;
    uintptr_t pg = addr & ~(uintptr_t)(page - 1);
    const guard_slot *g = guard_find(pg);
    if (!g)
        return 0;
    int expect = 0;
    if (atomic_compare_exchange_strong(&fault.state, &expect, 1)) {
        fault.addr = addr;
        fault.data = g->data;
        fault.size = g->size;
        fault.is_write = -1;
#if defined(__x86_64__)
        {
            ucontext_t *uc = ucv;
            fault.is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 1 : 0;
        }
#endif
        intptr_t off = atomic_load(&tls_offset);
        fault.have_pos = off != 0;
        if (off) {
            const runtime_tls_head *t = (const runtime_tls_head *)(thread_pointer() + (uintptr_t)off);
            fault.thread_idx = t->thread_idx;
            fault.block_idx = t->block_idx;
        }
        atomic_store(&fault.state, 2);
    }
    for (int i = 0; i < MAX_OPENED; i++) {
        uintptr_t z = 0;
        if (atomic_load(&opened[i]) == pg)
            break;
        if (atomic_compare_exchange_strong(&opened[i], &z, pg))
            break;
    }
    /* Let the access complete into the guard page; it is closed again when
     * the task ends. */
    mprotect((void *)pg, page, PROT_READ | PROT_WRITE);
    return 1;
}

/* Without the kernel runtime (no compiler: copies only), this file owns
 * SIGSEGV/SIGBUS itself. */
static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    if (guard_filter(sig, si, ucv))
        return;
    if (atomic_load(&in_flight) > 0)
        say("gpuarray host backend (GPUARRAY_HOST_CHECK): a copy accessed memory outside "
            "every device buffer and far from their guard pages; the process cannot continue\n");
    chain(sig, si, ucv);
}

ga_status host_check_init(void)
{
    /* The kernel runtime owns the fault signals (csrc/hostrt/fault.c): a
     * fault in a guard page is ours to record, any other fault in a kernel
     * becomes the kernel's error there. */
    const gahost_api *api = host_runtime();
    if (api) {
        api->set_fault_filter(guard_filter);
        return GA_OK;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) != 0 || sigaction(SIGBUS, &sa, &old_bus) != 0)
        return ga_error(GA_ERROR_DRIVER, "GPUARRAY_HOST_CHECK: cannot install the fault handler");
    return GA_OK;
}

/* Where the runtime's gahost_t lives relative to the thread pointer; found
 * once the runtime is loaded (the first launch has loaded it). */
static void learn_tls_offset(void)
{
    if (atomic_load(&tls_offset) || !host_runtime_path())
        return;
    void *h = dlopen(host_runtime_path(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!h)
        return;
    void *t = dlsym(h, "gahost_t");
    if (t)
        atomic_store(&tls_offset, (intptr_t)((uintptr_t)t - thread_pointer()));
    dlclose(h);
}

void host_check_task_begin(void)
{
    if (!host_check_enabled())
        return;
    learn_tls_offset();
    atomic_fetch_add(&in_flight, 1);
}

void host_check_task_end(host_device *dev, const char *what)
{
    if (!host_check_enabled())
        return;
    int running = atomic_fetch_sub(&in_flight, 1) - 1;
    int expect = 2;
    if (!atomic_compare_exchange_strong(&fault.state, &expect, 3))
        return;
    char pos[160] = "";
    if (fault.have_pos && strncmp(what, "a memory", 8) != 0)
        snprintf(pos, sizeof pos, " thread (%u,%u,%u) block (%u,%u,%u)", fault.thread_idx.x,
                 fault.thread_idx.y, fault.thread_idx.z, fault.block_idx.x, fault.block_idx.y,
                 fault.block_idx.z);
    char where[128];
    uintptr_t end = fault.data + fault.size;
    if (fault.addr >= end)
        snprintf(where, sizeof where, "%zu bytes past the end", (size_t)(fault.addr - end));
    else
        snprintf(where, sizeof where, "%zu bytes before the start", (size_t)(fault.data - fault.addr));
    const char *verb = fault.is_write == 1 ? "wrote to" : fault.is_write == 0 ? "read from"
                                                                              : "accessed";
    char kernel[200];
    if (strncmp(what, "a memory", 8) == 0)
        snprintf(kernel, sizeof kernel, "%s", what);
    else
        snprintf(kernel, sizeof kernel, "kernel '%s'%s", what,
                 running > 0 ? " (or a kernel running beside it)" : "");
    host_device_fail(dev, GA_ERROR_LAUNCH, 700, "CUDA_ERROR_ILLEGAL_ADDRESS",
                     "out-of-bounds access caught by GPUARRAY_HOST_CHECK: %s%s %s address 0x%llx, "
                     "%s of a %zu-byte device buffer at 0x%llx (byte offset %lld)",
                     kernel, pos, verb, (unsigned long long)fault.addr, where, fault.size,
                     (unsigned long long)fault.data,
                     (long long)((intptr_t)fault.addr - (intptr_t)fault.data));
    for (int i = 0; i < MAX_OPENED; i++) {
        uintptr_t pg = atomic_exchange(&opened[i], 0);
        if (pg)
            mprotect((void *)pg, page, PROT_NONE);
    }
    atomic_store(&fault.state, 0);
}
