/* ndarray_hooks.c - the ndarray operations that gpuarray._indexing does
 * (in Python, with generated kernels) for the C type. */
#include "ndarray_internal.h"

/* What needs generated kernels (strided fills and copies, casts, advanced
 * indexing) is done in gpuarray._indexing over the elementwise layer; the
 * module is imported on first use, so that _core loads without it. */
static PyObject *indexing_module;

PyObject *pyga_call_hook(const char *name, PyObject *a, PyObject *b, PyObject *c)
{
    if (!indexing_module) {
        indexing_module = PyImport_ImportModule("gpuarray._indexing");
        if (!indexing_module)
            return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(indexing_module, name);
    if (!fn)
        return NULL;
    PyObject *r = PyObject_CallFunctionObjArgs(fn, a, b, c, NULL);
    Py_DECREF(fn);
    return r;
}

int pyga_call_hook_int(const char *name, PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *r = pyga_call_hook(name, a, b, c);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}
