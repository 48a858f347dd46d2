/* errors.c - the exception classes and pyga_raise, the ONE place where a
 * ga_status becomes a Python exception.
 *
 * Hierarchy:
 *   RuntimeError
 *     CUDADriverError        .status (driver code), .driver_error (name),
 *                            .ga_status (gpuarray's status name)
 *       CUDAUnavailableError no driver / no device / driver too old / no NVRTC
 *   MemoryError
 *     OutOfMemoryError       device memory (or the pool's limit) exhausted
 *   Exception
 *     CompileException       .log, .source, .name, .options; str() is the log
 *
 * The classes carry Python-level behaviour (keyword constructors, __str__,
 * dump), so they are defined by a short Python text run once at init. */
#include "pyga_internal.h"

static const char errors_py[] =
    "class CUDADriverError(RuntimeError):\n"
    "    '''The GPU driver reported an error.\n"
    "\n"
    "    status: the driver's own error code (a CUresult), 0 when the failure\n"
    "    did not come from the driver; driver_error: its name, e.g.\n"
    "    'CUDA_ERROR_INVALID_VALUE', or ''; ga_status: gpuarray's status name.'''\n"
    "    def __init__(self, message, status=0, driver_error='', ga_status=''):\n"
    "        super().__init__(message)\n"
    "        self.status = status\n"
    "        self.driver_error = driver_error\n"
    "        self.ga_status = ga_status\n"
    "\n"
    "class CUDAUnavailableError(CUDADriverError):\n"
    "    '''CUDA cannot be used here; the message says why (no driver library,\n"
    "    no device, a driver too old, NVRTC not found and where it was looked\n"
    "    for).'''\n"
    "\n"
    "class OutOfMemoryError(MemoryError):\n"
    "    '''Device memory is exhausted, after the pool's cached blocks were\n"
    "    released and the allocation retried once, or the pool limit\n"
    "    (MemoryPool.set_limit) was reached.'''\n"
    "\n"
    "class CompileException(Exception):\n"
    "    '''Run-time compilation failed. log: the compiler's full log;\n"
    "    source, name, options: what was compiled. str() is the log.'''\n"
    "    def __init__(self, log, source=None, name=None, options=()):\n"
    "        super().__init__(log)\n"
    "        self.log = log\n"
    "        self.source = source\n"
    "        self.name = name\n"
    "        self.options = tuple(options) if options else ()\n"
    "    def __str__(self):\n"
    "        return str(self.log)\n"
    "    def get_message(self):\n"
    "        return str(self.log)\n"
    "    def dump(self, f):\n"
    "        '''Write the log, options and numbered source to file f.'''\n"
    "        lines = (self.source or '').splitlines()\n"
    "        width = len(str(len(lines)))\n"
    "        f.write('Compilation error:\\n%s\\n-----\\nName: %s\\nOptions: %s\\nSource:\\n'\n"
    "                % (self.log, self.name, ' '.join(self.options)))\n"
    "        for i, line in enumerate(lines, 1):\n"
    "            f.write('%*d %s\\n' % (width, i, line))\n"
    "        f.write('-----\\n')\n"
    "\n"
    "CUDADriverError.__module__ = 'gpuarray.cuda'\n"
    "CUDAUnavailableError.__module__ = 'gpuarray.cuda'\n"
    "OutOfMemoryError.__module__ = 'gpuarray.cuda.memory'\n"
    "CompileException.__module__ = 'gpuarray.cuda.compiler'\n";

