/* kernel_module.c - gpuarray._core.Module, a program loaded on one device
 * (base of RawModule): its kernels (get_function) and globals (get_global). */
#include "kernel_internal.h"

#include <string.h>

static int
module_traverse(PyObject *o, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(o));
    Py_VISIT(((pyga_Module *)o)->program);
    return 0;
}

static int
module_clear(PyObject *o)
{
    Py_CLEAR(((pyga_Module *)o)->program);
    return 0;
}

static void
module_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    pyga_Module *self = (pyga_Module *)o;
    PyObject_GC_UnTrack(o);
    /* Functions hold a reference to their module, so none is left that
     * could launch from the unloaded code. A failure here (driver already
     * torn down at exit) has nobody to report to. */
    if (self->module)
        (void)ga_module_unload(self->module);
    self->module = NULL;
    module_clear(o);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyObject *
module_get_function(PyObject *o, PyObject *arg)
{
    pyga_Module *self = (pyga_Module *)o;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "kernel name must be str, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    Py_ssize_t name_len;
    const char *name = PyUnicode_AsUTF8AndSize(arg, &name_len);
    if (!name)
        return NULL;
    if ((size_t)name_len != strlen(name)) {
        PyErr_Format(PyExc_ValueError, "kernel name %R contains a NUL character", arg);
        return NULL;
    }
    ga_function *fn;
    ga_status st = ga_module_get_function(self->module, name, &fn);
    if (st != GA_OK)
        return pyga_raise(st);
    return pyga_function_new_bound(self, fn);
}

static PyObject *
module_get_global(PyObject *o, PyObject *arg)
{
    pyga_Module *self = (pyga_Module *)o;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "global name must be str, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    Py_ssize_t name_len;
    const char *name = PyUnicode_AsUTF8AndSize(arg, &name_len);
    if (!name)
        return NULL;
    if ((size_t)name_len != strlen(name)) {
        PyErr_Format(PyExc_ValueError, "global name %R contains a NUL character", arg);
        return NULL;
    }
    ga_devptr ptr;
    size_t size;
    ga_status st = ga_module_get_global(self->module, name, &ptr, &size);
    if (st != GA_OK)
        return pyga_raise(st);
    /* A MemoryPointer (as CuPy returns) into foreign Memory that keeps the
     * module loaded: it copies, fills and wraps as an ndarray like any. */
    pyga_Memory *mem = PyObject_GC_New(pyga_Memory, pyga.Memory);
    if (!mem)
        return NULL;
    mem->buffer = NULL;
    mem->ptr = ptr;
    mem->size = size;
    mem->device = self->device;
    Py_INCREF(o);
    mem->owner = o;
    mem->stream = NULL;
    PyObject_GC_Track(mem);
    PyObject *mp = PyObject_CallFunction((PyObject *)pyga.MemoryPointer, "Oi", (PyObject *)mem, 0);
    Py_DECREF(mem);
    return mp;
}

static PyObject *
module_get_program(PyObject *o, void *c)
{
    (void)c;
    PyObject *p = ((pyga_Module *)o)->program;
    if (!p)
        Py_RETURN_NONE;
    Py_INCREF(p);
    return p;
}

static PyObject *
module_get_device_id(PyObject *o, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_device_ordinal(((pyga_Module *)o)->device));
}

static PyGetSetDef module_getset[] = {
    {"program", module_get_program, NULL, "The Program it was loaded from, or None.", NULL},
    {"device_id", module_get_device_id, NULL, "Ordinal of the device it is loaded on.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef module_methods[] = {
    {"get_function", module_get_function, METH_O, "get_function(name) -> Function"},
    {"get_global", module_get_global, METH_O,
     "get_global(name) -> MemoryPointer to the __device__/__constant__ variable"},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot module_slots[] = {
    {Py_tp_dealloc, module_dealloc},
    {Py_tp_traverse, module_traverse},
    {Py_tp_clear, module_clear},
    {Py_tp_getset, module_getset},
    {Py_tp_methods, module_methods},
    {Py_tp_doc, "A module loaded on one device (from gpuarray._core.load_*)."},
    {0, NULL}
};

static PyType_Spec module_spec = {
    .name = "gpuarray._core.Module",
    .basicsize = sizeof(pyga_Module),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = module_slots,
};

PyObject *
pyga_module_new_from(ga_module *module, ga_device *dev, PyObject *program)
{
    pyga_Module *self = PyObject_GC_New(pyga_Module, pyga.Module);
    if (!self) {
        (void)ga_module_unload(module);
        return NULL;
    }
    self->module = module;
    self->device = dev;
    Py_XINCREF(program);
    self->program = program;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

int
pyga_init_kernel_module(void)
{
    pyga.Module = (PyTypeObject *)PyType_FromSpec(&module_spec);
    if (!pyga.Module)
        return -1;
    return 0;
}
