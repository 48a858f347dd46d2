/* interop.c - zero-copy exchange with CuPy, PyTorch, NumPy and any other
 * DLPack or CUDA Array Interface user: ndarray.__dlpack__ and
 * __dlpack_device__ (producer), _from_dlpack_capsule (consumer under
 * gpuarray.from_dlpack), and the foreign-memory arrays and stream waits
 * that gpuarray/_interop.py builds __cuda_array_interface__ support on.
 *
 * Lifetime, per the DLPack spec: an exported capsule holds a reference to
 * the array until the consumer calls the deleter (or, never consumed, the
 * capsule dies); an imported tensor is kept by a Memory whose owner calls
 * the producer's deleter exactly once, when the last view goes. */
#include "pyga_internal.h"

#include <stdint.h>
#include <string.h>

#define ARR(o) ((pyga_ndarray *)(o))

/* ------------------------------------------------ DLPack ABI (dlpack.h) */

enum { kDLCPU = 1, kDLCUDA = 2, kDLCUDAHost = 3, kDLROCM = 10, kDLCUDAManaged = 13 };
enum { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLBfloat = 4, kDLComplex = 5, kDLBool = 6 };
#define DLPACK_FLAG_BITMASK_READ_ONLY (1ULL << 0)
#define DLPACK_FLAG_BITMASK_IS_COPIED (1ULL << 1)

typedef struct { int32_t device_type, device_id; } DLDevice;
typedef struct { uint8_t code, bits; uint16_t lanes; } DLDataType;
typedef struct {
    void *data;
    DLDevice device;
    int32_t ndim;
    DLDataType dtype;
    int64_t *shape;
    int64_t *strides;      /* elements; NULL = compact row-major */
    uint64_t byte_offset;
} DLTensor;
typedef struct DLManagedTensor {
    DLTensor dl_tensor;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;
typedef struct { uint32_t major, minor; } DLPackVersion;
typedef struct DLManagedTensorVersioned {
    DLPackVersion version;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensorVersioned *self);
    uint64_t flags;
    DLTensor dl_tensor;
} DLManagedTensorVersioned;

/* ---------------------------------------------------------- which device */

static int on_cuda(void) { const char *b = ga_backend_name(); return b && strcmp(b, "cuda") == 0; }
/* On HIP, arrays are AMD GPU memory: DLPack's kDLROCM (10), as CuPy on
 * ROCm and PyTorch's ROCm builds export. */
static int on_hip(void) { const char *b = ga_backend_name(); return b && strcmp(b, "hip") == 0; }

static PyObject *dlpack_device(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (on_cuda() || on_hip())
        return Py_BuildValue("(ii)", on_hip() ? kDLROCM : kDLCUDA, ga_device_ordinal(ARR(self)->device));
    return Py_BuildValue("(ii)", kDLCPU, 0);
}

/* ---------------------------------------------------------------- export */

typedef struct export_ctx {
    PyObject *array;       /* kept alive until the deleter runs */
    int versioned;
    union {
        DLManagedTensor legacy;
        DLManagedTensorVersioned v;
    } t;
    int64_t dims[];        /* shape then strides */
} export_ctx;

static void export_free(export_ctx *ctx)
{
    if (!ctx)
        return;
    /* The consumer may call from any thread, with or without the GIL. */
    if (Py_IsInitialized()) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_XDECREF(ctx->array);
        PyGILState_Release(g);
    }
    PyMem_RawFree(ctx);
}

static void legacy_deleter(DLManagedTensor *t) { export_free(t->manager_ctx); }
static void versioned_deleter(DLManagedTensorVersioned *t) { export_free(t->manager_ctx); }

/* An unconsumed capsule owns its tensor; a consumed one was renamed
 * "used_..." and the consumer owns it. */
