/* host_stream.c - the host backend's streams and events: one worker thread
 * per stream running a FIFO of tasks (launch, copy, fill, event record,
 * wait, free), with the ordering rules of CUDA's legacy default stream.
 *
 * Ordering is kept with counters: each stream counts the tasks submitted
 * to it and those completed, and a task may carry dependencies "stream X
 * has completed T tasks", waited for by the worker before the task runs.
 * The legacy null stream adds them implicitly: a null-stream task waits for
 * everything already submitted to blocking streams, and a task on a
 * blocking stream waits for everything already submitted to the null
 * stream (non-blocking streams are exempt), as CUDA documents. Every
 * dependency points at earlier submissions, so no cycle can form. */
#define _GNU_SOURCE
#include "host_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct host_stream {
    host_device *dev;
    unsigned flags;
    int is_null;
    _Atomic int refs;            /* user handle, worker, tasks and events holding it */
    /* Under dev->lock: */
    int started;                 /* the worker thread runs */
    int closing;                 /* destroyed by the user: drain, then exit */
    pthread_cond_t work;         /* a task was queued, or closing */
    host_task *head, *tail;
    uint64_t submitted, completed;
    host_stream *prev, *next;    /* dev->streams (created streams only) */
    host_capture *capture;       /* while capturing: tasks are recorded (host_graph.c) */
};

struct host_event {
    host_device *dev;
    unsigned flags;
    _Atomic int refs;            /* the user's + one per queued record */
    /* Under dev->lock: */
    host_stream *stream;         /* of the latest record, retained; NULL = complete */
    uint64_t seq;                /* ... complete when stream->completed >= seq */
    uint64_t gen;                /* records so far: a stale record does not stamp */
    int stamped;                 /* time holds the latest record's time */
    double time;                 /* seconds, CLOCK_MONOTONIC */
};

/* ------------------------------------------------------------------ errors */

