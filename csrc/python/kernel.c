/* kernel.c - gpuarray._core.compile, load_program, load_data, load_file
 * and the compile cache functions; creates the Program, Module and
 * Function types (kernel_program.c, kernel_module.c, kernel_function.c;
 * a launch is kernel_launch.c). */
#include "kernel_internal.h"

#include <string.h>

/* ----------------------------------------------------------- small helpers */

/* Options tuple -> C array of strings borrowed from the tuple's items. */
static int
string_array(PyObject *seq, const char *what, const char ***out, int *count)
{
    *out = NULL;
    *count = 0;
    if (seq == NULL || seq == Py_None)
        return 0;
    if (!PyTuple_Check(seq) && !PyList_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple of str, not %.100s", what,
                     Py_TYPE(seq)->tp_name);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > INT_MAX / 2) {
        PyErr_Format(PyExc_ValueError, "too many %s", what);
        return -1;
    }
    const char **arr = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *arr);
    if (!arr) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s must be str, but item %zd is %.100s", what, i,
                         Py_TYPE(item)->tp_name);
            PyMem_Free(arr);
            return -1;
        }
        arr[i] = PyUnicode_AsUTF8(item);
        if (!arr[i]) {
            PyMem_Free(arr);
            return -1;
        }
    }
    *out = arr;
    *count = (int)n;
    return 0;
}

/* A tuple (new reference) of the strings in `o`: None (no strings), a
 * tuple or a list; anything else is a TypeError. */
static PyObject *
str_tuple(PyObject *o, const char *what)
{
    if (o == Py_None)
        return PyTuple_New(0);
    if (PyTuple_Check(o)) {
        Py_INCREF(o);
        return o;
    }
    if (PyList_Check(o))
        return PyList_AsTuple(o);
    PyErr_Format(PyExc_TypeError, "%s must be a tuple of str, not %.100s", what,
                 Py_TYPE(o)->tp_name);
    return NULL;
}

/* `device` arguments of the module functions: None = the current device,
 * an int = that ordinal. */
static ga_device *
device_arg(PyObject *o)
{
    if (o == NULL || o == Py_None)
        return pyga_current_device();
    int ordinal;
    if (pyga_as_int(o, &ordinal) < 0)
        return NULL;
    ga_device *dev;
    ga_status st = ga_device_get(ordinal, &dev);
    if (st != GA_OK) {
        pyga_raise(st);
        return NULL;
    }
    return dev;
}

/* ======================================================= module functions */

/* Give the CompileException that pyga_raise made the request's options,
 * source name and source, so a user can reproduce the failure. */
static PyObject *
raise_compile(ga_status st, PyObject *options, const char *name, PyObject *source)
{
    pyga_raise(st);
    if (st != GA_ERROR_COMPILE || !pyga.CompileException)
        return NULL;
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *value = PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
#endif
    if (value && PyObject_TypeCheck(value, (PyTypeObject *)pyga.CompileException)) {
        PyObject *opts = options && options != Py_None ? PySequence_Tuple(options) : PyTuple_New(0);
        PyObject *n = PyUnicode_FromString(name);
        if (!opts || !n || PyObject_SetAttrString(value, "options", opts) < 0 ||
            PyObject_SetAttrString(value, "name", n) < 0 ||
            PyObject_SetAttrString(value, "source", source) < 0)
            PyErr_Clear();   /* the original error is the one to report */
        Py_XDECREF(opts);
        Py_XDECREF(n);
    }
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(value);
#else
    PyErr_Restore(type, value, tb);
#endif
    return NULL;
}

