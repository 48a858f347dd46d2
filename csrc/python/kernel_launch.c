/* kernel_launch.c - launching a kernel, f(grid, block, args, shared_mem=0,
 * stream=None): the call forms, the geometry and shared memory checks, the
 * argument buffer (kernel_args.c packs each value), and the packed launch
 * of operators.c. */
#include "kernel_internal.h"

/* Keyword names of a launch, interned once so that the usual case (the
 * caller's own interned identifiers) matches by pointer. */
static PyObject *kw_names[6];
static const char *const kw_cnames[6] = {
    "grid", "block", "args", "shared_mem", "stream", "enable_cooperative_groups"
};

/* ------------------------------------------------------- launch: geometry */

static int
dim_value(PyObject *item, const char *what, Py_ssize_t i, int scalar, unsigned *out)
{
    long long v;
    int overflow = 0;
    if (PyLong_Check(item)) {
        v = PyLong_AsLongLongAndOverflow(item, &overflow);
    } else if (!PyFloat_Check(item) && PyIndex_Check(item)) {   /* NumPy integers */
        PyObject *idx = PyNumber_Index(item);
        if (!idx)
            return -1;
        v = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
    } else {
        if (scalar)
            PyErr_Format(PyExc_TypeError, "%s must be an int or a tuple of 1 to 3 ints, not %.100s",
                         what, Py_TYPE(item)->tp_name);
        else
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be an int, not %.100s", what, i,
                         Py_TYPE(item)->tp_name);
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v <= 0 || v > (long long)UINT32_MAX) {
        if (scalar)
            PyErr_Format(PyExc_ValueError, "%s must be a positive int below 2**32, got %R", what,
                         item);
        else
            PyErr_Format(PyExc_ValueError, "%s[%zd] must be a positive int below 2**32, got %R",
                         what, i, item);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int
parse_dims(PyObject *o, const char *what, unsigned out[3])
{
    out[0] = out[1] = out[2] = 1;
    if (PyTuple_Check(o) || PyList_Check(o)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        if (n < 1 || n > 3) {
            PyErr_Format(PyExc_ValueError, "%s must have 1 to 3 dimensions, got %zd", what, n);
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            if (dim_value(PySequence_Fast_GET_ITEM(o, i), what, i, 0, &out[i]) < 0)
                return -1;
        return 0;
    }
    return dim_value(o, what, 0, 1, &out[0]);
}

static int
check_geometry(pyga_Function *self, const unsigned grid[3], const unsigned block[3])
{
    static const char axis[3] = {'x', 'y', 'z'};
    for (int i = 0; i < 3; i++) {
        if (block[i] > self->max_block[i]) {
            PyErr_Format(PyExc_ValueError,
                         "%s(): block dimension %c = %u exceeds the device's limit of %u",
                         pyga_function_cname(self), axis[i], block[i], self->max_block[i]);
            return -1;
        }
        if (grid[i] > self->max_grid[i]) {
            PyErr_Format(PyExc_ValueError,
                         "%s(): grid dimension %c = %u exceeds the device's limit of %u",
                         pyga_function_cname(self), axis[i], grid[i], self->max_grid[i]);
            return -1;
        }
    }
    unsigned long long threads = (unsigned long long)block[0] * block[1] * block[2];
    if (threads > self->max_threads) {
        PyErr_Format(PyExc_ValueError,
                     "%s(): block (%u, %u, %u) has %llu threads; this kernel allows at most %u "
                     "per block on this device",
                     pyga_function_cname(self), block[0], block[1], block[2], threads,
                     self->max_threads);
        return -1;
    }
    return 0;
}

/* Dynamic shared memory over the default limit needs the function's limit
 * raised first; do it here rather than let the driver refuse the launch. */
static int
check_shared(pyga_Function *self, size_t smem)
{
    if (smem <= self->smem_dynamic)
        return 0;
    size_t room = self->smem_optin > self->smem_static ? self->smem_optin - self->smem_static : 0;
    if (smem > room) {
        PyErr_Format(PyExc_ValueError,
                     "%s(): shared_mem = %zu bytes exceeds the %zu bytes of dynamic shared "
                     "memory this kernel can have on this device (%zu per block, %zu static)",
                     pyga_function_cname(self), smem, room, self->smem_optin, self->smem_static);
        return -1;
    }
    ga_status st = ga_function_set_attribute(self->fn, GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                             (int)smem);
    if (st != GA_OK)
        return pyga_raise_int(st);
    self->smem_dynamic = smem;
    return 0;
}

/* ------------------------------------------------------------ launch */

static PyObject *
function_launch(pyga_Function *self, PyObject *grid_o, PyObject *block_o, PyObject *args_o,
                PyObject *smem_o, PyObject *stream_o, PyObject *coop_o)
{
    ga_stream *stream;
    ga_device *dev;
    PyObject *stream_obj;

    if (coop_o && coop_o != Py_False) {
        int t = PyObject_IsTrue(coop_o);
        if (t < 0)
            return NULL;
        if (t) {
            PyErr_SetString(PyExc_NotImplementedError,
                            "cooperative launches are not supported by gpuarray yet");
            return NULL;
        }
    }

    /* The stream decides the device the kernel runs on. */
    if (stream_o == NULL || stream_o == Py_None) {
        stream_obj = pyga_current_stream(&stream);
    } else if (PyObject_TypeCheck(stream_o, pyga.Stream)) {
        stream_obj = stream_o;
        stream = ((pyga_Stream *)stream_o)->stream;
    } else if (pyga_stream_arg(stream_o, &stream, &stream_obj) < 0) {
        return NULL;
    }
    /* The null stream belongs to every device: the current one runs it. */
    dev = ((pyga_Stream *)stream_obj)->device;
    if (!dev && !(dev = pyga_current_device()))
        return NULL;

    /* Forms first: a malformed launch fails before a first use compiles. */
    unsigned grid[3], block[3];
    if (parse_dims(grid_o, "grid", grid) < 0 || parse_dims(block_o, "block", block) < 0)
        return NULL;
    size_t smem = 0;
    if (smem_o && smem_o != Py_None) {
        if (!PyLong_Check(smem_o) && !PyIndex_Check(smem_o)) {
            PyErr_Format(PyExc_TypeError, "shared_mem must be an int, not %.100s",
                         Py_TYPE(smem_o)->tp_name);
            return NULL;
        }
        PyObject *num = PyNumber_Index(smem_o);
        if (!num)
            return NULL;
        int ov = 0;
        long long v = PyLong_AsLongLongAndOverflow(num, &ov);
        Py_DECREF(num);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (ov || v < 0) {
            PyErr_Format(PyExc_ValueError, "shared_mem must be a non-negative int, got %R", smem_o);
            return NULL;
        }
        smem = (size_t)v;
    }
    if (!PyTuple_Check(args_o) && !PyList_Check(args_o)) {
        PyErr_Format(PyExc_TypeError, "%s(): args must be a tuple or a list, not %.100s",
                     pyga_function_cname(self), Py_TYPE(args_o)->tp_name);
        return NULL;
    }

    if (self->fn == NULL || dev != self->device) {
        if (pyga_function_ensure(self, dev) < 0)
            return NULL;
    }
    if (!self->ready && pyga_function_prepare(self) < 0)
        return NULL;
    if (check_geometry(self, grid, block) < 0 || (smem && check_shared(self, smem) < 0))
        return NULL;

    /* A list could change under us while an argument's conversion runs
     * Python code; a tuple cannot. Tuples (the usual case) are used as is. */
    PyObject *tuple;
    if (PyTuple_Check(args_o)) {
        tuple = args_o;
        Py_INCREF(tuple);
    } else if (!(tuple = PyList_AsTuple(args_o))) {
        return NULL;
    }

    Py_ssize_t nargs = PyTuple_GET_SIZE(tuple);
    if (self->known && nargs != self->nparams) {
        PyErr_Format(PyExc_TypeError, "%s() takes %d argument%s (%zd given)", pyga_function_cname(self),
                     self->nparams, self->nparams == 1 ? "" : "s", nargs);
        goto fail;
    }
    if (nargs > PYGA_MAX_ARGS) {
        PyErr_Format(PyExc_ValueError, "%s(): at most %d kernel arguments are supported",
                     pyga_function_cname(self), PYGA_MAX_ARGS);
        goto fail;
    }

    _Alignas(16) unsigned char buf[PYGA_ARGBUF_BYTES];
    void *ptrs[PYGA_MAX_ARGS + 1];
    size_t off = 0;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *o = PyTuple_GET_ITEM(tuple, i);
        size_t size = 0;
        if (off >= PYGA_ARGBUF_BYTES) {
            PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", pyga_function_cname(self),
                         PYGA_ARGBUF_BYTES);
            goto fail;
        }
        int r = self->known
              ? pyga_store_param(self, (int)i, &self->params[i], o, dev, buf + off,
                                 PYGA_ARGBUF_BYTES - off, &size)
              : pyga_store_blind(self, (int)i, o, dev, buf + off, PYGA_ARGBUF_BYTES - off, &size);
        if (r < 0)
            goto fail;
        ptrs[i] = buf + off;
        /* Each value in its own slot (8 bytes, or 16 for bigger ones);
         * the driver copies each into the kernel's own parameter layout. */
        size_t align = size > 8 ? 16 : 8;
        off += (size + align - 1) & ~(align - 1);
        if (off > PYGA_ARGBUF_BYTES) {
            PyErr_Format(PyExc_ValueError, "%s(): arguments exceed %d bytes", pyga_function_cname(self),
                         PYGA_ARGBUF_BYTES);
            goto fail;
        }
    }
    Py_DECREF(tuple);
    ptrs[nargs] = NULL;

    /* Kept under the GIL: the launch only queues work and releasing and
     * taking the GIL again would cost more than the launch itself. */
    ga_status st = ga_launch(self->fn, grid, block, smem, stream, ptrs);
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_capture_keep_args(stream_obj, args_o);
    Py_RETURN_NONE;

fail:
    Py_DECREF(tuple);
    return NULL;
}

