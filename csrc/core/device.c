/* device.c - device handles: opened once on first use, never closed. */
#include "ga_private.h"

#include <stdlib.h>
#include <string.h>

/* Opened devices, indexed by ordinal. Published with release stores so the
 * lookup on hot paths is one acquire load and no lock. */
#define GA_MAX_DEVICES 64
static _Atomic(ga_device *) devices[GA_MAX_DEVICES];
static pthread_mutex_t devices_lock = PTHREAD_MUTEX_INITIALIZER;

static ga_status device_read_limits(ga_device *dev)
{
    const ga_backend_ops *be = ga_backend;
    struct { int attr; int *out; } want[] = {
        {GA_DEV_ATTR_COMPUTE_CAPABILITY_MAJOR, &dev->cc_major},
        {GA_DEV_ATTR_COMPUTE_CAPABILITY_MINOR, &dev->cc_minor},
        {GA_DEV_ATTR_MAX_THREADS_PER_BLOCK, &dev->max_threads_per_block},
        {GA_DEV_ATTR_MAX_BLOCK_DIM_X, &dev->max_block[0]},
        {GA_DEV_ATTR_MAX_BLOCK_DIM_Y, &dev->max_block[1]},
        {GA_DEV_ATTR_MAX_BLOCK_DIM_Z, &dev->max_block[2]},
        {GA_DEV_ATTR_MAX_GRID_DIM_X, &dev->max_grid[0]},
        {GA_DEV_ATTR_MAX_GRID_DIM_Y, &dev->max_grid[1]},
        {GA_DEV_ATTR_MAX_GRID_DIM_Z, &dev->max_grid[2]},
        {GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK, &dev->max_shared_per_block},
        {GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, &dev->max_shared_per_block_optin},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ga_status st = be->device_attribute(dev, want[i].attr, want[i].out);
        if (st != GA_OK)
            return st;
    }
    if (dev->max_shared_per_block_optin < dev->max_shared_per_block)
        dev->max_shared_per_block_optin = dev->max_shared_per_block;
    return GA_OK;
}

ga_status ga_device_count(int *count)
{
    if (!count)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_count: count is NULL");
    ga_status st = ga_init();
    if (st != GA_OK) {
        *count = 0;
        return st;
    }
    return ga_backend->device_count(count);
}

ga_status ga_device_get(int ordinal, ga_device **device)
{
    if (!device)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_get: device is NULL");
    if (ordinal >= 0 && ordinal < GA_MAX_DEVICES) {
        ga_device *dev = atomic_load_explicit(&devices[ordinal], memory_order_acquire);
        if (dev) {
            *device = dev;
            return GA_OK;
        }
    }
    ga_status st = ga_init();
    if (st != GA_OK)
        return st;
    int count = 0;
    st = ga_backend->device_count(&count);
    if (st != GA_OK)
        return st;
    if (ordinal < 0 || ordinal >= count || ordinal >= GA_MAX_DEVICES)
        return ga_error(GA_ERROR_INVALID_DEVICE, "device %d does not exist (%d device%s present)",
                        ordinal, count, count == 1 ? "" : "s");

    pthread_mutex_lock(&devices_lock);
    ga_device *dev = atomic_load_explicit(&devices[ordinal], memory_order_acquire);
    if (!dev) {
        dev = calloc(1, sizeof *dev);
        if (!dev) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_device_get: out of host memory");
        } else {
            dev->ordinal = ordinal;
            pthread_mutex_init(&dev->staging_lock, NULL);
            ga_block_cache_init(dev);
            st = ga_backend->device_open(dev);
            if (st == GA_OK)
                st = ga_backend->device_activate(dev);
            if (st == GA_OK)
                st = device_read_limits(dev);
            if (st == GA_OK)
                atomic_store_explicit(&devices[ordinal], dev, memory_order_release);
            else {
                free(dev);
                dev = NULL;
            }
        }
    }
    pthread_mutex_unlock(&devices_lock);
    if (st == GA_OK)
        *device = dev;
    return st;
}

ga_status ga_device_enter(ga_device *dev)
{
    if (!dev)
        return ga_error(GA_ERROR_INVALID_VALUE, "device is NULL");
    return ga_backend->device_activate(dev);
}

int ga_device_ordinal(const ga_device *device) { return device ? device->ordinal : -1; }

ga_status ga_device_name(ga_device *device, char *name, size_t len)
{
    if (!name || len == 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_name: empty output buffer");
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->device_name(device, name, len);
}

ga_status ga_device_compute_capability(ga_device *device, int *major, int *minor)
{
    if (!device || !major || !minor)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_compute_capability: NULL argument");
    *major = device->cc_major;
    *minor = device->cc_minor;
    return GA_OK;
}

ga_status ga_device_attribute(ga_device *device, int attribute, int *value)
{
    if (!value)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_attribute: value is NULL");
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->device_attribute(device, attribute, value);
}

ga_status ga_device_mem_info(ga_device *device, size_t *free_bytes, size_t *total_bytes)
{
    if (!free_bytes || !total_bytes)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_device_mem_info: NULL argument");
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->device_mem_info(device, free_bytes, total_bytes);
}

ga_status ga_device_synchronize(ga_device *device)
{
    if (device && atomic_load_explicit(&device->captures, memory_order_relaxed))
        return ga_error(GA_ERROR_UNSUPPORTED, "synchronizing the device cannot be captured into a "
                        "graph (a stream of the device is capturing): end_capture first");
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    return ga_backend->device_synchronize(device);
}
