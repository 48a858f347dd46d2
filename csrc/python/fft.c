/* fft.c - gpuarray._core.FFTPlan, one ga_fft_plan (a cuFFT plan on CUDA)
 * under gpuarray.fft's plan cache, and _fft_library (where cuFFT was
 * found). gpuarray/fft/ decides layouts, sizes, dtypes and errors; this
 * file only creates, runs and frees plans. */
#include "pyga_internal.h"

typedef struct pyga_FFTPlan {
    PyObject_HEAD
    ga_fft_plan *plan;
    ga_device *device;
    int type;              /* ga_fft_type */
    int double_precision;
    size_t work_size;
} pyga_FFTPlan;

static PyTypeObject *FFTPlan_Type;

#define PLAN(o) ((pyga_FFTPlan *)(o))

static int dims_arg(PyObject *o, int rank, int64_t *out, const char *what)
{
    PyObject *seq = PySequence_Fast(o, "FFTPlan: sizes must be sequences of ints");
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != rank) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "FFTPlan: %s needs %d entries (the rank of n)", what, rank);
        return -1;
    }
    for (int i = 0; i < rank; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (out[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *FFTPlan_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"fft_type", "double", "n", "inembed", "istride", "idist",
                             "onembed", "ostride", "odist", "batch", NULL};
    int fft_type, dbl;
    PyObject *n_obj, *inembed_obj, *onembed_obj;
    long long istride, idist, ostride, odist, batch;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "ipOOLLOLLL:FFTPlan", kwlist, &fft_type, &dbl,
                                     &n_obj, &inembed_obj, &istride, &idist, &onembed_obj, &ostride,
                                     &odist, &batch))
        return NULL;
    ga_fft_layout l = { 0 };
    Py_ssize_t rank = PyObject_Length(n_obj);
    if (rank < 0)
        return NULL;
    if (rank < 1 || rank > GA_FFT_MAX_RANK) {
        PyErr_Format(PyExc_ValueError, "FFTPlan: rank %zd is not 1, 2 or 3", rank);
        return NULL;
    }
    l.rank = (int)rank;
    if (dims_arg(n_obj, l.rank, l.n, "n") < 0 || dims_arg(inembed_obj, l.rank, l.inembed, "inembed") < 0
        || dims_arg(onembed_obj, l.rank, l.onembed, "onembed") < 0)
        return NULL;
    l.istride = istride, l.idist = idist, l.ostride = ostride, l.odist = odist, l.batch = batch;
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_fft_plan *plan = NULL;
    ga_status st;
    /* Planning may compile kernels (cuFFT 11+ does for some sizes). */
    Py_BEGIN_ALLOW_THREADS
    st = ga_fft_plan_create(dev, (ga_fft_type)fft_type, dbl ? GA_FLOAT64 : GA_FLOAT32, &l, &plan);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_FFTPlan *self = (pyga_FFTPlan *)type->tp_alloc(type, 0);
    if (!self) {
        ga_fft_plan_destroy(plan);
        return NULL;
    }
    self->plan = plan;
    self->device = dev;
    self->type = fft_type;
    self->double_precision = dbl;
    ga_fft_plan_work_size(plan, &self->work_size);
    return (PyObject *)self;
}

static void FFTPlan_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (PLAN(self)->plan)
        ga_fft_plan_destroy(PLAN(self)->plan);   /* a failure here has no one to tell */
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* execute(in, out, inverse, in_offset=0, out_offset=0): queue the plan's
 * transforms on the current stream, reading at in's first element plus
 * in_offset bytes and writing at out's plus out_offset. The caller
 * (gpuarray/fft/_planned.py) has checked that the layout fits both. */
