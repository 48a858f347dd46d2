/* copy.c - copies between host and device memory, and fills. */
#include "ga_private.h"

static ga_status copy_device(ga_device **dev, ga_stream *stream, const char *what)
{
    if (stream) {
        if (*dev && *dev != stream->device)
            return ga_error(GA_ERROR_INVALID_VALUE, "%s: stream of device %d used on device %d", what,
                            stream->device->ordinal, (*dev)->ordinal);
        *dev = stream->device;
    }
    if (!*dev) {
        ga_status st = ga_device_get(0, dev);
        if (st != GA_OK)
            return st;
    }
    return ga_device_enter(*dev);
}

#define COPY_CHECK(cond, what)                                                                      \
    do {                                                                                            \
        if (cond)                                                                                   \
            return ga_error(GA_ERROR_INVALID_VALUE, "%s: NULL pointer for a copy of %zu bytes",    \
                            what, nbytes);                                                          \
    } while (0)

ga_status ga_memcpy_htod_async(ga_device *device, ga_devptr dst, const void *src, size_t nbytes,
                               ga_stream *stream)
{
    if (nbytes == 0)
        return GA_OK;
    COPY_CHECK(!dst || !src, "ga_memcpy_htod");
    ga_status st = copy_device(&device, stream, "ga_memcpy_htod");
    if (st == GA_OK && stream && stream->capture && !ga_backend->host_is_pinned(src))
        st = ga_capture_check(stream, "a copy from pageable host memory");
    if (st != GA_OK)
        return st;
    if (ga_staging_worthwhile(src, nbytes))
        return ga_staged_htod(device, dst, src, nbytes, stream ? stream->native : NULL);
    return ga_backend->copy_htod(device, dst, src, nbytes, stream ? stream->native : NULL);
}

ga_status ga_memcpy_dtoh_async(ga_device *device, void *dst, ga_devptr src, size_t nbytes,
                               ga_stream *stream)
{
    if (nbytes == 0)
        return GA_OK;
    COPY_CHECK(!dst || !src, "ga_memcpy_dtoh");
    ga_status st = copy_device(&device, stream, "ga_memcpy_dtoh");
    if (st == GA_OK && stream && stream->capture && !ga_backend->host_is_pinned(dst))
        st = ga_capture_check(stream, "a copy to pageable host memory (.get(), asnumpy)");
    if (st != GA_OK)
        return st;
    if (ga_staging_worthwhile(dst, nbytes))
        return ga_staged_dtoh(device, dst, src, nbytes, stream ? stream->native : NULL);
    return ga_backend->copy_dtoh(device, dst, src, nbytes, stream ? stream->native : NULL);
}

ga_status ga_memcpy_dtod_async(ga_device *device, ga_devptr dst, ga_devptr src, size_t nbytes,
                               ga_stream *stream)
{
    if (nbytes == 0)
        return GA_OK;
    COPY_CHECK(!dst || !src, "ga_memcpy_dtod");
    ga_status st = copy_device(&device, stream, "ga_memcpy_dtod");
    if (st != GA_OK)
        return st;
    return ga_backend->copy_dtod(device, dst, src, nbytes, stream ? stream->native : NULL);
}

ga_status ga_memcpy_htod(ga_device *device, ga_devptr dst, const void *src, size_t nbytes,
                         ga_stream *stream)
{
    ga_status st = ga_memcpy_htod_async(device, dst, src, nbytes, stream);
    if (st != GA_OK || nbytes == 0)
        return st;
    return ga_stream_synchronize(device, stream);
}

ga_status ga_memcpy_dtoh(ga_device *device, void *dst, ga_devptr src, size_t nbytes, ga_stream *stream)
{
    ga_status st = ga_memcpy_dtoh_async(device, dst, src, nbytes, stream);
    if (st != GA_OK || nbytes == 0)
        return st;
    return ga_stream_synchronize(device, stream);
}

ga_status ga_memset_async(ga_device *device, ga_devptr dst, uint32_t pattern, size_t elem_size,
                          size_t nbytes, ga_stream *stream)
{
    if (elem_size != 1 && elem_size != 2 && elem_size != 4)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_memset_async: element size %zu is not 1, 2 or 4",
                        elem_size);
    if (nbytes % elem_size || dst % elem_size)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_memset_async: %zu bytes at 0x%llx are not whole aligned %zu-byte elements",
                        nbytes, (unsigned long long)dst, elem_size);
    if (nbytes == 0)
        return GA_OK;
    if (!dst)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_memset_async: NULL destination");
    ga_status st = copy_device(&device, stream, "ga_memset_async");
    if (st != GA_OK)
        return st;
    return ga_backend->memset(device, dst, pattern, elem_size, nbytes, stream ? stream->native : NULL);
}

/* ------------------------------------------------- copies between devices */

ga_status ga_device_can_access_peer(ga_device *device, ga_device *peer, int *can)
{
    if (!device || !peer || !can)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_can_access_peer: NULL argument");
    *can = 0;
    if (device == peer)
        return GA_OK;
    if (!ga_backend->device_can_access_peer)
        return GA_OK;
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->device_can_access_peer(device, peer, can);
}

ga_status ga_memcpy_peer_async(ga_device *dst_device, ga_devptr dst, ga_device *src_device,
                               ga_devptr src, size_t nbytes, ga_stream *stream)
{
    if (!dst_device || !src_device)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_memcpy_peer: NULL device");
    if (stream && stream->device != dst_device)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_memcpy_peer: the stream belongs to device %d, the destination to "
                        "device %d (a peer copy runs on a stream of the destination device)",
                        stream->device->ordinal, dst_device->ordinal);
    if (src_device == dst_device)
        return ga_memcpy_dtod_async(dst_device, dst, src, nbytes, stream);
    if (nbytes == 0)
        return GA_OK;
    COPY_CHECK(!dst || !src, "ga_memcpy_peer");
    if (!ga_backend->copy_peer)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_memcpy_peer: the %s backend cannot copy between devices",
                        ga_backend->name);
    ga_status st = ga_device_enter(dst_device);
    if (st != GA_OK)
        return st;
    return ga_backend->copy_peer(dst_device, dst, src_device, src, nbytes, stream ? stream->native : NULL);
}

ga_status ga_memcpy_peer(ga_device *dst_device, ga_devptr dst, ga_device *src_device, ga_devptr src,
                         size_t nbytes, ga_stream *stream)
{
    ga_status st = ga_memcpy_peer_async(dst_device, dst, src_device, src, nbytes, stream);
    if (st != GA_OK || nbytes == 0)
        return st;
    return ga_stream_synchronize(dst_device, stream);
}
