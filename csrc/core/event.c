/* event.c - events: markers in a stream, for ordering and timing. */
#include "ga_private.h"

#include <stdlib.h>

ga_status ga_event_create(ga_device *device, unsigned flags, ga_event **event)
{
    if (!event)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_create: event is NULL");
    if (flags & ~(unsigned)(GA_EVENT_BLOCKING_SYNC | GA_EVENT_DISABLE_TIMING))
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_create: unknown flags 0x%x", flags);
    if (!device) {
        ga_status st = ga_device_get(0, &device);
        if (st != GA_OK)
            return st;
    }
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    ga_event *e = calloc(1, sizeof *e);
    if (!e)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_event_create: out of host memory");
    st = ga_backend->event_create(device, flags, &e->native);
    if (st != GA_OK) {
        free(e);
        return st;
    }
    e->device = device;
    e->flags = flags;
    *event = e;
    return GA_OK;
}

ga_status ga_event_destroy(ga_event *event)
{
    if (!event)
        return GA_OK;
    ga_status st = ga_device_enter(event->device);
    if (st == GA_OK)
        st = ga_backend->event_destroy(event->device, event->native);
    free(event);
    return st;
}

ga_status ga_event_record(ga_event *event, ga_stream *stream)
{
    if (!event)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_record: event is NULL");
    if (stream && stream->device != event->device)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_event_record: event of device %d recorded on a stream of device %d",
                        event->device->ordinal, stream->device->ordinal);
    ga_status st = ga_device_enter(event->device);
    if (st != GA_OK)
        return st;
    st = ga_backend->event_record(event->device, event->native, stream ? stream->native : NULL);
    if (st == GA_OK)
        atomic_store(&event->recorded, 1);
    return st;
}

ga_status ga_event_synchronize(ga_event *event)
{
    if (!event)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_synchronize: event is NULL");
    ga_status st = ga_device_enter(event->device);
    if (st != GA_OK)
        return st;
    return ga_backend->event_synchronize(event->device, event->native);
}

ga_status ga_event_query(ga_event *event, int *done)
{
    if (!event || !done)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_query: NULL argument");
    ga_status st = ga_device_enter(event->device);
    if (st != GA_OK)
        return st;
    return ga_backend->event_query(event->device, event->native, done);
}

ga_status ga_event_elapsed_time(ga_event *start, ga_event *end, float *ms)
{
    if (!start || !end || !ms)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_event_elapsed_time: NULL argument");
    if ((start->flags | end->flags) & GA_EVENT_DISABLE_TIMING)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "elapsed time needs timing events: the %s event was created with "
                        "timing disabled", (start->flags & GA_EVENT_DISABLE_TIMING) ? "start" : "end");
    if (!atomic_load(&start->recorded) || !atomic_load(&end->recorded))
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "elapsed time needs recorded events: the %s event was never recorded",
                        !atomic_load(&start->recorded) ? "start" : "end");
    if (start->device != end->device)
        return ga_error(GA_ERROR_INVALID_VALUE, "elapsed time between events of different devices");
    ga_status st = ga_device_enter(start->device);
    if (st != GA_OK)
        return st;
    return ga_backend->event_elapsed(start->device, start->native, end->native, ms);
}

int ga_event_was_recorded(const ga_event *event) { return event ? atomic_load(&event->recorded) : 0; }

void *ga_event_native(const ga_event *event) { return event ? event->native : NULL; }
