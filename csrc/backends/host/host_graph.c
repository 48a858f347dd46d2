/* host_graph.c - the host backend's graphs: a capturing stream records its
 * tasks (launches, copies, fills) instead of queueing them, and a replay
 * is one task on the launch stream's worker that runs the recorded ones in
 * order, so a graph keeps the stream's ordering and costs one queueing per
 * launch. The recorded tasks are templates: running one neither consumes
 * nor changes it. */
#include "host_backend.h"

#include <stdlib.h>

struct host_capture {
    host_task *head, *tail;
};

struct host_graph {
    _Atomic int refs;            /* the user's + one per queued replay */
    host_task *tasks;            /* in capture order */
};

ga_status host_capture_record(host_capture *capture, host_task *t)
{
    const char *what = NULL;
    switch (t->kind) {
    case HOST_TASK_LAUNCH:
    case HOST_TASK_COPY:
    case HOST_TASK_MEMSET:
        break;
    case HOST_TASK_NOP:          /* a wait: the replay runs in stream order anyway */
        host_task_discard(t);
        return GA_OK;
    case HOST_TASK_RECORD:
        what = "recording an event";
        break;
    case HOST_TASK_GRAPH:
        what = "launching a graph";
        break;
    case HOST_TASK_FREE:
        what = "a stream-ordered free";
        break;
    }
    if (what || t->ndeps) {
        host_task_discard(t);
        return ga_error(GA_ERROR_UNSUPPORTED, "%s cannot be captured into a graph on the host "
                        "backend", what ? what : "work that waits on another stream");
    }
    t->next = NULL;
    if (capture->tail)
        capture->tail->next = t;
    else
        capture->head = t;
    capture->tail = t;
    return GA_OK;
}

void host_graph_run(host_device *dev, host_graph *graph)
{
    for (host_task *t = graph->tasks; t; t = t->next)
        host_task_run(dev, t);
}

void host_graph_release(host_graph *graph)
{
    if (!graph || atomic_fetch_sub(&graph->refs, 1) != 1)
        return;
    host_task *t = graph->tasks;
    while (t) {
        host_task *next = t->next;
        host_task_discard(t);
        t = next;
    }
    free(graph);
}

ga_status host_stream_begin_capture(ga_device *gdev, void *stream, int mode)
{
    host_capture *c = calloc(1, sizeof *c);
    if (!c)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory beginning a capture");
    /* Work queued before the capture runs before it, as on CUDA; the
     * capture itself only records. */
    *host_stream_capture(stream) = c;
    return GA_OK;
}

ga_status host_stream_end_capture(ga_device *gdev, void *stream, void **graph)
{
    host_capture **slot = host_stream_capture(stream);
    host_capture *c = *slot;
    *slot = NULL;
    host_graph *g = malloc(sizeof *g);
    if (!g) {
        for (host_task *t = c->head, *next; t; t = next) {
            next = t->next;
            host_task_discard(t);
        }
        free(c);
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory ending a capture");
    }
    atomic_init(&g->refs, 1);
    g->tasks = c->head;
    free(c);
    *graph = g;
    return GA_OK;
}

ga_status host_graph_launch(ga_device *gdev, void *graph, void *stream)
{
    host_graph *g = graph;
    host_task *t = host_task_new(HOST_TASK_GRAPH);
    if (!t)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory launching a graph");
    atomic_fetch_add(&g->refs, 1);
    t->u.graph = g;
    return host_stream_submit(gdev->native, stream, t, 0, NULL, NULL);
}

ga_status host_graph_upload(ga_device *gdev, void *graph, void *stream)
{
    return GA_OK;                /* nothing leaves this process */
}

ga_status host_graph_destroy(ga_device *gdev, void *graph)
{
    host_graph_release(graph);
    return GA_OK;
}