static PyObject *
py_compile(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"source", "options", "name_expressions", "source_name", "arch",
                             "device", "no_cache", NULL};
    PyObject *source, *options = Py_None, *exprs = Py_None, *dev_o = Py_None;
    const char *source_name = NULL;
    int arch = 0, no_cache = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|OOziOp:compile", kwlist, &source, &options,
                                     &exprs, &source_name, &arch, &dev_o, &no_cache))
        return NULL;
    if (arch < 0) {
        PyErr_Format(PyExc_ValueError, "arch must be >= 0, got %d", arch);
        return NULL;
    }

    /* device=None: the current device when CUDA is usable, else none (NVRTC
     * needs no GPU: the newest architecture is targeted); -1: none. */
    ga_device *dev = NULL;
    if (dev_o == Py_None) {
        dev = pyga_current_device();
        if (!dev)
            PyErr_Clear();
    } else {
        int ordinal;
        if (pyga_as_int(dev_o, &ordinal) < 0)
            return NULL;
        if (ordinal >= 0 && !(dev = device_arg(dev_o)))
            return NULL;
    }

    const char *src = PyUnicode_AsUTF8(source);
    if (!src)
        return NULL;
    /* Tuples of our own: the strings are read with the GIL released, when
     * another thread could change a list it was given. */
    PyObject *opt_t = str_tuple(options, "options");
    if (!opt_t)
        return NULL;
    PyObject *expr_t = exprs == Py_None ? NULL : str_tuple(exprs, "name_expressions");
    if (exprs != Py_None && !expr_t) {
        Py_DECREF(opt_t);
        return NULL;
    }
    PyObject *result = NULL;
    const char **opts = NULL, **names = NULL;
    int nopts = 0, nnames = 0;
    if (string_array(opt_t, "options", &opts, &nopts) < 0 ||
        string_array(expr_t, "name_expressions", &names, &nnames) < 0)
        goto done;
    ga_compile_request req = {
        .source = src,
        .source_name = source_name,
        .options = opts,
        .num_options = nopts,
        .name_expressions = names,
        .num_name_expressions = nnames,
        .arch = arch,
        .no_cache = no_cache,
    };
    ga_program *program = NULL;
    ga_cache_source found = GA_CACHE_MISS;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_program_compile(dev, &req, &program);
    /* The core shares one program among cache hits and keeps the latest
     * lookup's source in it: read it at once, for this compile. */
    if (st == GA_OK)
        found = ga_program_cache_source(program);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        raise_compile(st, opt_t, source_name && source_name[0] ? source_name : "kernel.cu", source);
    else
        result = pyga_program_new_from(program, found);
done:
    PyMem_Free(opts);
    PyMem_Free(names);
    Py_DECREF(opt_t);
    Py_XDECREF(expr_t);
    return result;
}

static PyObject *
py_load_program(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"program", "device", NULL};
    PyObject *prog, *dev_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|O:load_program", kwlist, pyga_Program_Type, &prog,
                                     &dev_o))
        return NULL;
    ga_device *dev = device_arg(dev_o);
    if (!dev)
        return NULL;
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_program(dev, ((pyga_Program *)prog)->program, &module);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return pyga_module_new_from(module, dev, prog);
}

static PyObject *
py_load_data(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"kind", "data", "device", NULL};
    const char *kind_s;
    PyObject *data, *dev_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sO|O:load_data", kwlist, &kind_s, &data, &dev_o))
        return NULL;
    ga_image_kind kind;
    if (strcmp(kind_s, "ptx") == 0)
        kind = GA_IMAGE_PTX;
    else if (strcmp(kind_s, "cubin") == 0)
        kind = GA_IMAGE_CUBIN;
    else if (strcmp(kind_s, "fatbin") == 0)
        kind = GA_IMAGE_FATBIN;
    else {
        PyErr_Format(PyExc_ValueError, "kind must be 'ptx', 'cubin' or 'fatbin', not '%s'", kind_s);
        return NULL;
    }
    /* PTX text goes NUL-terminated (size 0); the str/bytes objects keep a
     * NUL after their data, and `data` stays referenced by the caller. */
    const char *image;
    Py_ssize_t size;
    if (PyUnicode_Check(data)) {
        image = PyUnicode_AsUTF8AndSize(data, &size);
        if (!image)
            return NULL;
    } else if (PyBytes_Check(data)) {
        image = PyBytes_AS_STRING(data);
        size = PyBytes_GET_SIZE(data);
    } else {
        PyErr_Format(PyExc_TypeError, "data must be str or bytes, not %.100s",
                     Py_TYPE(data)->tp_name);
        return NULL;
    }
    if (kind == GA_IMAGE_PTX && (Py_ssize_t)strlen(image) != size) {
        PyErr_SetString(PyExc_ValueError, "PTX text must not contain NUL characters");
        return NULL;
    }
    ga_device *dev = device_arg(dev_o);
    if (!dev)
        return NULL;
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_data(dev, kind, image, kind == GA_IMAGE_PTX ? 0 : (size_t)size, &module);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return pyga_module_new_from(module, dev, NULL);
}