/* The array operators' launch (operators.c): arguments already in place,
 * on the current stream, which must run on `dev`. The kernel's parameters
 * were checked when the general path launched it with the same kinds of
 * arguments, so only the device and the geometry are checked here. */
int pyga_function_launch_packed(PyObject *f, ga_device *dev, unsigned grid, unsigned block,
                                void **params)
{
    pyga_Function *self = (pyga_Function *)f;
    ga_stream *stream;
    PyObject *stream_obj = pyga_current_stream(&stream);
    ga_device *sdev = ((pyga_Stream *)stream_obj)->device;
    /* While capturing, the general path launches: it keeps the operands
     * alive with the graph. */
    if ((sdev && sdev != dev) || ((pyga_Stream *)stream_obj)->capture_keep)
        return 1;
    if (self->fn == NULL || dev != self->device) {
        if (pyga_function_ensure(self, dev) < 0)
            return -1;
    }
    if (!self->ready && pyga_function_prepare(self) < 0)
        return -1;
    unsigned g[3] = {grid, 1, 1}, b[3] = {block, 1, 1};
    if (check_geometry(self, g, b) < 0)
        return -1;
    ga_status st = ga_launch(self->fn, g, b, 0, stream, params);
    return st == GA_OK ? 0 : pyga_raise_int(st);
}