static void legacy_capsule_dtor(PyObject *cap)
{
    if (!PyCapsule_IsValid(cap, "dltensor"))
        return;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    DLManagedTensor *t = PyCapsule_GetPointer(cap, "dltensor");
    if (t && t->deleter)
        t->deleter(t);
    PyErr_Restore(et, ev, tb);
}

static void versioned_capsule_dtor(PyObject *cap)
{
    if (!PyCapsule_IsValid(cap, "dltensor_versioned"))
        return;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    DLManagedTensorVersioned *t = PyCapsule_GetPointer(cap, "dltensor_versioned");
    if (t && t->deleter)
        t->deleter(t);
    PyErr_Restore(et, ev, tb);
}

static int dl_dtype_of(ga_dtype t, DLDataType *d)
{
    d->lanes = 1;
    switch (t) {
    case GA_BOOL: d->code = kDLBool, d->bits = 8; return 0;
    case GA_INT8: case GA_INT16: case GA_INT32: case GA_INT64:
        d->code = kDLInt, d->bits = (uint8_t)(8 * ga_dtype_size(t)); return 0;
    case GA_UINT8: case GA_UINT16: case GA_UINT32: case GA_UINT64:
        d->code = kDLUInt, d->bits = (uint8_t)(8 * ga_dtype_size(t)); return 0;
    case GA_FLOAT16: case GA_FLOAT32: case GA_FLOAT64:
        d->code = kDLFloat, d->bits = (uint8_t)(8 * ga_dtype_size(t)); return 0;
    case GA_BFLOAT16: d->code = kDLBfloat, d->bits = 16; return 0;
    case GA_COMPLEX64: d->code = kDLComplex, d->bits = 64; return 0;
    case GA_COMPLEX128: d->code = kDLComplex, d->bits = 128; return 0;
    default: return -1;
    }
}

/* The consumer's stream as a native handle: 1 = legacy default (NULL),
 * 2 = per-thread default, else a CUstream. 0 on success, 1 when no wait
 * was asked for (-1), -1 on error. */
static int native_stream_arg(PyObject *o, void **native, const char *fname)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: stream must be an int or None", fname);
        return -1;
    }
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        unsigned long long u = PyLong_AsUnsignedLongLong(o);
        if (PyErr_Occurred())
            return -1;
        *native = (void *)(uintptr_t)u;
        return 0;
    }
    if (v == -1)
        return 1;
    if (v == 0) {
        PyErr_Format(PyExc_ValueError, "%s: stream 0 is ambiguous; use 1 (legacy default) or "
                     "2 (per-thread default)", fname);
        return -1;
    }
    *native = v == 1 ? NULL : (void *)(uintptr_t)v;
    return 0;
}