static PyObject *FFTPlan_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pyga_FFTPlan *p = PLAN(self);
    if (nargs != 3 && nargs != 5) {
        PyErr_SetString(PyExc_TypeError,
                        "FFTPlan.execute(in, out, inverse[, in_offset, out_offset]) takes 3 or 5 arguments");
        return NULL;
    }
    if (!p->plan) {
        PyErr_SetString(PyExc_ValueError, "FFTPlan.execute: the plan was destroyed");
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        if (!pyga_ndarray_check(args[i])) {
            PyErr_SetString(PyExc_TypeError, "FFTPlan.execute: in and out must be gpuarray.ndarray");
            return NULL;
        }
    pyga_ndarray *in = (pyga_ndarray *)args[0], *out = (pyga_ndarray *)args[1];
    if (in->device != p->device || out->device != p->device) {
        PyErr_SetString(PyExc_ValueError, "FFTPlan.execute: the arrays are not on the plan's device");
        return NULL;
    }
    int inverse = PyObject_IsTrue(args[2]);
    if (inverse < 0)
        return NULL;
    long long in_off = 0, out_off = 0;
    if (nargs == 5) {
        in_off = PyLong_AsLongLong(args[3]);
        out_off = PyLong_AsLongLong(args[4]);
        if (PyErr_Occurred())
            return NULL;
    }
    ga_stream *stream;
    pyga_current_stream(&stream);
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_fft_execute(p->plan, stream, in->ptr + (ga_devptr)in_off, out->ptr + (ga_devptr)out_off, inverse);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

/* destroy(): free the plan (and its work area) now, as the plan cache
 * does on eviction; later executes raise. Idempotent. */
static PyObject *FFTPlan_destroy(PyObject *self, PyObject *unused)
{
    (void)unused;
    ga_fft_plan *plan = PLAN(self)->plan;
    PLAN(self)->plan = NULL;
    if (plan) {
        ga_status st = ga_fft_plan_destroy(plan);
        if (st != GA_OK)
            return pyga_raise(st);
    }
    Py_RETURN_NONE;
}

static PyObject *FFTPlan_get_work_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(PLAN(self)->work_size);
}

static PyObject *FFTPlan_get_device_id(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_device_ordinal(PLAN(self)->device));
}

static PyObject *FFTPlan_get_fft_type(PyObject *self, void *c)
{
    (void)c;
    static const char *const names[2][3] = { { "C2C", "R2C", "C2R" }, { "Z2Z", "D2Z", "Z2D" } };
    return PyUnicode_FromString(names[PLAN(self)->double_precision][PLAN(self)->type]);
}

static PyObject *FFTPlan_get_alive(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(PLAN(self)->plan != NULL);
}

static PyMethodDef FFTPlan_methods[] = {
    {"execute", (PyCFunction)(void (*)(void))FFTPlan_execute, METH_FASTCALL,
     "execute(in, out, inverse, in_offset=0, out_offset=0)\n--\n\n"
     "Queue the transforms on the current stream (unnormalised); offsets in bytes."},
    {"destroy", FFTPlan_destroy, METH_NOARGS,
     "destroy()\n--\n\nFree the plan and its work area now."},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef FFTPlan_getset[] = {
    {"work_size", FFTPlan_get_work_size, NULL, "Bytes of device memory the plan's work area holds.", NULL},
    {"device_id", FFTPlan_get_device_id, NULL, "Ordinal of the plan's device.", NULL},
    {"fft_type", FFTPlan_get_fft_type, NULL, "cuFFT's name of the transform type (C2C, D2Z, ...).", NULL},
    {"alive", FFTPlan_get_alive, NULL, "False once destroy() ran.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot FFTPlan_slots[] = {
    {Py_tp_doc, "FFTPlan(fft_type, double, n, inembed, istride, idist, onembed, ostride, odist, batch)\n"
                "--\n\n"
                "A batched FFT plan on the current device in cuFFT's advanced layout\n"
                "(fft_type 0 = C2C, 1 = R2C, 2 = C2R; double: float64 precision).\n"
                "Internal: gpuarray.fft's plan cache makes and keeps these."},
    {Py_tp_new, FFTPlan_new},
    {Py_tp_dealloc, FFTPlan_dealloc},
    {Py_tp_methods, FFTPlan_methods},
    {Py_tp_getset, FFTPlan_getset},
    {0, NULL}
};

static PyType_Spec FFTPlan_spec = {
    .name = "gpuarray._core.FFTPlan",
    .basicsize = sizeof(pyga_FFTPlan),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = FFTPlan_slots,
};

/* _fft_library() -> (path, version): load cuFFT (no GPU needed). */
static PyObject *fft_library(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    const char *path = NULL;
    int version = 0;
    ga_status st = ga_fft_library(&path, &version);
    if (st != GA_OK)
        return pyga_raise(st);
    return Py_BuildValue("(si)", path, version);
}

static PyMethodDef fft_functions[] = {
    {"_fft_library", fft_library, METH_NOARGS,
     "_fft_library()\n--\n\n(path, version) of cuFFT, loaded now; CUDAUnavailableError naming\n"
     "every place searched when it is not found."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_fft(PyObject *m)
{
    FFTPlan_Type = (PyTypeObject *)PyType_FromSpec(&FFTPlan_spec);
    if (!FFTPlan_Type || PyModule_AddObjectRef(m, "FFTPlan", (PyObject *)FFTPlan_Type) < 0)
        return -1;
    return PyModule_AddFunctions(m, fft_functions);
}
