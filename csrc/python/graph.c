/* graph.c - gpuarray.cuda.Graph and Stream's capture methods (CuPy's
 * names): Stream.begin_capture(mode=None), Stream.end_capture() -> Graph,
 * Stream.is_capturing(), Graph.launch(stream=None), Graph.upload(stream=None).
 *
 * A replay reads and writes the addresses the capture saw, so a Graph
 * holds every argument tuple of the kernels launched during the capture
 * (the arrays in it stay alive while the graph does). Memory freed or
 * allocated during the capture is kept by the core (csrc/core/graph.c). */
#include "pyga_internal.h"

typedef struct pyga_Graph {
    PyObject_HEAD
    ga_graph *graph;
    PyObject *keep;                /* what the captured work uses (a list) */
} pyga_Graph;

static PyTypeObject *Graph_Type;

static pyga_Stream *own_stream(PyObject *self, const char *what)
{
    pyga_Stream *s = (pyga_Stream *)self;
    if (!s->stream) {
        PyErr_Format(PyExc_RuntimeError, "Stream.%s: the null stream cannot capture (capture on "
                     "a Stream() of your own)", what);
        return NULL;
    }
    return s;
}

PyObject *pyga_stream_begin_capture(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"mode", NULL};
    PyObject *mode_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:begin_capture", kwlist, &mode_o))
        return NULL;
    pyga_Stream *s = own_stream(self, "begin_capture");
    if (!s)
        return NULL;
    /* CuPy's default: relaxed, so that compiling or loading a kernel for
     * the first time inside the capture is allowed. */
    long mode = GA_CAPTURE_RELAXED;
    if (mode_o != Py_None) {
        mode = PyLong_AsLong(mode_o);
        if (mode == -1 && PyErr_Occurred())
            return NULL;
    }
    PyObject *keep = PyList_New(0);
    if (!keep)
        return NULL;
    ga_status st = ga_stream_begin_capture(s->stream, (ga_capture_mode)mode);
    if (st != GA_OK) {
        Py_DECREF(keep);
        return pyga_raise(st);
    }
    Py_XSETREF(s->capture_keep, keep);
    Py_RETURN_NONE;
}

PyObject *pyga_stream_end_capture(PyObject *self, PyObject *unused)
{
    (void)unused;
    pyga_Stream *s = own_stream(self, "end_capture");
    if (!s)
        return NULL;
    pyga_Graph *g = (pyga_Graph *)Graph_Type->tp_alloc(Graph_Type, 0);
    if (!g)
        return NULL;
    ga_status st = ga_stream_end_capture(s->stream, &g->graph);
    g->keep = s->capture_keep ? s->capture_keep : PyList_New(0);
    s->capture_keep = NULL;
    if (st != GA_OK) {
        Py_DECREF(g);
        return pyga_raise(st);
    }
    if (!g->keep) {
        Py_DECREF(g);
        return NULL;
    }
    return (PyObject *)g;
}

PyObject *pyga_stream_is_capturing(PyObject *self, PyObject *unused)
{
    (void)unused;
    int capturing = 0;
    ga_status st = ga_stream_is_capturing(((pyga_Stream *)self)->stream, &capturing);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyBool_FromLong(capturing);
}

void pyga_capture_keep_args(PyObject *stream_obj, PyObject *args)
{
    PyObject *keep = ((pyga_Stream *)stream_obj)->capture_keep;
    if (keep && PyList_Append(keep, args) < 0)
        PyErr_Clear();      /* out of memory: the launch itself was recorded */
}

static PyObject *graph_run(PyObject *self, PyObject *args, PyObject *kwds, int upload)
{
    static char *kwlist[] = {"stream", NULL};
    PyObject *stream_o = Py_None, *stream_obj;
    ga_stream *stream;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, upload ? "|O:upload" : "|O:launch", kwlist,
                                     &stream_o))
        return NULL;
    if (pyga_stream_arg(stream_o, &stream, &stream_obj) < 0)
        return NULL;
    pyga_Graph *g = (pyga_Graph *)self;
    ga_status st = upload ? ga_graph_upload(g->graph, stream) : ga_graph_launch(g->graph, stream);
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Graph_launch(PyObject *self, PyObject *args, PyObject *kwds)
{
    return graph_run(self, args, kwds, 0);
}

static PyObject *Graph_upload(PyObject *self, PyObject *args, PyObject *kwds)
{
    return graph_run(self, args, kwds, 1);
}

static int Graph_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((pyga_Graph *)self)->keep);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int Graph_clear(PyObject *self)
{
    Py_CLEAR(((pyga_Graph *)self)->keep);
    return 0;
}

/* The graph goes first: replays in flight complete before the memory it
 * kept is given back, and only then are the arrays released. */
static void Graph_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyga_Graph *g = (pyga_Graph *)self;
    PyObject_GC_UnTrack(self);
    if (g->graph) {
        ga_graph_destroy(g->graph);
        g->graph = NULL;
    }
    Graph_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef Graph_methods[] = {
    {"launch", (PyCFunction)(void (*)(void))Graph_launch, METH_VARARGS | METH_KEYWORDS,
     "launch(stream=None)\n--\n\nReplay the captured work on `stream` (the current stream by\n"
     "default), asynchronously."},
    {"upload", (PyCFunction)(void (*)(void))Graph_upload, METH_VARARGS | METH_KEYWORDS,
     "upload(stream=None)\n--\n\nPrepare the graph on the device ahead of its first launch."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Graph_slots[] = {
    {Py_tp_doc, "A captured graph (Stream.end_capture() makes one): launch() replays the work\n"
                "queued on the stream between begin_capture() and end_capture()."},
    {Py_tp_dealloc, Graph_dealloc},
    {Py_tp_traverse, Graph_traverse},
    {Py_tp_clear, Graph_clear},
    {Py_tp_methods, Graph_methods},
    {0, NULL}
};

static PyType_Spec Graph_spec = {
    .name = "gpuarray.cuda.Graph",
    .basicsize = sizeof(pyga_Graph),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Graph_slots,
};

int pyga_init_graph(PyObject *m)
{
    Graph_Type = (PyTypeObject *)PyType_FromSpec(&Graph_spec);
    if (!Graph_Type)
        return -1;
    return PyModule_AddObjectRef(m, "Graph", (PyObject *)Graph_Type);
}