static PyObject *ndarray_dlpack(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"stream", "max_version", "dl_device", "copy"};
    PyObject *v[4];
    if (pyga_parse_args("__dlpack__", args, nargs, kwnames, names, 4, 1, 0, v) < 0)
        return NULL;
    pyga_ndarray *a = ARR(self);
    int cuda = on_cuda() || on_hip();
    int dev_type = on_hip() ? kDLROCM : cuda ? kDLCUDA : kDLCPU;
    int dev_id = cuda ? ga_device_ordinal(a->device) : 0;
    if (v[2] && v[2] != Py_None) {
        int t, i;
        if (!PyArg_ParseTuple(v[2], "ii;__dlpack__: dl_device must be a (device_type, device_id) tuple",
                              &t, &i))
            return NULL;
        if (t != dev_type || i != dev_id) {
            PyErr_Format(PyExc_BufferError, "__dlpack__: cannot export to device (%d, %d): the array "
                         "lives on (%d, %d)", t, i, dev_type, dev_id);
            return NULL;
        }
    }
    int copy = v[3] && v[3] != Py_None ? PyObject_IsTrue(v[3]) : 0;
    if (copy < 0)
        return NULL;
    int versioned = 0;
    if (v[1] && v[1] != Py_None) {
        long major;
        PyObject *first = PySequence_GetItem(v[1], 0);
        if (!first)
            return NULL;
        major = PyLong_AsLong(first);
        Py_DECREF(first);
        if (major == -1 && PyErr_Occurred())
            return NULL;
        versioned = major >= 1;
    }
    DLDataType dt;
    if (dl_dtype_of(a->gdtype, &dt) < 0) {
        PyErr_Format(PyExc_BufferError, "__dlpack__: dtype %s has no DLPack type", ga_dtype_name(a->gdtype));
        return NULL;
    }
    Py_ssize_t es = (Py_ssize_t)ga_dtype_size(a->gdtype);
    for (int i = 0; i < a->ndim; i++)
        if (a->strides[i] % es != 0) {
            PyErr_SetString(PyExc_BufferError, "__dlpack__: strides are not a multiple of the item size");
            return NULL;
        }

    /* Order the consumer after our work on the current stream. */
    ga_stream *ours;
    pyga_current_stream(&ours);
    if (!v[0] || v[0] == Py_None || cuda) {
        void *native = NULL;
        int r = v[0] && v[0] != Py_None ? native_stream_arg(v[0], &native, "__dlpack__") : 0;
        if (r < 0)
            return NULL;
        if (r == 0) {
            ga_status st;
            Py_BEGIN_ALLOW_THREADS
            st = ga_native_wait_stream(a->device, native, ours);
            Py_END_ALLOW_THREADS
            if (st != GA_OK)
                return pyga_raise(st);
        }
    } else if (!cuda) {
        /* A CPU consumer passes no stream; anything but -1 still waits. */
        long long s = PyLong_AsLongLong(v[0]);
        if (s == -1 && PyErr_Occurred())
            return NULL;
        if (s != -1) {
            ga_status st;
            Py_BEGIN_ALLOW_THREADS
            st = ga_native_wait_stream(a->device, NULL, ours);
            Py_END_ALLOW_THREADS
            if (st != GA_OK)
                return pyga_raise(st);
        }
    }

    PyObject *src = copy ? PyObject_CallMethod(self, "copy", NULL) : Py_NewRef(self);
    if (!src)
        return NULL;
    a = ARR(src);
    export_ctx *ctx = PyMem_RawCalloc(1, sizeof *ctx + 2 * (size_t)(a->ndim ? a->ndim : 1) * sizeof(int64_t));
    if (!ctx) {
        Py_DECREF(src);
        return PyErr_NoMemory();
    }
    ctx->array = src;    /* the reference taken above */
    ctx->versioned = versioned;
    for (int i = 0; i < a->ndim; i++) {
        ctx->dims[i] = a->shape[i];
        ctx->dims[a->ndim + i] = a->strides[i] / es;
    }
    DLTensor *t = versioned ? &ctx->t.v.dl_tensor : &ctx->t.legacy.dl_tensor;
    t->data = (void *)(uintptr_t)a->ptr;
    t->device = (DLDevice){ dev_type, dev_id };
    t->ndim = a->ndim;
    t->dtype = dt;
    t->shape = a->ndim ? ctx->dims : NULL;
    t->strides = a->ndim ? ctx->dims + a->ndim : NULL;
    t->byte_offset = 0;
    PyObject *cap;
    if (versioned) {
        ctx->t.v.version = (DLPackVersion){ 1, 0 };
        ctx->t.v.manager_ctx = ctx;
        ctx->t.v.deleter = versioned_deleter;
        ctx->t.v.flags = copy ? DLPACK_FLAG_BITMASK_IS_COPIED : 0;
        cap = PyCapsule_New(&ctx->t.v, "dltensor_versioned", versioned_capsule_dtor);
    } else {
        ctx->t.legacy.manager_ctx = ctx;
        ctx->t.legacy.deleter = legacy_deleter;
        cap = PyCapsule_New(&ctx->t.legacy, "dltensor", legacy_capsule_dtor);
    }
    if (!cap)
        export_free(ctx);
    return cap;
}

