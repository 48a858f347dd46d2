/* module.c - the extension module gpuarray._core: its state, its init, the
 * library-level functions (availability, configuration) and argument
 * binding shared by the other files. Importing it touches no driver: the
 * core initialises itself on the first call that needs a device. */
#define PYGA_IMPORT_ARRAY_HERE
#include "pyga_internal.h"

pyga_state pyga;

/* ------------------------------------------------------- argument binding */

/* Keywords written in a call are interned strs, so comparing pointers with
 * the interned parameter name matches at once; the names are string
 * literals, cached here by address. Full: fall back to comparing text. */
#define KW_CACHE 256
static struct { const char *name; PyObject *str; } kw_cache[KW_CACHE];

static PyObject *interned_name(const char *name)
{
    size_t h = ((uintptr_t)name >> 3) % KW_CACHE;
    for (size_t i = 0; i < KW_CACHE; i++, h = (h + 1) % KW_CACHE) {
        if (kw_cache[h].name == name)
            return kw_cache[h].str;
        if (!kw_cache[h].name) {
            PyObject *str = PyUnicode_InternFromString(name);
            if (!str) {
                PyErr_Clear();
                return NULL;
            }
            kw_cache[h].name = name;
            kw_cache[h].str = str;   /* lives forever */
            return str;
        }
    }
    return NULL;
}

int pyga_parse_args(const char *fname, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                    const char *const *names, int nnames, int npos, int nrequired,
                    PyObject **vals)
{
    for (int i = 0; i < nnames; i++)
        vals[i] = NULL;
    if (nargs > npos) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d positional argument%s (%zd given)",
                     fname, npos, npos == 1 ? "" : "s", nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        vals[i] = args[i];
    if (kwnames) {
        Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t k = 0; k < nkw; k++) {
            PyObject *key = PyTuple_GET_ITEM(kwnames, k);
            int found = -1;
            for (int i = 0; i < nnames && found < 0; i++)
                if (key == interned_name(names[i]))
                    found = i;
            for (int i = 0; i < nnames && found < 0; i++)
                if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0)
                    found = i;
            if (found < 0) {
                PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname, key);
                return -1;
            }
            if (vals[found]) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname,
                             names[found]);
                return -1;
            }
            vals[found] = args[nargs + k];
        }
    }
    for (int i = 0; i < nrequired; i++) {
        if (!vals[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
            return -1;
        }
    }
    return 0;
}

int pyga_bool_arg(PyObject *o, int dflt)
{
    if (!o)
        return dflt;
    return PyObject_IsTrue(o);
}

/* ------------------------------------------------------ library functions */

/* ga_init can dlopen the driver and create nothing else, but the first call
 * takes a while (cuInit): the GIL goes while it runs. */
static ga_status init_core(void)
{
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_init();
    Py_END_ALLOW_THREADS
    return st;
}

static PyObject *is_available(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return PyBool_FromLong(init_core() == GA_OK);
}

/* Why the backend cannot be used (the core's detail), or None when it can:
 * the reason GPU tests print when they skip. */
static PyObject *unavailable_reason(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    ga_status st = init_core();
    if (st == GA_OK)
        Py_RETURN_NONE;
    const char *detail = ga_last_error();
    if (!detail || !*detail)
        detail = ga_status_name(st);
    return PyUnicode_DecodeUTF8(detail, (Py_ssize_t)strlen(detail), "replace");
}

static PyObject *str_or_empty(const char *s)
{
    if (!s)
        s = "";
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* ga_config as a dict; works (with empty fields) where no backend loads. */
static PyObject *config(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    ga_status init_st = init_core();
    ga_config_info info;
    memset(&info, 0, sizeof info);
    ga_status st = ga_config(&info);
    if (st != GA_OK)
        return pyga_raise(st);
    PyObject *reason = init_st == GA_OK ? Py_NewRef(Py_None) : str_or_empty(ga_last_error());
    if (!reason)
        return NULL;
    PyObject *d = Py_BuildValue(
        "{s:N,s:i,s:N,s:i,s:N,s:N,s:N,s:O,s:N}",
        "backend", str_or_empty(info.backend),
        "driver_version", info.driver_version,
        "driver_path", str_or_empty(info.driver_path),
        "compiler_version", info.compiler_version,
        "compiler_path", str_or_empty(info.compiler_path),
        "compiler_detail", str_or_empty(info.compiler_detail),
        "cache_dir", str_or_empty(info.cache_dir),
        "available", init_st == GA_OK ? Py_True : Py_False,
        "unavailable_reason", reason);
    return d;
}

static PyMethodDef module_methods[] = {
    {"is_available", is_available, METH_NOARGS,
     "is_available()\n--\n\nWhether a GPU backend initialises here (never raises)."},
    {"unavailable_reason", unavailable_reason, METH_NOARGS,
     "unavailable_reason()\n--\n\nWhy no GPU backend initialises here, or None."},
    {"config", config, METH_NOARGS,
     "config()\n--\n\nBackend, driver and compiler versions and paths, cache directory."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gpuarray._core",
    .m_doc = "The C half of gpuarray: devices, streams, events, memory, arrays, kernels.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    pyga.module = m;
    if (pyga_init_errors(m) < 0 || pyga_init_device(m) < 0 || pyga_init_stream(m) < 0
        || pyga_init_memory(m) < 0 || pyga_init_ndarray(m) < 0 || pyga_init_kernel(m) < 0
        || pyga_init_blas(m) < 0 || pyga_init_fft(m) < 0 || pyga_init_allocator(m) < 0
        || pyga_init_solver(m) < 0 || pyga_init_interop(m) < 0
        || pyga_init_operators(m) < 0 || pyga_init_graph(m) < 0 || pyga_init_hip(m) < 0
        /* the most dimensions an array can have (the Array API's
         * capabilities() reports it) */
        || PyModule_AddIntConstant(m, "MAX_NDIM", PYGA_MAX_NDIM) < 0) {
        pyga.module = NULL;
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
