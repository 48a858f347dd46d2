/* fault.c - a kernel that faults ends its launch with an error, not the
 * process.
 *
 * A CUDA kernel that dereferences a bad pointer, hits assert() or __trap(),
 * divides an integer by zero or recurses too deep runs here as plain CPU
 * code, where each of those is a signal (SIGSEGV, SIGBUS, SIGABRT, SIGILL,
 * SIGFPE) whose default action kills Python. This file owns those signals
 * for the process:
 *
 *   - every OS thread that runs blocks arms a recovery point
 *     (hostrt_fault_arm, a sigsetjmp on the worker's own stack) around the
 *     blocks it runs, and has an alternate signal stack, so that a fault
 *     from a stack overflow can still be handled;
 *   - the handler first offers the fault to a filter the backend registers
 *     (GPUARRAY_HOST_CHECK's guard pages, which record an access and let
 *     it complete); then, on an armed thread, it records what happened
 *     (signal, address, threadIdx/blockIdx of the CUDA thread running) and
 *     siglongjmps back to the recovery point, abandoning the block;
 *   - a fault on any other thread, or outside a kernel, is not ours: the
 *     handler that was installed before us gets it (Python's faulthandler,
 *     or the default action, which ends the process as it would have).
 *
 * assert() and __trap() in kernel code do not need a signal: the prelude
 * calls gahost_fault_raise, which records and jumps the same way.
 *
 * What is safe afterwards: the faulting CUDA thread and its block stop
 * where they were; the launch hands out no more blocks; blocks running on
 * other workers finish. Kernel code holds no runtime lock (barriers are
 * switches between fibers of one OS thread), so the runtime itself is
 * consistent; but the kernel may have been inside libc (device malloc,
 * printf) and device memory holds whatever it wrote. The backend therefore
 * treats the error as CUDA does: sticky for the device (see
 * csrc/backends/host/host_stream.c). */
#include "hostrt_private.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NUM_FAULT_SIGNALS (int)(sizeof fault_signals / sizeof fault_signals[0])

static struct sigaction previous[NUM_FAULT_SIGNALS];
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_failed;

/* The armed state of this OS thread; a pointer in static TLS (the struct
 * itself is part of the thread's hostrt_worker, malloc'd). */
static __thread hostrt_fault_state *fault_tls __attribute__((tls_model("initial-exec")));

static _Atomic(gahost_fault_filter_fn) fault_filter;


static int signal_slot(int sig)
{
    for (int i = 0; i < NUM_FAULT_SIGNALS; i++)
        if (fault_signals[i] == sig)
            return i;
    return -1;
}