static PyObject *decode(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* The class a status maps to, and whether it is a CUDADriverError (which
 * takes the extra constructor arguments). A failure the driver itself
 * reported stays a CUDADriverError even when its status would otherwise
 * be a ValueError: only gpuarray's own argument checks are ValueErrors. */
static PyObject *class_for(ga_status st, int driver_code, int *is_driver)
{
    *is_driver = 0;
    switch (st) {
    case GA_ERROR_OUT_OF_MEMORY:
        return pyga.OutOfMemoryError;
    case GA_ERROR_HOST_OUT_OF_MEMORY:
        return PyExc_MemoryError;
    case GA_ERROR_NO_DRIVER:
    case GA_ERROR_DRIVER_TOO_OLD:
    case GA_ERROR_NO_DEVICE:
    case GA_ERROR_NO_COMPILER:
        *is_driver = 1;
        return pyga.CUDAUnavailableError;
    case GA_ERROR_COMPILE:
        return pyga.CompileException;
    case GA_ERROR_INVALID_VALUE:
    case GA_ERROR_INVALID_DEVICE:
    case GA_ERROR_LAUNCH:
        if (driver_code == 0)
            return PyExc_ValueError;
        break;
    case GA_ERROR_UNSUPPORTED:
        if (driver_code == 0)
            return PyExc_NotImplementedError;
        break;
    case GA_ERROR_IO:
        return PyExc_OSError;
    default:
        break;
    }
    *is_driver = 1;
    return pyga.CUDADriverError;
}

PyObject *pyga_raise(ga_status st)
{
    if (st == GA_OK) {
        PyErr_SetString(PyExc_SystemError, "gpuarray: pyga_raise called with GA_OK");
        return NULL;
    }
    /* Read the thread's detail before any Python code runs. */
    int driver_code = ga_last_driver_error();
    const char *driver_name = ga_last_driver_error_name();
    const char *detail = ga_last_error();
    if (!driver_name)
        driver_name = "";
    if (!detail || !*detail)
        detail = ga_status_name(st);

    /* The driver's error name leads the message, as in CuPy. */
    PyObject *msg = decode(detail);
    if (msg && *driver_name && !strstr(detail, driver_name))
        Py_SETREF(msg, PyUnicode_FromFormat("%s: %U", driver_name, msg));
    if (!msg)
        return NULL;

    int is_driver;
    PyObject *cls = class_for(st, driver_code, &is_driver);
    PyObject *exc;
    if (!cls) {   /* module not initialised: never expected */
        PyErr_SetObject(PyExc_RuntimeError, msg);
        Py_DECREF(msg);
        return NULL;
    }
    if (is_driver) {
        exc = PyObject_CallFunction(cls, "Oiss", msg, driver_code, driver_name, ga_status_name(st));
    } else if (st == GA_ERROR_COMPILE) {
        const char *log = ga_compile_error_log();
        if (log && *log) {
            PyObject *l = decode(log);
            exc = l ? PyObject_CallOneArg(cls, l) : NULL;
            Py_XDECREF(l);
        } else {
            exc = PyObject_CallOneArg(cls, msg);
        }
    } else {
        exc = PyObject_CallOneArg(cls, msg);
    }
    Py_DECREF(msg);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

int pyga_raise_int(ga_status st)
{
    pyga_raise(st);
    return -1;
}

int pyga_init_errors(PyObject *m)
{
    PyObject *globals = PyDict_New();
    if (!globals)
        return -1;
    PyObject *name = PyModule_GetNameObject(m);
    if (!name || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0
        || PyDict_SetItemString(globals, "__name__", name) < 0) {
        Py_XDECREF(name);
        Py_DECREF(globals);
        return -1;
    }
    Py_DECREF(name);
    PyObject *r = PyRun_String(errors_py, Py_file_input, globals, globals);
    if (!r) {
        Py_DECREF(globals);
        return -1;
    }
    Py_DECREF(r);

    struct { const char *name; PyObject **slot; } classes[] = {
        {"CUDADriverError", &pyga.CUDADriverError},
        {"CUDAUnavailableError", &pyga.CUDAUnavailableError},
        {"OutOfMemoryError", &pyga.OutOfMemoryError},
        {"CompileException", &pyga.CompileException},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        PyObject *cls = PyDict_GetItemString(globals, classes[i].name);  /* borrowed */
        if (!cls) {
            PyErr_Format(PyExc_SystemError, "gpuarray: %s was not defined", classes[i].name);
            Py_DECREF(globals);
            return -1;
        }
        *classes[i].slot = Py_NewRef(cls);   /* module state: lives forever */
        if (PyModule_AddObjectRef(m, classes[i].name, cls) < 0) {
            Py_DECREF(globals);
            return -1;
        }
    }
    Py_DECREF(globals);
    return 0;
}