static int
set_kw(PyObject *name, PyObject *value, PyObject **slots, Py_ssize_t nargs)
{
    int k = -1;
    for (int j = 0; j < 6; j++)
        if (name == kw_names[j]) {
            k = j;
            break;
        }
    if (k < 0) {
        for (int j = 0; j < 6; j++)
            if (PyUnicode_Check(name) && PyUnicode_Compare(name, kw_names[j]) == 0) {
                k = j;
                break;
            }
        if (PyErr_Occurred())
            return -1;
    }
    if (k < 0) {
        PyErr_Format(PyExc_TypeError, "kernel launch got an unexpected keyword argument '%S'", name);
        return -1;
    }
    if (k < nargs || slots[k]) {
        PyErr_Format(PyExc_TypeError, "kernel launch got multiple values for argument '%S'", name);
        return -1;
    }
    slots[k] = value;
    return 0;
}

static PyObject *
launch_slots(pyga_Function *self, PyObject **s)
{
    if (!s[0] || !s[1] || !s[2]) {
        PyErr_SetString(PyExc_TypeError,
                        "kernel launch takes (grid, block, args, shared_mem=0, stream=None)");
        return NULL;
    }
    return function_launch(self, s[0], s[1], s[2], s[3], s[4], s[5]);
}

PyObject *
pyga_function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *s[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs > 5) {
        PyErr_Format(PyExc_TypeError, "kernel launch takes at most 5 positional arguments (%zd given)",
                     nargs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        s[i] = args[i];
    if (kwnames) {
        Py_ssize_t nk = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t i = 0; i < nk; i++)
            if (set_kw(PyTuple_GET_ITEM(kwnames, i), args[nargs + i], s, nargs) < 0)
                return NULL;
    }
    return launch_slots((pyga_Function *)callable, s);
}

/* Python 3.11 and older do not give a Python subclass (RawKernel) the
 * vectorcall slot, so the tuple form must be as cheap. */
PyObject *
pyga_function_call(PyObject *callable, PyObject *args, PyObject *kwargs)
{
    PyObject *s[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (nargs > 5) {
        PyErr_Format(PyExc_TypeError, "kernel launch takes at most 5 positional arguments (%zd given)",
                     nargs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        s[i] = PyTuple_GET_ITEM(args, i);
    if (kwargs) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(kwargs, &pos, &k, &v))
            if (set_kw(k, v, s, nargs) < 0)
                return NULL;
    }
    return launch_slots((pyga_Function *)callable, s);
}

int
pyga_init_kernel_launch(void)
{
    for (int i = 0; i < 6; i++)
        if (!kw_names[i] && !(kw_names[i] = PyUnicode_InternFromString(kw_cnames[i])))
            return -1;
    return 0;
}