static PyObject *
py_load_file(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"path", "device", NULL};
    PyObject *path_o, *dev_o = Py_None, *path_b = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|O:load_file", kwlist, PyUnicode_FSConverter,
                                     &path_b, &dev_o))
        return NULL;
    path_o = path_b;
    ga_device *dev = device_arg(dev_o);
    if (!dev) {
        Py_DECREF(path_o);
        return NULL;
    }
    const char *path = PyBytes_AS_STRING(path_o);
    ga_module *module = NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_module_load_file(dev, path, &module);
    Py_END_ALLOW_THREADS
    Py_DECREF(path_o);
    if (st != GA_OK)
        return pyga_raise(st);
    return pyga_module_new_from(module, dev, NULL);
}

static PyObject *
py_cache_dir(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    const char *d = ga_cache_dir();
    if (!d)
        Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefault(d);
}

static PyObject *
py_cache_clear_memory(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    ga_cache_clear_memory();
    Py_RETURN_NONE;
}

static PyObject *
py_current_device_id(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyLong_FromLong(pyga_current_device_id());
}

static PyMethodDef kernel_functions[] = {
    {"compile", (PyCFunction)(void (*)(void))py_compile, METH_VARARGS | METH_KEYWORDS,
     "compile(source, options=(), name_expressions=None, source_name=None, arch=0, "
     "device=None, no_cache=False) -> Program\n\n"
     "Compile CUDA C++ with NVRTC through gpuarray's caches. device=None targets the\n"
     "current device when CUDA is usable, else the newest architecture; -1 never\n"
     "touches the driver."},
    {"load_program", (PyCFunction)(void (*)(void))py_load_program, METH_VARARGS | METH_KEYWORDS,
     "load_program(program, device=None) -> Module"},
    {"load_data", (PyCFunction)(void (*)(void))py_load_data, METH_VARARGS | METH_KEYWORDS,
     "load_data(kind, data, device=None) -> Module; kind is 'ptx', 'cubin' or 'fatbin'."},
    {"load_file", (PyCFunction)(void (*)(void))py_load_file, METH_VARARGS | METH_KEYWORDS,
     "load_file(path, device=None) -> Module (.ptx, .cubin or .fatbin)."},
    {"compile_cache_dir", py_cache_dir, METH_NOARGS, "The on-disk kernel cache directory."},
    {"compile_cache_clear_memory", py_cache_clear_memory, METH_NOARGS,
     "Drop the in-memory compile cache."},
    {"_kernel_current_device", py_current_device_id, METH_NOARGS,
     "Ordinal of the calling thread's current device."},
    {NULL, NULL, 0, NULL}
};

/* ================================================================== init */

static int
add_type(PyObject *m, PyTypeObject *tp, const char *name)
{
    Py_INCREF(tp);
    if (PyModule_AddObject(m, name, (PyObject *)tp) < 0) {
        Py_DECREF(tp);
        return -1;
    }
    return 0;
}

int
pyga_init_kernel(PyObject *m)
{
    if (pyga_init_kernel_launch() < 0 || pyga_init_kernel_program() < 0 ||
        pyga_init_kernel_module() < 0 || pyga_init_kernel_function() < 0)
        return -1;
    if (add_type(m, pyga_Program_Type, "Program") < 0 || add_type(m, pyga.Module, "Module") < 0 ||
        add_type(m, pyga.Function, "Function") < 0)
        return -1;
    if (PyModule_AddFunctions(m, kernel_functions) < 0)
        return -1;
    /* gpuarray.cuda.compiler re-exports the class from here when errors.c
     * has not put it on the module itself. */
    if (pyga.CompileException && !PyObject_HasAttrString(m, "CompileException")) {
        Py_INCREF(pyga.CompileException);
        if (PyModule_AddObject(m, "CompileException", pyga.CompileException) < 0) {
            Py_DECREF(pyga.CompileException);
            return -1;
        }
    }
    return 0;
}