/* Hand a fault that is not a kernel's to whoever had the signal before. */
static void chain(int sig, siginfo_t *si, void *uc)
{
    int i = signal_slot(sig);
    struct sigaction *old = i >= 0 ? &previous[i] : NULL;
    if (old && (old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
        old->sa_sigaction(sig, si, uc);
        return;
    }
    if (old && !(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL &&
        old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* The default action: restore it and return. A synchronous fault runs
     * its instruction again and ends the process as it would have without
     * us; abort() raises again after its handler returns. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (si->si_code <= 0)        /* sent (kill, raise): send it again */
        raise(sig);
}

static int status_of(int sig, int code)
{
    switch (sig) {
    case SIGABRT: return GAHOST_ERROR_ASSERT;
    case SIGILL: return GAHOST_ERROR_ILLEGAL_INSTRUCTION;
    case SIGFPE: return GAHOST_ERROR_LAUNCH_FAILED;
    case SIGBUS: return code == BUS_ADRALN ? GAHOST_ERROR_MISALIGNED : GAHOST_ERROR_ILLEGAL_ADDRESS;
    default: return GAHOST_ERROR_ILLEGAL_ADDRESS;
    }
}

static void record_position(hostrt_fault_state *fs)
{
    fs->thread_idx = gahost_t.thread_idx;
    fs->block_idx = gahost_t.block_idx;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    gahost_fault_filter_fn filter = atomic_load(&fault_filter);
    if (filter && filter(sig, si, uc)) {
        errno = saved_errno;
        return;                  /* the filter made the access complete */
    }
    hostrt_fault_state *fs = fault_tls;
    /* Only a signal this thread caused by running kernel code: a SIGABRT
     * sent by kill() to the process is not a kernel's assert. */
    if (!fs || !fs->armed || (sig != SIGABRT && si->si_code <= 0)) {
        errno = saved_errno;
        chain(sig, si, uc);
        return;
    }
    fs->armed = 0;
    /* Integer division by zero is a fault of one instruction in kernel
     * code: nothing else is touched. Every other signal may come from a
     * wild write or from inside the C library (a lock held): sticky. */
    fs->status = status_of(sig, si->si_code) | (sig == SIGFPE ? 0 : GAHOST_FAULT_STICKY);
    fs->signal = sig;
    fs->code = si->si_code;
    fs->addr = (uintptr_t)si->si_addr;
    fs->message[0] = '\0';
    fs->stack_overflow = (sig == SIGSEGV || sig == SIGBUS) && hostrt_is_stack_guard(fs->addr);
    record_position(fs);
    /* The jump leaves the handler for good: unblock the signal it runs
     * under (sigsetjmp saved no mask, to keep arming free of a system call). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    siglongjmp(fs->recover, 1);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* SA_ONSTACK: a stack overflow leaves no room on the faulting stack. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NUM_FAULT_SIGNALS; i++)
        if (sigaction(fault_signals[i], &sa, &previous[i]) != 0)
            install_failed = 1;
}

int hostrt_fault_install(void)
{
    pthread_once(&install_once, install);
    return install_failed ? hostrt_error(GAHOST_ERROR_INVALID, "cannot install the kernel fault "
                                         "handlers: %s", strerror(errno))
                          : GAHOST_OK;
}

/* An alternate signal stack for this thread, unless it has one. */
int hostrt_fault_thread_init(hostrt_fault_state *fs)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_size >= 32768) {
        fault_tls = fs;
        return GAHOST_OK;
    }
    size_t size = 65536;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return hostrt_error(GAHOST_ERROR_NOMEM, "no memory for a signal stack");
    stack_t ss = {.ss_sp = p, .ss_size = size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(p, size);
        return hostrt_error(GAHOST_ERROR_NOMEM, "sigaltstack: %s", strerror(errno));
    }
    fs->altstack = p;
    fs->altstack_size = size;
    fault_tls = fs;
    return GAHOST_OK;
}

/* At thread exit (the worker's destructor runs on the thread itself). */
void hostrt_fault_thread_fini(hostrt_fault_state *fs)
{
    if (fault_tls == fs)
        fault_tls = NULL;
    if (fs->altstack) {
        stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&ss, NULL);
        munmap(fs->altstack, fs->altstack_size);
        fs->altstack = NULL;
    }
}

/* Describe fs's fault for the launch's error (no kernel name: the backend
 * knows it). */
void hostrt_fault_describe(const hostrt_fault_state *fs, char *out, size_t size)
{
    char what[300];
    if (fs->signal == 0)
        snprintf(what, sizeof what, "%s", fs->message);
    else if (fs->stack_overflow)
        snprintf(what, sizeof what, "stack overflow (recursion too deep or local arrays too "
                 "large for the %zu KiB stack of a GPU thread; GPUARRAY_HOST_STACK_KB raises it)",
                 hostrt_fiber_stack_size() >> 10);
    else if (fs->signal == SIGFPE)
        snprintf(what, sizeof what, "%s (SIGFPE); on a GPU integer division by zero gives an "
                 "unspecified value, the host backend is stricter and stops the kernel",
                 fs->code == FPE_INTDIV ? "integer division by zero"
                 : fs->code == FPE_INTOVF ? "integer overflow in a division (INT_MIN / -1)"
                                          : "arithmetic exception");
    else if (fs->signal == SIGABRT)
        snprintf(what, sizeof what, "abort() from library code the kernel called (SIGABRT)");
    else if (fs->signal == SIGILL)
        snprintf(what, sizeof what, "illegal instruction at 0x%llx (SIGILL)",
                 (unsigned long long)fs->addr);
    else
        snprintf(what, sizeof what, "%s at address 0x%llx (%s%s)",
                 fs->signal == SIGBUS ? "bad memory access" : "illegal memory access",
                 (unsigned long long)fs->addr, fs->signal == SIGBUS ? "SIGBUS" : "SIGSEGV",
                 fs->addr < 4096 ? ", a NULL pointer" : "");
    snprintf(out, size, "%s, in thread (%u,%u,%u) of block (%u,%u,%u)", what, fs->thread_idx.x,
             fs->thread_idx.y, fs->thread_idx.z, fs->block_idx.x, fs->block_idx.y,
             fs->block_idx.z);
}

/* assert() and __trap() in kernel code (through the prelude). */
HOSTRT_API void gahost_fault_raise(int status, const char *message)
{
    hostrt_fault_state *fs = fault_tls;
    if (!fs || !fs->armed) {
        /* Not inside a launch (a test calling a device function directly). */
        fprintf(stderr, "gpuarray host runtime: %s outside a kernel launch\n", message);
        abort();
    }
    fs->armed = 0;
    fs->status = status;
    fs->signal = 0;
    fs->code = 0;
    fs->addr = 0;
    fs->stack_overflow = 0;
    snprintf(fs->message, sizeof fs->message, "%s", message);
    record_position(fs);
    siglongjmp(fs->recover, 1);
}

HOSTRT_API void gahost_assert_fail(const char *expr, const char *file, unsigned line,
                                   const char *function)
{
    char msg[sizeof ((hostrt_fault_state *)0)->message];
    /* CUDA prints the failed assertion from the device; so do we. */
    fprintf(stderr, "%s:%u: %s: block: [%u,%u,%u], thread: [%u,%u,%u] Assertion `%s` failed.\n",
            file, line, function, gahost_t.block_idx.x, gahost_t.block_idx.y, gahost_t.block_idx.z,
            gahost_t.thread_idx.x, gahost_t.thread_idx.y, gahost_t.thread_idx.z, expr);
    snprintf(msg, sizeof msg, "assertion `%s` failed at %s:%u in %s", expr, file, line, function);
    gahost_fault_raise(GAHOST_ERROR_ASSERT, msg);
}

HOSTRT_API void gahost_trap(void)
{
    gahost_fault_raise(GAHOST_ERROR_LAUNCH_FAILED, "__trap() called");
}

HOSTRT_API void gahost_set_fault_filter(gahost_fault_filter_fn filter)
{
    atomic_store(&fault_filter, filter);
    hostrt_fault_install();      /* a filter sees copies' faults before any launch */
}

hostrt_fault_state *hostrt_fault_current(void) { return fault_tls; }
