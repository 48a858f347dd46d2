/* allocator.c - gpuarray.cuda.set_allocator: the Python callable (CuPy's
 * custom allocator protocol: allocator(nbytes) -> MemoryPointer) that new
 * arrays take their memory from, or the pool when none is set. */
#include "pyga_internal.h"

static PyObject *current_allocator;          /* NULL: the pool */
/* Arrays the allocator itself makes come from the pool, not from it. */
static _Thread_local int in_allocator;

PyObject *pyga_array_memory(ga_device *dev, size_t nbytes, PyObject *stream_obj, ga_stream *stream,
                            ga_devptr *ptr)
{
    if (!current_allocator || in_allocator) {
        PyObject *mem = pyga_memory_alloc(dev, nbytes, stream_obj, stream);
        if (mem)
            *ptr = ((pyga_Memory *)mem)->ptr;
        return mem;
    }
    PyObject *alloc = Py_NewRef(current_allocator);   /* it may reset itself */
    in_allocator = 1;
    PyObject *mp = PyObject_CallFunction(alloc, "n", (Py_ssize_t)nbytes);
    in_allocator = 0;
    Py_DECREF(alloc);
    if (!mp)
        return NULL;
    PyObject *mem;
    ga_devptr p;
    if (pyga_memory_pointer_unpack(mp, &mem, &p) < 0) {
        Py_DECREF(mp);
        PyErr_Format(PyExc_TypeError, "the allocator set by set_allocator must return a "
                     "gpuarray.cuda.MemoryPointer");
        return NULL;
    }
    pyga_Memory *m = (pyga_Memory *)mem;
    ga_devptr end = m->ptr + m->size;
    if (p < m->ptr || p > end || (size_t)(end - p) < nbytes) {
        PyErr_Format(PyExc_ValueError, "the allocator returned %zu bytes where %zu were asked for",
                     p <= end && p >= m->ptr ? (size_t)(end - p) : (size_t)0, nbytes);
        Py_DECREF(mp);
        return NULL;
    }
    if (m->device != dev) {
        PyErr_Format(PyExc_ValueError, "the allocator returned memory of device %d for an array "
                     "on device %d", ga_device_ordinal(m->device), ga_device_ordinal(dev));
        Py_DECREF(mp);
        return NULL;
    }
    Py_INCREF(mem);
    Py_DECREF(mp);
    *ptr = p;
    return mem;
}

static PyObject *set_allocator(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    PyObject *a = nargs > 0 ? args[0] : Py_None;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "set_allocator takes at most 1 argument");
        return NULL;
    }
    if (a != Py_None && !PyCallable_Check(a)) {
        PyErr_Format(PyExc_TypeError, "set_allocator: the allocator must be callable or None, "
                     "not %.200s", Py_TYPE(a)->tp_name);
        return NULL;
    }
    PyObject *old = current_allocator;
    current_allocator = a == Py_None ? NULL : Py_NewRef(a);
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

static PyObject *get_allocator(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return Py_NewRef(current_allocator ? current_allocator : Py_None);
}

static PyMethodDef allocator_functions[] = {
    {"set_allocator", (PyCFunction)(void (*)(void))set_allocator, METH_FASTCALL,
     "set_allocator(allocator=None)\n--\n\n"
     "New arrays take their memory from allocator(nbytes), which returns a\n"
     "MemoryPointer (CuPy's protocol; a Memory subclass may back it); None\n"
     "goes back to the memory pool. Process-wide; arrays made inside the\n"
     "allocator come from the pool."},
    {"get_allocator", get_allocator, METH_NOARGS,
     "get_allocator()\n--\n\nThe allocator set_allocator set, or None (the pool)."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_allocator(PyObject *m)
{
    return PyModule_AddFunctions(m, allocator_functions);
}
