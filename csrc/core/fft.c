/* fft.c - ga_fft_plan_*: layout checks, then the backend's FFT slot
 * (cuFFT on CUDA; the host backend has none: gpuarray.fft calls NumPy). */
#include "ga_private.h"
#include "libcufft.h"

#include <stdlib.h>
#include <string.h>

struct ga_fft_plan {
    ga_device *device;
    void *native;
    size_t work_size;
    ga_fft_type type;
    /* A plan's stream is state of the plan: setting it and queuing the
     * transform are one step for concurrent callers. */
    pthread_mutex_t lock;
};

/* Check one side's layout: `last` is that side's length of the last
 * dimension (n, or n/2+1 for the complex side of a real transform). */
static ga_status check_side(const char *side, const ga_fft_layout *l, const int64_t *embed,
                            int64_t stride, int64_t dist, int64_t last)
{
    if (stride < 1 || dist < 1)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: %s stride and distance must "
                        "be positive (stride=%lld, dist=%lld)", side, (long long)stride, (long long)dist);
    for (int i = 1; i < l->rank; i++) {
        int64_t need = i == l->rank - 1 ? last : l->n[i];
        if (embed[i] < need)
            return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: %sembed[%d]=%lld is less "
                            "than the transform's %lld", side, i, (long long)embed[i], (long long)need);
    }
    return GA_OK;
}

ga_status ga_fft_plan_create(ga_device *device, ga_fft_type type, ga_dtype real_dtype,
                             const ga_fft_layout *layout, ga_fft_plan **plan)
{
    if (!device || !layout || !plan)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: device, layout or plan is NULL");
    if ((unsigned)type > GA_FFT_C2R)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: unknown transform type %d", (int)type);
    if (real_dtype != GA_FLOAT32 && real_dtype != GA_FLOAT64)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_fft_plan_create: precision %s is not supported "
                        "(float32 and float64 are)", ga_dtype_name(real_dtype));
    if (layout->rank < 1 || layout->rank > GA_FFT_MAX_RANK)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: rank %d is not 1, 2 or 3",
                        layout->rank);
    for (int i = 0; i < layout->rank; i++)
        if (layout->n[i] < 1)
            return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: n[%d]=%lld is not positive",
                            i, (long long)layout->n[i]);
    if (layout->batch < 1)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_create: batch %lld is not positive",
                        (long long)layout->batch);
    int64_t last = layout->n[layout->rank - 1], half = last / 2 + 1;
    ga_status st = check_side("in", layout, layout->inembed, layout->istride, layout->idist,
                              type == GA_FFT_C2R ? half : last);
    if (st == GA_OK)
        st = check_side("out", layout, layout->onembed, layout->ostride, layout->odist,
                        type == GA_FFT_R2C ? half : last);
    if (st != GA_OK)
        return st;
    st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    if (!ga_backend->fft)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_fft_plan_create: the %s backend has no FFT plans "
                        "(gpuarray.fft calls NumPy's pocketfft there)", ga_backend->name);
    ga_fft_plan *p = calloc(1, sizeof *p);
    if (!p)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_fft_plan_create: out of host memory");
    st = ga_backend->fft->plan_create(device, type, real_dtype, layout, &p->native, &p->work_size);
    if (st != GA_OK) {
        free(p);
        return st;
    }
    p->device = device;
    p->type = type;
    pthread_mutex_init(&p->lock, NULL);
    *plan = p;
    return GA_OK;
}

ga_status ga_fft_plan_work_size(const ga_fft_plan *plan, size_t *bytes)
{
    if (!plan || !bytes)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_plan_work_size: plan or bytes is NULL");
    *bytes = plan->work_size;
    return GA_OK;
}

ga_status ga_fft_execute(ga_fft_plan *plan, ga_stream *stream, ga_devptr in, ga_devptr out, int inverse)
{
    if (!plan)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_execute: plan is NULL");
    if (stream && stream->device != plan->device)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_execute: the stream is on device %d, the "
                        "plan on device %d", stream->device->ordinal, plan->device->ordinal);
    if ((plan->type == GA_FFT_R2C && inverse) || (plan->type == GA_FFT_C2R && !inverse))
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_execute: a %s plan runs only %s",
                        plan->type == GA_FFT_R2C ? "real-to-complex" : "complex-to-real",
                        plan->type == GA_FFT_R2C ? "forward" : "inverse");
    if (!in || !out)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_fft_execute: in or out is NULL");
    ga_status st = ga_device_enter(plan->device);
    if (st != GA_OK)
        return st;
    pthread_mutex_lock(&plan->lock);
    st = ga_backend->fft->execute(plan->device, plan->native, stream ? stream->native : NULL, in, out,
                                  inverse != 0);
    pthread_mutex_unlock(&plan->lock);
    return st;
}

ga_status ga_fft_plan_destroy(ga_fft_plan *plan)
{
    if (!plan)
        return GA_OK;
    ga_status st = ga_device_enter(plan->device);
    if (st == GA_OK)
        st = ga_backend->fft->plan_destroy(plan->device, plan->native);
    pthread_mutex_destroy(&plan->lock);
    free(plan);
    return st;
}

ga_status ga_fft_library(const char **path, int *version)
{
    /* cuFFT is the only FFT library a backend loads so far; HIP would add
     * hipFFT here, chosen by the active backend. */
    ga_status st = ga_cufft_load();
    if (st != GA_OK)
        return st;
    if (path)
        *path = ga_cufft_path();
    if (version)
        *version = ga_cufft_version();
    return GA_OK;
}