/* ------------------------------------------------------ foreign memory */

/* A new array viewing [data, ...) that gpuarray did not allocate: a Memory
 * with no buffer whose owner keeps the bytes alive (stolen reference). */
static PyObject *foreign_array(ga_device *dev, ga_devptr data, int ndim, const Py_ssize_t *shape,
                               const Py_ssize_t *strides, PyArray_Descr *descr, PyObject *owner)
{
    Py_ssize_t lo = 0, hi = 0, es = (Py_ssize_t)PyDataType_ELSIZE(descr);
    int empty = 0;
    for (int i = 0; i < ndim; i++)
        empty |= shape[i] == 0;
    if (!empty) {
        hi = es;
        for (int i = 0; i < ndim; i++) {
            Py_ssize_t span = (shape[i] - 1) * strides[i];
            if (span < 0)
                lo += span;
            else
                hi += span;
        }
    }
    pyga_Memory *m = PyObject_GC_New(pyga_Memory, pyga.Memory);
    if (!m) {
        Py_DECREF(owner);
        return NULL;
    }
    m->buffer = NULL;
    m->ptr = data + (ga_devptr)lo;
    m->size = (size_t)(hi - lo);
    m->device = dev;
    m->owner = owner;
    m->stream = NULL;
    PyObject_GC_Track(m);
    PyObject *mp = pyga_memory_pointer((PyObject *)m, data);
    Py_DECREF(m);
    if (!mp)
        return NULL;
    PyObject *shape_t = PyTuple_New(ndim), *strides_t = PyTuple_New(ndim);
    PyObject *r = NULL;
    if (shape_t && strides_t) {
        int ok = 1;
        for (int i = 0; i < ndim && ok; i++) {
            PyObject *s = PyLong_FromSsize_t(shape[i]), *t = PyLong_FromSsize_t(strides[i]);
            if (!s || !t) {
                Py_XDECREF(s);
                Py_XDECREF(t);
                ok = 0;
                break;
            }
            PyTuple_SET_ITEM(shape_t, i, s);
            PyTuple_SET_ITEM(strides_t, i, t);
        }
        if (ok)
            r = PyObject_CallFunction((PyObject *)pyga.ndarray, "OOOO", shape_t, descr, mp, strides_t);
    }
    Py_XDECREF(shape_t);
    Py_XDECREF(strides_t);
    Py_DECREF(mp);
    return r;
}

/* _foreign_array(ptr, shape, strides, dtype, owner, device_id): strides in
 * bytes or None (C-contiguous); owner keeps the memory alive. */
static PyObject *py_foreign_array(PyObject *m_, PyObject *args)
{
    (void)m_;
    unsigned long long ptr;
    PyObject *shape_o, *strides_o, *dtype_o, *owner;
    int device_id;
    if (!PyArg_ParseTuple(args, "KOOOOi:_foreign_array", &ptr, &shape_o, &strides_o, &dtype_o, &owner,
                          &device_id))
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(shape_o, shape, "_foreign_array");
    if (ndim < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(dtype_o);
    if (!descr)
        return NULL;
    Py_ssize_t es = (Py_ssize_t)PyDataType_ELSIZE(descr);
    if (strides_o == Py_None) {
        Py_ssize_t s = es;
        for (int i = ndim - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i] > 0 ? shape[i] : 1;
        }
    } else {
        Py_ssize_t tmp[PYGA_MAX_NDIM];
        int n = pyga_shape_arg(strides_o, tmp, "_foreign_array strides");
        (void)tmp;
        if (n < 0) {
            Py_DECREF(descr);
            return NULL;
        }
        PyObject *seq = PySequence_Fast(strides_o, "strides must be a sequence");
        if (!seq || PySequence_Fast_GET_SIZE(seq) != ndim) {
            Py_XDECREF(seq);
            Py_DECREF(descr);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "__cuda_array_interface__: strides and shape differ in length");
            return NULL;
        }
        for (int i = 0; i < ndim; i++)
            strides[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i));
        Py_DECREF(seq);
        if (PyErr_Occurred()) {
            Py_DECREF(descr);
            return NULL;
        }
    }
    ga_device *dev;
    ga_status st = ga_device_get(device_id, &dev);
    if (st != GA_OK) {
        Py_DECREF(descr);
        return pyga_raise(st);
    }
    PyObject *r = foreign_array(dev, (ga_devptr)ptr, ndim, shape, strides, descr, Py_NewRef(owner));
    Py_DECREF(descr);
    return r;
}

