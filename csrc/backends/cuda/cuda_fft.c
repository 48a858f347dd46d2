/* cuda_fft.c - the CUDA backend's FFT plans: cuFFT (loaded at first use),
 * one cufftHandle per plan, made with cufftMakePlanMany64's advanced
 * layout so that strided batched transforms need no copy. */
#include "ga_private.h"
#include "libcufft.h"

#include <stdint.h>
#include <stdlib.h>

static ga_status cufft_fail(cufftResult r, const char *what)
{
    const char *name = ga_cufft_result_name(r);
    ga_status st = r == GA_CUFFT_ALLOC_FAILED ? GA_ERROR_OUT_OF_MEMORY
                   : r == GA_CUFFT_NOT_SUPPORTED || r == GA_CUFFT_NOT_IMPLEMENTED
                           || r == GA_CUFFT_INVALID_SIZE ? GA_ERROR_UNSUPPORTED
                   : r == GA_CUFFT_INVALID_VALUE || r == GA_CUFFT_INVALID_TYPE ? GA_ERROR_INVALID_VALUE
                   : GA_ERROR_DRIVER;
    return ga_error_driver(st, r, name, "%s: %s", what, name);
}

static int cufft_type(ga_fft_type type, ga_dtype real_dtype)
{
    int dbl = real_dtype == GA_FLOAT64;
    switch (type) {
    case GA_FFT_R2C: return dbl ? GA_CUFFT_D2Z : GA_CUFFT_R2C;
    case GA_FFT_C2R: return dbl ? GA_CUFFT_Z2D : GA_CUFFT_C2R;
    default: return dbl ? GA_CUFFT_Z2Z : GA_CUFFT_C2C;
    }
}

/* What a cufftHandle is used with: the exec call follows the type. */
typedef struct cuda_fft_plan {
    cufftHandle handle;
    int type;          /* GA_CUFFT_* */
} cuda_fft_plan;

/* The device's context is current (fft.c ran ga_device_enter); cuFFT's
 * runtime calls use it, the device's primary context. */
static ga_status cuda_fft_plan_create(ga_device *dev, ga_fft_type type, ga_dtype real_dtype,
                                      const ga_fft_layout *l, void **native, size_t *work_size)
{
    (void)dev;
    ga_status st = ga_cufft_load();
    if (st != GA_OK)
        return st;
    cuda_fft_plan *p = malloc(sizeof *p);
    if (!p)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_fft_plan_create: out of host memory");
    p->type = cufft_type(type, real_dtype);
    cufftResult r = ga_cufft.cufftCreate(&p->handle);
    if (r != GA_CUFFT_SUCCESS) {
        free(p);
        return cufft_fail(r, "cufftCreate");
    }
    /* Copies: cuFFT takes non-const arrays. inembed/onembed always given,
     * since NULL would make cuFFT ignore the strides (basic layout). */
    long long n[GA_FFT_MAX_RANK], inembed[GA_FFT_MAX_RANK], onembed[GA_FFT_MAX_RANK];
    for (int i = 0; i < l->rank; i++) {
        n[i] = l->n[i];
        inembed[i] = l->inembed[i] > 0 ? l->inembed[i] : l->n[i];
        onembed[i] = l->onembed[i] > 0 ? l->onembed[i] : l->n[i];
    }
    size_t ws = 0;
    r = ga_cufft.cufftMakePlanMany64(p->handle, l->rank, n, inembed, l->istride, l->idist, onembed,
                                     l->ostride, l->odist, p->type, l->batch, &ws);
    if (r != GA_CUFFT_SUCCESS) {
        ga_cufft.cufftDestroy(p->handle);
        free(p);
        return cufft_fail(r, "cufftMakePlanMany64");
    }
    *native = p;
    *work_size = ws;
    return GA_OK;
}

static ga_status cuda_fft_execute(ga_device *dev, void *native, void *stream, ga_devptr in,
                                  ga_devptr out, int inverse)
{
    (void)dev;
    cuda_fft_plan *p = native;
    cufftResult r = ga_cufft.cufftSetStream(p->handle, (CUstream)stream);
    if (r != GA_CUFFT_SUCCESS)
        return cufft_fail(r, "cufftSetStream");
    void *i = (void *)(uintptr_t)in, *o = (void *)(uintptr_t)out;
    int dir = inverse ? GA_CUFFT_INVERSE : GA_CUFFT_FORWARD;
    const char *what;
    switch (p->type) {
    case GA_CUFFT_C2C: r = ga_cufft.cufftExecC2C(p->handle, i, o, dir); what = "cufftExecC2C"; break;
    case GA_CUFFT_Z2Z: r = ga_cufft.cufftExecZ2Z(p->handle, i, o, dir); what = "cufftExecZ2Z"; break;
    case GA_CUFFT_R2C: r = ga_cufft.cufftExecR2C(p->handle, i, o); what = "cufftExecR2C"; break;
    case GA_CUFFT_D2Z: r = ga_cufft.cufftExecD2Z(p->handle, i, o); what = "cufftExecD2Z"; break;
    case GA_CUFFT_C2R: r = ga_cufft.cufftExecC2R(p->handle, i, o); what = "cufftExecC2R"; break;
    default: r = ga_cufft.cufftExecZ2D(p->handle, i, o); what = "cufftExecZ2D"; break;
    }
    return r == GA_CUFFT_SUCCESS ? GA_OK : cufft_fail(r, what);
}

static ga_status cuda_fft_plan_destroy(ga_device *dev, void *native)
{
    (void)dev;
    cuda_fft_plan *p = native;
    cufftResult r = ga_cufft.cufftDestroy(p->handle);
    free(p);
    return r == GA_CUFFT_SUCCESS ? GA_OK : cufft_fail(r, "cufftDestroy");
}

const ga_fft_ops ga_cuda_fft_ops = {
    .plan_create = cuda_fft_plan_create,
    .execute = cuda_fft_execute,
    .plan_destroy = cuda_fft_plan_destroy,
};