void host_device_fail(host_device *dev, ga_status status, int code, const char *name,
                      const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(dev->lock);
    if (dev->error_status == GA_OK) {
        dev->error_status = status;
        dev->error_code = code;
        snprintf(dev->error_name, sizeof dev->error_name, "%s", name ? name : "");
        va_start(ap, fmt);
        vsnprintf(dev->error_detail, sizeof dev->error_detail, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(dev->lock);
}

void host_device_fail_sticky(host_device *dev, ga_status status, int code, const char *name,
                             const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(dev->lock);
    if (!dev->error_sticky) {
        /* Replaces a pending ordinary error: this one outlives it. */
        dev->error_status = status;
        dev->error_code = code;
        dev->error_sticky = 1;
        snprintf(dev->error_name, sizeof dev->error_name, "%s", name ? name : "");
        va_start(ap, fmt);
        vsnprintf(dev->error_detail, sizeof dev->error_detail, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(dev->lock);
}

ga_status host_device_sticky_error(host_device *dev)
{
    pthread_mutex_lock(dev->lock);
    int sticky = dev->error_sticky;
    pthread_mutex_unlock(dev->lock);
    return sticky ? host_device_take_error(dev) : GA_OK;
}

ga_status host_device_take_error(host_device *dev)
{
    char detail[sizeof dev->error_detail], name[sizeof dev->error_name];
    int code;
    pthread_mutex_lock(dev->lock);
    ga_status st = dev->error_status;
    if (st != GA_OK) {
        memcpy(detail, dev->error_detail, sizeof detail);
        memcpy(name, dev->error_name, sizeof name);
        code = dev->error_code;
        if (!dev->error_sticky)
            dev->error_status = GA_OK;
    }
    pthread_mutex_unlock(dev->lock);
    if (st == GA_OK)
        return GA_OK;
    if (code)
        return ga_error_driver(st, code, name, "%s", detail);
    return ga_error(st, "%s", detail);
}

/* ---------------------------------------------------------- deferred free */

/* On a GPU, memory freed stream-ordered goes back to the driver's pool and
 * stays mapped; a kernel of another stream that still touches it (a bug,
 * but a common one) reads stale data. Here the memory may go back to the
 * system, and the same bug would crash the process. So a buffer is given
 * back only once every stream busy at the time of its free has passed that
 * point. */
typedef struct host_deferred_free {
    struct host_deferred_free *next;
    void *ptr;
    int n;
    host_stream **streams;       /* retained */
    uint64_t *targets;
} host_deferred_free;

static void free_when_streams_pass(host_device *dev, host_stream *self, void *ptr);
static host_stream *stream_of(host_device *dev, void *native);
/* Under dev->lock: take the entries whose streams have all passed. */
static host_deferred_free *deferred_take_ready(host_device *dev);
static void deferred_release(host_device *dev, host_deferred_free *list);

/* ------------------------------------------------------------------ tasks */

host_task *host_task_new(host_task_kind kind)
{
    host_task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->kind = kind;
    t->deps = t->deps_inline;
    t->deps_cap = 2;
    return t;
}

static void stream_retain(host_stream *s) { atomic_fetch_add(&s->refs, 1); }
static void stream_release(host_stream *s);
static void event_release(host_event *e);

ga_status host_task_add_dep(host_task *t, host_stream *s, uint64_t target)
{
    if (t->ndeps == t->deps_cap) {
        int cap = t->deps_cap * 2;
        host_dep *d = malloc((size_t)cap * sizeof *d);
        if (!d)
            return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a task");
        memcpy(d, t->deps, (size_t)t->ndeps * sizeof *d);
        if (t->deps != t->deps_inline)
            free(t->deps);
        t->deps = d;
        t->deps_cap = cap;
    }
    stream_retain(s);
    t->deps[t->ndeps].stream = s;
    t->deps[t->ndeps].target = target;
    t->ndeps++;
    return GA_OK;
}

static void task_drop_deps(host_task *t)
{
    for (int i = 0; i < t->ndeps; i++)
        stream_release(t->deps[i].stream);
    t->ndeps = 0;
}

/* What a task holds, given back once it has run (or was never queued).
 * Never called with the device lock held: releases may take it. */
static void task_free(host_task *t)
{
    task_drop_deps(t);
    if (t->deps != t->deps_inline)
        free(t->deps);
    switch (t->kind) {
    case HOST_TASK_LAUNCH:
        free(t->u.launch.argbuf);
        if (t->u.launch.fn)
            host_module_release(t->u.launch.fn->module);
        break;
    case HOST_TASK_COPY:
        free(t->u.copy.owned);
        break;
    case HOST_TASK_RECORD:
        if (t->u.record.event)
            event_release(t->u.record.event);
        break;
    case HOST_TASK_GRAPH:
        host_graph_release(t->u.graph);
        break;
    default:
        break;
    }
    free(t);
}

void host_task_discard(host_task *t)
{
    if (t)
        task_free(t);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fill(void *dst, uint32_t pattern, size_t elem_size, size_t nbytes)
{
    unsigned char b = (unsigned char)pattern;
    if (elem_size == 1 || (elem_size == 2 && (pattern & 0xffff) == b * 0x0101u) ||
        (elem_size == 4 && pattern == b * 0x01010101u)) {
        memset(dst, b, nbytes);
    } else if (elem_size == 2) {
        uint16_t v = (uint16_t)pattern, *p = dst;
        for (size_t i = 0, n = nbytes / 2; i < n; i++)
            p[i] = v;
    } else {
        uint32_t *p = dst;
        for (size_t i = 0, n = nbytes / 4; i < n; i++)
            p[i] = pattern;
    }
}

/* A launch that failed while running: reported by the next synchronizing
 * call under the name CUDA gives the same failure. */
static void report_launch_failure(host_device *dev, const char *kernel, int r)
{
    const gahost_api *api = host_runtime();
    const char *why = api ? api->last_error() : "";
    if (!why || !*why)
        why = "the runtime reported an error";
    int code = 719;
    const char *name = "CUDA_ERROR_LAUNCH_FAILED";
    const char *what = "failed";
    switch (GAHOST_STATUS_KIND(r)) {
    case GAHOST_ERROR_ILLEGAL_ADDRESS:
        code = 700, name = "CUDA_ERROR_ILLEGAL_ADDRESS", what = "made an illegal memory access";
        break;
    case GAHOST_ERROR_MISALIGNED:
        code = 716, name = "CUDA_ERROR_MISALIGNED_ADDRESS", what = "made a misaligned access";
        break;
    case GAHOST_ERROR_ASSERT:
        code = 710, name = "CUDA_ERROR_ASSERT", what = "hit a device-side assert";
        break;
    case GAHOST_ERROR_ILLEGAL_INSTRUCTION:
        code = 715, name = "CUDA_ERROR_ILLEGAL_INSTRUCTION", what = "ran an illegal instruction";
        break;
    case GAHOST_ERROR_LAUNCH_FAILED:
        what = "stopped (launch failure)";
        break;
    default:
        break;
    }
    /* GPUARRAY_HOST_FAULTS_STICKY=0 (tests, fuzzing): report it once and
     * go on, trusting that the fault harmed nothing else. */
    const char *keep = getenv("GPUARRAY_HOST_FAULTS_STICKY");
    if ((r & GAHOST_FAULT_STICKY) && !(keep && strcmp(keep, "0") == 0))
        host_device_fail_sticky(dev, GA_ERROR_LAUNCH, code, name,
                                "kernel '%s' %s on the host backend: %s. The device is unusable "
                                "from now on (as after this error on a GPU): restart the process",
                                kernel, what, why);
    else
        host_device_fail(dev, GA_ERROR_LAUNCH, code, name, "kernel '%s' %s on the host backend: %s",
                         kernel, what, why);
}

void host_task_run(host_device *dev, host_task *t)
{
    switch (t->kind) {
    case HOST_TASK_LAUNCH: {
        host_function *f = t->u.launch.fn;
        host_check_task_begin();
        int r = f->desc->entry(t->u.launch.argv, t->u.launch.grid, t->u.launch.block,
                               t->u.launch.shared_mem);
        if (r != GAHOST_OK)
            report_launch_failure(dev, f->desc->name, r);
        host_check_task_end(dev, f->desc->name);
        break;
    }
    case HOST_TASK_COPY:
        host_check_task_begin();
        memmove(t->u.copy.dst, t->u.copy.src, t->u.copy.n);
        host_check_task_end(dev, "a memory copy");
        break;
    case HOST_TASK_MEMSET:
        host_check_task_begin();
        fill(t->u.memset.dst, t->u.memset.pattern, t->u.memset.elem_size, t->u.memset.nbytes);
        host_check_task_end(dev, "a memory fill");
        break;
    case HOST_TASK_RECORD: {
        host_event *e = t->u.record.event;
        double now = now_seconds();
        pthread_mutex_lock(dev->lock);
        if (e->gen == t->u.record.gen) {
            e->time = now;
            e->stamped = 1;
        }
        pthread_mutex_unlock(dev->lock);
        break;
    }
    case HOST_TASK_FREE:
        free_when_streams_pass(dev, t->u.free.stream, t->u.free.ptr);
        break;
    case HOST_TASK_GRAPH:
        host_graph_run(dev, t->u.graph);
        break;
    case HOST_TASK_NOP:
        break;
    }
}

/* ---------------------------------------------------------------- workers */

static void *worker_main(void *arg)
{
    host_stream *s = arg;
    host_device *dev = s->dev;
    pthread_mutex_lock(dev->lock);
    for (;;) {
        while (!s->head && !s->closing)
            pthread_cond_wait(&s->work, dev->lock);
        if (!s->head)
            break;
        host_task *t = s->head;
        /* The task stays at the head while it waits and runs, so that a
         * query sees the stream busy. */
        for (int i = 0; i < t->ndeps; i++)
            while (t->deps[i].stream->completed < t->deps[i].target)
                pthread_cond_wait(dev->progress, dev->lock);
        pthread_mutex_unlock(dev->lock);
        task_drop_deps(t);
        host_task_run(dev, t);
        pthread_mutex_lock(dev->lock);
        s->head = t->next;
        if (!s->head)
            s->tail = NULL;
        s->completed++;
        pthread_cond_broadcast(dev->progress);
        host_deferred_free *ready = dev->deferred ? deferred_take_ready(dev) : NULL;
        pthread_mutex_unlock(dev->lock);
        task_free(t);
        deferred_release(dev, ready);
        pthread_mutex_lock(dev->lock);
    }
    s->started = 0;
    pthread_mutex_unlock(dev->lock);
    stream_release(s);          /* the worker's reference */
    return NULL;
}

/* Under dev->lock. */
static ga_status worker_start(host_stream *s)
{
    pthread_attr_t attr;
    pthread_t tid;
    if (s->started)
        return GA_OK;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Kernels of one-block grids run on this thread, and a kernel's locals
     * may be large: give it the stack a main thread would have. */
    pthread_attr_setstacksize(&attr, (size_t)8 << 20);
    stream_retain(s);
    int r = pthread_create(&tid, &attr, worker_main, s);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        atomic_fetch_sub(&s->refs, 1);   /* cannot be the last: the caller holds one */
        return ga_error(GA_ERROR_DRIVER, "cannot start a stream worker thread: %s", strerror(r));
    }
    s->started = 1;
    return GA_OK;
}

/* Under dev->lock: the implicit waits of the legacy null stream. */
static ga_status add_implicit_deps(host_device *dev, host_stream *s, host_task *t)
{
    ga_status st = GA_OK;
    if (s->is_null) {
        for (host_stream *x = dev->streams; x && st == GA_OK; x = x->next)
            if (!(x->flags & GA_STREAM_NON_BLOCKING) && x->completed < x->submitted)
                st = host_task_add_dep(t, x, x->submitted);
    } else if (!(s->flags & GA_STREAM_NON_BLOCKING)) {
        host_stream *n = dev->null_stream;
        if (n->completed < n->submitted)
            st = host_task_add_dep(t, n, n->submitted);
    }
    return st;
}

/* Under dev->lock. Returns 1 when the caller is to run t itself, after
 * unlocking (its stream was idle and it waits on nothing); 0 when it was
 * queued; -1 on failure (t keeps what it holds; the detail is set). Only
 * unsatisfied dependencies are ever added, so "waits on nothing" is
 * ndeps == 0. */
static int submit_locked(host_device *dev, host_stream *s, host_task *t, int inline_ok,
                         uint64_t *seq)
{
    if (add_implicit_deps(dev, s, t) != GA_OK)
        return -1;
    if (inline_ok && !s->head && t->ndeps == 0) {
        if (seq)
            *seq = s->submitted;
        return 1;
    }
    if (worker_start(s) != GA_OK)
        return -1;
    t->next = NULL;
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    s->submitted++;
    if (seq)
        *seq = s->submitted;
    pthread_cond_signal(&s->work);
    return 0;
}

/* The status of a failed submit_locked, whose detail is already set. */
static ga_status submit_failure(void)
{
    const char *d = ga_last_error();
    return ga_error(strstr(d, "out of host memory") ? GA_ERROR_HOST_OUT_OF_MEMORY : GA_ERROR_DRIVER,
                    "%s", d);
}

static host_stream *stream_of(host_device *dev, void *native)
{
    return native ? (host_stream *)native : dev->null_stream;
}

host_capture **host_stream_capture(void *stream)
{
    return &((host_stream *)stream)->capture;
}

ga_status host_stream_submit(host_device *dev, host_stream *s, host_task *t, int inline_when_idle,
                             host_stream **on, uint64_t *seq)
{
    s = stream_of(dev, s);
    if (s->capture) {           /* only the capturing thread submits to it */
        if (on)
            *on = s;
        if (seq)
            *seq = 0;           /* nothing to wait for: recorded, not queued */
        return host_capture_record(s->capture, t);
    }
    pthread_mutex_lock(dev->lock);
    int r = submit_locked(dev, s, t, inline_when_idle, seq);
    pthread_mutex_unlock(dev->lock);
    if (on)
        *on = s;
    if (r < 0) {
        ga_status st = submit_failure();
        task_free(t);
        return st;
    }
    if (r == 1) {
        host_task_run(dev, t);
        task_free(t);
    }
    return GA_OK;
}

/* Every device shares dev->lock, so the cross-device dependencies are
 * ordinary ones: the copy waits for all of src's queued work (stronger
 * than CUDA, which leaves non-blocking streams to the caller), and src's
 * null stream (hence, by its implicit waits, src's blocking streams and
 * stream-ordered frees) waits for the copy. */
ga_status host_stream_submit_peer(host_device *dev, host_stream *s, host_task *t, host_device *src)
{
    s = stream_of(dev, s);
    if (s->capture) {
        host_task_discard(t);
        return ga_error(GA_ERROR_UNSUPPORTED, "a copy between devices cannot be captured into a "
                        "graph on the host backend");
    }
    host_task *back = host_task_new(HOST_TASK_NOP);
    if (!back) {
        task_free(t);
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a peer copy");
    }
    ga_status st = GA_OK;
    uint64_t seq = 0;
    int r = -1, wait = 0;
    pthread_mutex_lock(dev->lock);
    host_stream *n = src->null_stream;
    if (n->completed < n->submitted)
        st = host_task_add_dep(t, n, n->submitted);
    for (host_stream *x = src->streams; x && st == GA_OK; x = x->next)
        if (x->completed < x->submitted)
            st = host_task_add_dep(t, x, x->submitted);
    if (st == GA_OK)
        r = submit_locked(dev, s, t, 1, &seq);
    if (r == 0) {
        /* Without memory for the wait, the copy is waited for here. */
        if (host_task_add_dep(back, s, seq) == GA_OK && submit_locked(src, n, back, 0, NULL) == 0)
            back = NULL;
        else
            wait = 1;
    }
    pthread_mutex_unlock(dev->lock);
    if (back)
        task_free(back);
    if (r < 0) {
        if (st == GA_OK)
            st = submit_failure();
        task_free(t);
        return st;
    }
    if (r == 1) {
        host_task_run(dev, t);
        task_free(t);
    }
    if (wait)
        host_stream_wait_seq(dev, s, seq);
    return GA_OK;
}

void host_stream_wait_seq(host_device *dev, host_stream *on, uint64_t seq)
{
    pthread_mutex_lock(dev->lock);
    while (on->completed < seq)
        pthread_cond_wait(dev->progress, dev->lock);
    pthread_mutex_unlock(dev->lock);
}

/* ----------------------------------------------------------- deferred free */

static void free_when_streams_pass(host_device *dev, host_stream *self, void *ptr)
{
    self = stream_of(dev, self);
    host_deferred_free *d = NULL;
    pthread_mutex_lock(dev->lock);
    int busy = 0;
    if (self != dev->null_stream && dev->null_stream->completed < dev->null_stream->submitted)
        busy++;
    for (host_stream *x = dev->streams; x; x = x->next)
        if (x != self && x->completed < x->submitted)
            busy++;
    if (busy) {
        d = calloc(1, sizeof *d);
        if (d) {
            d->streams = malloc((size_t)busy * sizeof *d->streams);
            d->targets = malloc((size_t)busy * sizeof *d->targets);
        }
        if (d && d->streams && d->targets) {
            d->ptr = ptr;
            host_stream *n = dev->null_stream;
            if (self != n && n->completed < n->submitted) {
                stream_retain(n);
                d->streams[d->n] = n;
                d->targets[d->n++] = n->submitted;
            }
            for (host_stream *x = dev->streams; x; x = x->next)
                if (x != self && x->completed < x->submitted) {
                    stream_retain(x);
                    d->streams[d->n] = x;
                    d->targets[d->n++] = x->submitted;
                }
            d->next = dev->deferred;
            dev->deferred = d;
        } else if (d) {
            /* Without memory to remember it: give it back now, as CUDA would. */
            free(d->streams);
            free(d->targets);
            free(d);
            d = NULL;
            busy = 0;
        }
    }
    pthread_mutex_unlock(dev->lock);
    if (!busy)
        host_mem_release(dev, ptr);
}

static host_deferred_free *deferred_take_ready(host_device *dev)
{
    host_deferred_free *ready = NULL, **link = &dev->deferred;
    while (*link) {
        host_deferred_free *d = *link;
        int done = 1;
        for (int i = 0; i < d->n && done; i++)
            done = d->streams[i]->completed >= d->targets[i];
        if (done) {
            *link = d->next;
            d->next = ready;
            ready = d;
        } else {
            link = &d->next;
        }
    }
    return ready;
}

static void deferred_release(host_device *dev, host_deferred_free *list)
{
    while (list) {
        host_deferred_free *next = list->next;
        host_mem_release(dev, list->ptr);
        for (int i = 0; i < list->n; i++)
            stream_release(list->streams[i]);
        free(list->streams);
        free(list->targets);
        free(list);
        list = next;
    }
}

/* ---------------------------------------------------------------- streams */

static host_stream *stream_alloc(host_device *dev, unsigned flags, int is_null)
{
    host_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dev = dev;
    s->flags = flags;
    s->is_null = is_null;
    atomic_init(&s->refs, 1);
    pthread_cond_init(&s->work, NULL);
    return s;
}

static void stream_release(host_stream *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    host_device *dev = s->dev;
    if (!s->is_null) {
        pthread_mutex_lock(dev->lock);
        if (s->prev)
            s->prev->next = s->next;
        else if (dev->streams == s)
            dev->streams = s->next;
        if (s->next)
            s->next->prev = s->prev;
        pthread_mutex_unlock(dev->lock);
    }
    pthread_cond_destroy(&s->work);
    free(s);
}

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t host_progress = PTHREAD_COND_INITIALIZER;

ga_status host_streams_init_device(host_device *dev)
{
    dev->lock = &host_lock;
    dev->progress = &host_progress;
    dev->null_stream = stream_alloc(dev, GA_STREAM_DEFAULT, 1);
    if (!dev->null_stream)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory opening a device");
    return GA_OK;
}

ga_status host_stream_create(ga_device *gdev, unsigned flags, void **stream)
{
    host_device *dev = gdev->native;
    host_stream *s = stream_alloc(dev, flags & GA_STREAM_NON_BLOCKING, 0);
    if (!s)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory creating a stream");
    pthread_mutex_lock(dev->lock);
    s->next = dev->streams;
    if (dev->streams)
        dev->streams->prev = s;
    dev->streams = s;
    pthread_mutex_unlock(dev->lock);
    *stream = s;
    return GA_OK;
}

ga_status host_stream_destroy(ga_device *gdev, void *stream)
{
    host_device *dev = gdev->native;
    host_stream *s = stream;
    if (!s || s->is_null)
        return GA_OK;
    /* Pending work still runs (as with cuStreamDestroy): the worker drains
     * the queue, then exits and drops its reference. */
    pthread_mutex_lock(dev->lock);
    s->closing = 1;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(dev->lock);
    stream_release(s);
    return GA_OK;
}

/* Wait for what is submitted now to `targets`' streams (retained), then
 * release them. */
typedef struct wait_list {
    host_stream **s;
    uint64_t *target;
    int n, cap;
} wait_list;

static int wait_list_add(wait_list *w, host_stream *s)
{
    if (s->completed >= s->submitted)
        return 0;
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 8;
        host_stream **ns = realloc(w->s, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        w->s = ns;
        uint64_t *nt = realloc(w->target, (size_t)cap * sizeof *nt);
        if (!nt)
            return -1;
        w->target = nt;
        w->cap = cap;
    }
    stream_retain(s);
    w->s[w->n] = s;
    w->target[w->n] = s->submitted;
    w->n++;
    return 0;
}

/* Takes dev->lock held, returns with it released. */
static ga_status wait_list_run(host_device *dev, wait_list *w, int failed)
{
    for (int i = 0; i < w->n; i++)
        while (w->s[i]->completed < w->target[i])
            pthread_cond_wait(dev->progress, dev->lock);
    pthread_mutex_unlock(dev->lock);
    for (int i = 0; i < w->n; i++)
        stream_release(w->s[i]);
    free(w->s);
    free(w->target);
    if (failed)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory synchronizing");
    return host_device_take_error(dev);
}

ga_status host_stream_synchronize(ga_device *gdev, void *stream)
{
    host_device *dev = gdev->native;
    host_stream *s = stream_of(dev, stream);
    wait_list w = {0};
    int failed = 0;
    pthread_mutex_lock(dev->lock);
    failed |= wait_list_add(&w, s) < 0;
    /* Synchronizing the legacy null stream acts as a marker queued on it:
     * it also waits for what blocking streams have queued. */
    if (s->is_null)
        for (host_stream *x = dev->streams; x; x = x->next)
            if (!(x->flags & GA_STREAM_NON_BLOCKING))
                failed |= wait_list_add(&w, x) < 0;
    return wait_list_run(dev, &w, failed);
}

ga_status host_device_sync_all(host_device *dev)
{
    wait_list w = {0};
    int failed = 0;
    pthread_mutex_lock(dev->lock);
    failed |= wait_list_add(&w, dev->null_stream) < 0;
    for (host_stream *x = dev->streams; x; x = x->next)
        failed |= wait_list_add(&w, x) < 0;
    return wait_list_run(dev, &w, failed);
}

ga_status host_stream_query(ga_device *gdev, void *stream, int *done)
{
    host_device *dev = gdev->native;
    host_stream *s = stream_of(dev, stream);
    pthread_mutex_lock(dev->lock);
    int d = s->completed >= s->submitted;
    if (d && s->is_null)
        for (host_stream *x = dev->streams; x && d; x = x->next)
            if (!(x->flags & GA_STREAM_NON_BLOCKING))
                d = x->completed >= x->submitted;
    pthread_mutex_unlock(dev->lock);
    *done = d;
    return GA_OK;
}

ga_status host_stream_wait_event(ga_device *gdev, void *stream, void *event)
{
    host_device *dev = gdev->native;
    host_stream *s = stream_of(dev, stream);
    host_event *e = event;
    host_task *t = host_task_new(HOST_TASK_NOP);
    if (!t)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a wait");
    ga_status st = GA_OK;
    pthread_mutex_lock(dev->lock);
    /* The wait is for the event's latest record as of now (later records
     * do not move it), as cuStreamWaitEvent does. */
    if (e->stream && e->stream->completed < e->seq)
        st = host_task_add_dep(t, e->stream, e->seq);
    int r = 1;
    if (st == GA_OK && t->ndeps > 0)
        r = submit_locked(dev, s, t, 1, NULL);
    pthread_mutex_unlock(dev->lock);
    if (st != GA_OK || r != 0)
        task_free(t);   /* nothing to wait for (or failed): nothing to queue */
    if (st == GA_OK && r < 0)
        st = submit_failure();
    return st;
}

/* ----------------------------------------------------------------- events */

static void event_release(host_event *e)
{
    if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (e->stream)
        stream_release(e->stream);
    free(e);
}

ga_status host_event_create(ga_device *gdev, unsigned flags, void **event)
{
    host_event *e = calloc(1, sizeof *e);
    if (!e)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory creating an event");
    e->dev = gdev->native;
    e->flags = flags;
    atomic_init(&e->refs, 1);
    *event = e;
    return GA_OK;
}

ga_status host_event_destroy(ga_device *gdev, void *event)
{
    if (event)
        event_release(event);
    return GA_OK;
}

ga_status host_event_record(ga_device *gdev, void *event, void *stream)
{
    host_device *dev = gdev->native;
    host_event *e = event;
    host_stream *s = stream_of(dev, stream);
    host_task *t = host_task_new(HOST_TASK_RECORD);
    if (!t)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory recording an event");
    atomic_fetch_add(&e->refs, 1);
    t->u.record.event = e;
    host_stream *old = NULL;
    uint64_t seq = 0;
    double now = now_seconds();
    pthread_mutex_lock(dev->lock);
    t->u.record.gen = ++e->gen;
    e->stamped = 0;
    int r = submit_locked(dev, s, t, 1, &seq);
    if (r >= 0) {
        old = e->stream;
        if (r == 0) {
            stream_retain(s);
            e->stream = s;
            e->seq = seq;
        } else {
            /* An idle stream reaches the record at once. */
            e->stream = NULL;
            e->time = now;
            e->stamped = 1;
        }
    }
    pthread_mutex_unlock(dev->lock);
    if (old)
        stream_release(old);
    ga_status st = r < 0 ? submit_failure() : GA_OK;
    if (r != 0)
        task_free(t);
    return st;
}

static int event_done_locked(host_event *e)
{
    return !e->stream || e->stream->completed >= e->seq;
}

ga_status host_event_synchronize(ga_device *gdev, void *event)
{
    host_device *dev = gdev->native;
    host_event *e = event;
    pthread_mutex_lock(dev->lock);
    while (!event_done_locked(e))
        pthread_cond_wait(dev->progress, dev->lock);
    pthread_mutex_unlock(dev->lock);
    return host_device_take_error(dev);
}

ga_status host_event_query(ga_device *gdev, void *event, int *done)
{
    host_device *dev = gdev->native;
    pthread_mutex_lock(dev->lock);
    *done = event_done_locked(event);
    pthread_mutex_unlock(dev->lock);
    return GA_OK;
}

ga_status host_event_elapsed(ga_device *gdev, void *start, void *end, float *ms)
{
    host_device *dev = gdev->native;
    host_event *a = start, *b = end;
    pthread_mutex_lock(dev->lock);
    int start_done = event_done_locked(a), end_done = event_done_locked(b);
    int stamped = a->stamped && b->stamped;
    double dt = b->time - a->time;
    pthread_mutex_unlock(dev->lock);
    if (!start_done || !end_done)
        return ga_error_driver(GA_ERROR_NOT_READY, 600, "CUDA_ERROR_NOT_READY",
                               "elapsed time: the %s event has not completed yet",
                               start_done ? "end" : "start");
    if (!stamped)
        return ga_error(GA_ERROR_INVALID_VALUE, "elapsed time: an event holds no time stamp");
    *ms = (float)(dt * 1e3);
    return GA_OK;
}