/* _stream_wait_foreign(stream): the current stream waits for the work
 * queued so far on a foreign stream (the CAI's 'stream' key: 1 legacy
 * default, 2 per-thread default, else a CUstream). */
static PyObject *py_stream_wait_foreign(PyObject *m_, PyObject *o)
{
    (void)m_;
    void *native = NULL;
    int r = native_stream_arg(o, &native, "__cuda_array_interface__");
    if (r < 0)
        return NULL;
    if (r == 1)
        Py_RETURN_NONE;
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_stream *ours;
    pyga_current_stream(&ours);
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_stream_wait_native(dev, ours, native);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

/* _pointer_device(ptr): the ordinal of the device `ptr` points into, or
 * None where the backend cannot tell or the driver does not know it. */
static PyObject *py_pointer_device(PyObject *m_, PyObject *o)
{
    (void)m_;
    unsigned long long ptr = PyLong_AsUnsignedLongLong(o);
    if (ptr == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    int ordinal = -1;
    ga_status st = ga_pointer_device((ga_devptr)ptr, &ordinal);
    if (st == GA_ERROR_UNSUPPORTED || st == GA_ERROR_INVALID_VALUE || ordinal < 0)
        Py_RETURN_NONE;
    if (st != GA_OK)
        return pyga_raise(st);
    return PyLong_FromLong(ordinal);
}

/* ---------------------------------------------------------------- import */

/* Owner of an imported tensor: calls the producer's deleter once. */
static void owner_dtor(PyObject *cap)
{
    void *p = PyCapsule_GetPointer(cap, "gpuarray.dlpack_owner");
    int versioned = (int)(intptr_t)PyCapsule_GetContext(cap);
    if (!p) {
        PyErr_Clear();
        return;
    }
    if (versioned) {
        DLManagedTensorVersioned *t = p;
        if (t->deleter)
            t->deleter(t);
    } else {
        DLManagedTensor *t = p;
        if (t->deleter)
            t->deleter(t);
    }
}

static PyArray_Descr *descr_of_dl(DLDataType d)
{
    int type = -1;
    if (d.lanes != 1)
        type = -1;
    else if (d.code == kDLBool && d.bits == 8)
        type = NPY_BOOL;
    else if (d.code == kDLInt)
        type = d.bits == 8 ? NPY_INT8 : d.bits == 16 ? NPY_INT16 : d.bits == 32 ? NPY_INT32 : d.bits == 64 ? NPY_INT64 : -1;
    else if (d.code == kDLUInt)
        type = d.bits == 8 ? NPY_UINT8 : d.bits == 16 ? NPY_UINT16 : d.bits == 32 ? NPY_UINT32 : d.bits == 64 ? NPY_UINT64 : -1;
    else if (d.code == kDLFloat)
        type = d.bits == 16 ? NPY_FLOAT16 : d.bits == 32 ? NPY_FLOAT32 : d.bits == 64 ? NPY_FLOAT64 : -1;
    else if (d.code == kDLComplex)
        type = d.bits == 64 ? NPY_COMPLEX64 : d.bits == 128 ? NPY_COMPLEX128 : -1;
    if (type < 0) {
        PyErr_Format(PyExc_BufferError, "from_dlpack: DLPack dtype (code %d, bits %d, lanes %d) is not "
                     "supported", d.code, d.bits, d.lanes);
        return NULL;
    }
    return PyArray_DescrFromType(type);
}

static PyObject *py_from_dlpack_capsule(PyObject *m_, PyObject *cap)
{
    (void)m_;
    int versioned;
    void *managed;
    DLTensor *t;
    if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
        DLManagedTensorVersioned *v = PyCapsule_GetPointer(cap, "dltensor_versioned");
        if (v->version.major != 1) {
            PyErr_Format(PyExc_BufferError, "from_dlpack: DLPack version %u.%u is not supported (1.x is)",
                         v->version.major, v->version.minor);
            return NULL;
        }
        if (v->flags & DLPACK_FLAG_BITMASK_READ_ONLY) {
            PyErr_SetString(PyExc_BufferError, "from_dlpack: the tensor is read-only, and gpuarray "
                            "arrays are always writable");
            return NULL;
        }
        versioned = 1, managed = v, t = &v->dl_tensor;
    } else if (PyCapsule_IsValid(cap, "dltensor")) {
        DLManagedTensor *l = PyCapsule_GetPointer(cap, "dltensor");
        versioned = 0, managed = l, t = &l->dl_tensor;
    } else {
        PyErr_SetString(PyExc_ValueError, "from_dlpack: expected an unconsumed DLPack capsule "
                        "('dltensor' or 'dltensor_versioned'); a capsule can be consumed only once");
        return NULL;
    }
    int cuda = on_cuda(), hip = on_hip();
    int dt = t->device.device_type;
    int ok = cuda ? (dt == kDLCUDA || dt == kDLCUDAManaged) : hip ? dt == kDLROCM : dt == kDLCPU;
    if (!ok) {
        PyErr_Format(PyExc_BufferError, "from_dlpack: a tensor on DLPack device type %d cannot be "
                     "viewed by gpuarray's %s backend (it takes device type %d)", dt,
                     cuda ? "cuda" : hip ? "hip" : "host", cuda ? kDLCUDA : hip ? kDLROCM : kDLCPU);
        return NULL;
    }
    if (t->ndim < 0 || t->ndim > PYGA_MAX_NDIM) {
        PyErr_Format(PyExc_BufferError, "from_dlpack: %d dimensions (at most %d)", t->ndim, PYGA_MAX_NDIM);
        return NULL;
    }
    PyArray_Descr *descr = descr_of_dl(t->dtype);
    if (!descr)
        return NULL;
    Py_ssize_t es = (Py_ssize_t)PyDataType_ELSIZE(descr);
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    Py_ssize_t s = es;
    for (int i = t->ndim - 1; i >= 0; i--) {
        shape[i] = (Py_ssize_t)t->shape[i];
        strides[i] = t->strides ? (Py_ssize_t)t->strides[i] * es : s;
        s *= shape[i] > 0 ? shape[i] : 1;
    }
    ga_device *dev;
    ga_status st = ga_device_get(cuda || hip ? t->device.device_id : 0, &dev);
    if (st != GA_OK) {
        Py_DECREF(descr);
        return pyga_raise(st);
    }
    PyObject *owner = PyCapsule_New(managed, "gpuarray.dlpack_owner", owner_dtor);
    if (!owner || PyCapsule_SetContext(owner, (void *)(intptr_t)versioned) < 0) {
        if (owner)
            PyCapsule_SetDestructor(owner, NULL);   /* still the producer's */
        Py_XDECREF(owner);
        Py_DECREF(descr);
        return NULL;
    }
    /* From here the owner holds the tensor: mark the capsule consumed. */
    if (PyCapsule_SetName(cap, versioned ? "used_dltensor_versioned" : "used_dltensor") < 0) {
        PyCapsule_SetDestructor(owner, NULL);
        Py_DECREF(owner);
        Py_DECREF(descr);
        return NULL;
    }
    ga_devptr data = (ga_devptr)(uintptr_t)t->data + (ga_devptr)t->byte_offset;
    PyObject *r = foreign_array(dev, data, t->ndim, shape, strides, descr, owner);
    Py_DECREF(descr);
    return r;
}

/* The hook gpuarray.asarray/array call for an object that is not a NumPy
 * array: a zero-copy view when it has __cuda_array_interface__, else
 * Py_NotImplemented (new references both). */
PyObject *pyga_interop_asarray(PyObject *obj)
{
    if (PyArray_Check(obj) || PyList_Check(obj) || PyTuple_Check(obj) || PyLong_Check(obj)
        || PyFloat_Check(obj) || PyComplex_Check(obj) || PyBool_Check(obj) || PyArray_IsScalar(obj, Generic))
        return Py_NewRef(Py_NotImplemented);
    if (!PyObject_HasAttrString(obj, "__cuda_array_interface__"))
        return Py_NewRef(Py_NotImplemented);
    PyObject *mod = PyImport_ImportModule("gpuarray._interop");
    if (!mod)
        return NULL;
    PyObject *r = PyObject_CallMethod(mod, "_from_cuda_array_interface", "O", obj);
    Py_DECREF(mod);
    return r;
}

static PyMethodDef interop_functions[] = {
    {"_foreign_array", py_foreign_array, METH_VARARGS,
     "_foreign_array(ptr, shape, strides, dtype, owner, device_id)\n--\n\n"
     "An ndarray over memory gpuarray did not allocate, kept alive by owner."},
    {"_pointer_device", py_pointer_device, METH_O,
     "_pointer_device(ptr)\n--\n\n"
     "The ordinal of the device ptr points into, or None where that cannot be told."},
    {"_stream_wait_foreign", py_stream_wait_foreign, METH_O,
     "_stream_wait_foreign(stream)\n--\n\n"
     "Make the current stream wait for a foreign stream (1, 2 or a CUstream)."},
    {"_from_dlpack_capsule", py_from_dlpack_capsule, METH_O,
     "_from_dlpack_capsule(capsule)\n--\n\nA zero-copy ndarray over a DLPack capsule (consumes it)."},
    {NULL, NULL, 0, NULL}
};

static PyMethodDef ndarray_interop_methods[] = {
    {"__dlpack__", (PyCFunction)(void (*)(void))ndarray_dlpack, METH_FASTCALL | METH_KEYWORDS,
     "__dlpack__(stream=None, max_version=None, dl_device=None, copy=None)\n--\n\n"
     "Export as a DLPack capsule ('dltensor', or 'dltensor_versioned' when\n"
     "max_version >= (1, 0)), zero-copy unless copy=True. On CUDA, `stream` is\n"
     "the consumer's (None = legacy default, -1 = no ordering): it is made to\n"
     "wait for the current stream. On the host backend the current stream is\n"
     "synchronized so a CPU consumer can read at once."},
    {"__dlpack_device__", dlpack_device, METH_NOARGS,
     "__dlpack_device__()\n--\n\n(2, device id) on CUDA (kDLCUDA), (1, 0) on the host backend (kDLCPU)."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_interop(PyObject *m)
{
    if (PyModule_AddFunctions(m, interop_functions) < 0)
        return -1;
    /* Methods of ndarray that live here: added to its dict (the type is
     * created by ndarray.c). */
    for (PyMethodDef *d = ndarray_interop_methods; d->ml_name; d++) {
        PyObject *f = PyDescr_NewMethod(pyga.ndarray, d);
        if (!f)
            return -1;
        int r = PyObject_SetAttrString((PyObject *)pyga.ndarray, d->ml_name, f);
        Py_DECREF(f);
        if (r < 0)
            return -1;
    }
    return 0;
}
