/* stream.c - gpuarray.cuda.Stream, Event, get_current_stream and
 * get_elapsed_time, and the calling thread's current stream.
 *
 * The current stream is per thread. Its owner is a small StreamState
 * object in the thread's state dict (the current stream and the stack of
 * streams that `with` blocks replaced); a C thread-local caches the
 * current Stream object and its ga_stream* so that pyga_current_stream,
 * read by every launch and allocation, is a thread-local load. When the
 * thread state goes away its dict is cleared on that same OS thread, and
 * StreamState's dealloc clears the cache there, so it never dangles. */
#include "pyga_internal.h"

#include <structmember.h>

typedef struct StreamState {
    PyObject_HEAD
    PyObject *current;     /* the current Stream, or NULL = the null stream */
    PyObject *stack;       /* list: what each open `with` replaced (None = null) */
} StreamState;

static PyTypeObject *StreamState_Type;

static _Thread_local StreamState *tls_state;    /* borrowed from the thread dict */
static _Thread_local PyObject *tls_stream_obj;  /* tls_state->current */
static _Thread_local ga_stream *tls_stream;     /* its ga_stream (NULL = null stream) */

#define STREAM(o) ((pyga_Stream *)(o))
#define EVENT(o) ((pyga_Event *)(o))

/* --------------------------------------------------------- current stream */

PyObject *pyga_current_stream(ga_stream **stream)
{
    PyObject *o = tls_stream_obj;
    if (o) {
        *stream = tls_stream;
        return o;
    }
    *stream = NULL;
    return pyga.null_stream;
}

static StreamState *stream_state(void)
{
    if (tls_state)
        return tls_state;
    PyObject *tdict = PyThreadState_GetDict();
    if (!tdict) {
        PyErr_SetString(PyExc_RuntimeError, "gpuarray: no thread state dict");
        return NULL;
    }
    StreamState *st = PyObject_GC_New(StreamState, StreamState_Type);
    if (!st)
        return NULL;
    st->current = NULL;
    st->stack = PyList_New(0);
    PyObject_GC_Track(st);
    if (!st->stack || PyDict_SetItemString(tdict, "gpuarray.stream_state", (PyObject *)st) < 0) {
        Py_DECREF(st);
        return NULL;
    }
    Py_DECREF(st);   /* the thread dict owns it */
    tls_state = st;
    return st;
}

/* Make `s` (a Stream, or NULL / None for the null stream) current. */
static void set_current(StreamState *state, PyObject *s)
{
    if (s == Py_None || s == pyga.null_stream)
        s = NULL;
    PyObject *old = state->current;
    state->current = Py_XNewRef(s);
    if (state == tls_state) {
        tls_stream_obj = s;
        tls_stream = s ? STREAM(s)->stream : NULL;
    }
    Py_XDECREF(old);   /* last, in case it was the last reference */
}

static int StreamState_traverse(PyObject *self, visitproc visit, void *arg)
{
    StreamState *st = (StreamState *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(st->current);
    Py_VISIT(st->stack);
    return 0;
}

static int StreamState_clear(PyObject *self)
{
    StreamState *st = (StreamState *)self;
    if (tls_state == st) {
        tls_state = NULL;
        tls_stream_obj = NULL;
        tls_stream = NULL;
    }
    Py_CLEAR(st->current);
    Py_CLEAR(st->stack);
    return 0;
}

static void StreamState_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    StreamState_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyType_Slot StreamState_slots[] = {
    {Py_tp_doc, "The calling thread's current stream and `with` stack (internal)."},
    {Py_tp_dealloc, StreamState_dealloc},
    {Py_tp_traverse, StreamState_traverse},
    {Py_tp_clear, StreamState_clear},
    {0, NULL}
};

static PyType_Spec StreamState_spec = {
    .name = "gpuarray._core._StreamState",
    .basicsize = sizeof(StreamState),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = StreamState_slots,
};

int pyga_stream_arg(PyObject *arg, ga_stream **stream, PyObject **stream_obj)
{
    if (!arg || arg == Py_None) {
        PyObject *o = pyga_current_stream(stream);
        if (stream_obj)
            *stream_obj = o;
        return 0;
    }
    if (!PyObject_TypeCheck(arg, pyga.Stream)) {
        PyErr_Format(PyExc_TypeError, "stream must be a gpuarray.cuda.Stream or None, not %.200s",
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    *stream = STREAM(arg)->stream;
    if (stream_obj)
        *stream_obj = arg;
    return 0;
}

ga_device *pyga_stream_device(PyObject *stream_obj)
{
    ga_device *dev = STREAM(stream_obj)->device;
    return dev ? dev : pyga_current_device();
}

/* ------------------------------------------------------------ Stream type */

static PyObject *Stream_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"null", "non_blocking", "ptds", NULL};
    int null = 0, non_blocking = 0, ptds = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|ppp:Stream", kwlist, &null, &non_blocking, &ptds))
        return NULL;
    if (ptds) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "per-thread default streams (ptds=True) are not supported");
        return NULL;
    }
    if (null) {
        if (type == pyga.Stream && pyga.null_stream)
            return Py_NewRef(pyga.null_stream);
        pyga_Stream *self = (pyga_Stream *)type->tp_alloc(type, 0);
        return (PyObject *)self;   /* stream, device NULL: the null stream */
    }
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_stream *s;
    ga_status st = ga_stream_create(dev, non_blocking ? GA_STREAM_NON_BLOCKING : GA_STREAM_DEFAULT, &s);
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_Stream *self = (pyga_Stream *)type->tp_alloc(type, 0);
    if (!self) {
        ga_stream_destroy(s);
        return NULL;
    }
    self->stream = s;
    self->device = dev;
    self->non_blocking = non_blocking;
    return (PyObject *)self;
}

/* Stream._external(ptr, device_id=-1): a `cls` object wrapping the CUDA
 * stream handle `ptr` that another library made (CuPy's ExternalStream).
 * gpuarray never destroys the handle; 0 is the null stream. */
static PyObject *Stream_external(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"ptr", "device_id", NULL};
    PyObject *ptr_obj;
    int device_id = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i:ExternalStream", kwlist, &ptr_obj, &device_id))
        return NULL;
    void *native = PyLong_AsVoidPtr(ptr_obj);
    if (!native && PyErr_Occurred())
        return NULL;
    PyTypeObject *type = (PyTypeObject *)cls;
    if (!native) {
        if (type == pyga.Stream)
            return Py_NewRef(pyga.null_stream);
        return type->tp_alloc(type, 0);     /* stream, device NULL: the null stream */
    }
    ga_device *dev;
    if (device_id < 0) {
        dev = pyga_current_device();
        if (!dev)
            return NULL;
    } else {
        ga_status st = ga_device_get(device_id, &dev);
        if (st != GA_OK)
            return pyga_raise(st);
    }
    ga_stream *s;
    ga_status st = ga_stream_wrap(dev, native, &s);
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_Stream *self = (pyga_Stream *)type->tp_alloc(type, 0);
    if (!self) {
        ga_stream_destroy(s);
        return NULL;
    }
    self->stream = s;
    self->device = dev;
    self->non_blocking = 0;   /* unknown: the creator chose */
    return (PyObject *)self;
}

/* A capturing stream's keep list holds the captured launches' arguments,
 * which may hold the stream itself (an array allocated on it during the
 * capture): the collector must see that cycle, or a stream dropped while
 * capturing never ends its capture and the device refuses to synchronize. */
static int Stream_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(STREAM(self)->capture_keep);
    return 0;
}

static int Stream_clear(PyObject *self)
{
    Py_CLEAR(STREAM(self)->capture_keep);
    return 0;
}

static void Stream_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyga_Stream *s = STREAM(self);
    PyObject_GC_UnTrack(self);
    if (s->weakreflist)
        PyObject_ClearWeakRefs(self);
    if (s->stream)
        ga_stream_destroy(s->stream);   /* pending work completes (see gpuarray.h) */
    Py_CLEAR(s->capture_keep);          /* destroyed while capturing: the capture ended */
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *Stream_synchronize(PyObject *self, PyObject *unused)
{
    (void)unused;
    ga_device *dev = pyga_stream_device(self);
    if (!dev)
        return NULL;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_stream_synchronize(dev, STREAM(self)->stream);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Stream_get_done(PyObject *self, void *c)
{
    (void)c;
    ga_device *dev = pyga_stream_device(self);
    if (!dev)
        return NULL;
    int done = 0;
    ga_status st = ga_stream_query(dev, STREAM(self)->stream, &done);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyBool_FromLong(done);
}

static PyObject *event_create(PyTypeObject *type, int block, int disable_timing);

static PyObject *Stream_record(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"event", NULL};
    PyObject *event = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:record", kwlist, &event))
        return NULL;
    if (event == Py_None) {
        event = event_create(pyga.Event, 0, 0);
        if (!event)
            return NULL;
    } else if (PyObject_TypeCheck(event, pyga.Event)) {
        Py_INCREF(event);
    } else {
        PyErr_Format(PyExc_TypeError, "event must be a gpuarray.cuda.Event or None, not %.200s",
                     Py_TYPE(event)->tp_name);
        return NULL;
    }
    ga_status st = ga_event_record(EVENT(event)->event, STREAM(self)->stream);
    if (st != GA_OK) {
        Py_DECREF(event);
        return pyga_raise(st);
    }
    return event;
}

static PyObject *Stream_wait_event(PyObject *self, PyObject *event)
{
    if (!PyObject_TypeCheck(event, pyga.Event)) {
        PyErr_Format(PyExc_TypeError, "event must be a gpuarray.cuda.Event, not %.200s",
                     Py_TYPE(event)->tp_name);
        return NULL;
    }
    ga_device *dev = pyga_stream_device(self);
    if (!dev)
        return NULL;
    ga_status st = ga_stream_wait_event(dev, STREAM(self)->stream, EVENT(event)->event);
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Stream_use(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamState *state = stream_state();
    if (!state)
        return NULL;
    set_current(state, self);
    return Py_NewRef(self);
}

static PyObject *Stream_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    StreamState *state = stream_state();
    if (!state)
        return NULL;
    if (PyList_Append(state->stack, state->current ? state->current : Py_None) < 0)
        return NULL;
    set_current(state, self);
    return Py_NewRef(self);
}

static PyObject *Stream_exit(PyObject *self, PyObject *args)
{
    (void)self, (void)args;
    StreamState *state = stream_state();
    if (!state)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(state->stack);
    if (n == 0) {
        PyErr_SetString(PyExc_RuntimeError, "Stream.__exit__ without a matching __enter__");
        return NULL;
    }
    PyObject *prev = Py_NewRef(PyList_GET_ITEM(state->stack, n - 1));
    if (PyList_SetSlice(state->stack, n - 1, n, NULL) < 0) {
        Py_DECREF(prev);
        return NULL;
    }
    set_current(state, prev);
    Py_DECREF(prev);
    Py_RETURN_FALSE;
}

static PyObject *Stream_get_ptr(PyObject *self, void *c)
{
    (void)c;
    pyga_Stream *s = STREAM(self);
    return PyLong_FromVoidPtr(s->stream ? ga_stream_native(s->stream) : NULL);
}

static PyObject *Stream_get_device_id(PyObject *self, void *c)
{
    (void)c;
    pyga_Stream *s = STREAM(self);
    return PyLong_FromLong(s->device ? ga_device_ordinal(s->device) : pyga_current_device_id());
}

static PyObject *Stream_get_non_blocking(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(STREAM(self)->non_blocking);
}

static PyObject *Stream_repr(PyObject *self)
{
    pyga_Stream *s = STREAM(self);
    if (!s->stream)
        return PyUnicode_FromString("<Stream 0 (null stream)>");
    return PyUnicode_FromFormat("<Stream %p (device %d)>", ga_stream_native(s->stream),
                                ga_device_ordinal(s->device));
}

static Py_hash_t Stream_hash(PyObject *self)
{
    Py_hash_t h = (Py_hash_t)((uintptr_t)ga_stream_native(STREAM(self)->stream) >> 4);
    return h == -1 ? -2 : h;
}

/* Two Stream objects are equal when they are the same stream (the same
 * native handle, so an ExternalStream equals the Stream it wraps): every
 * null stream object equals Stream.null. */
static PyObject *Stream_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!PyObject_TypeCheck(b, pyga.Stream) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    int eq = ga_stream_native(STREAM(a)->stream) == ga_stream_native(STREAM(b)->stream);
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyMethodDef Stream_methods[] = {
    {"synchronize", Stream_synchronize, METH_NOARGS,
     "synchronize()\n--\n\nWait until all work queued on the stream is done (GIL released)."},
    {"record", (PyCFunction)(void (*)(void))Stream_record, METH_VARARGS | METH_KEYWORDS,
     "record(event=None)\n--\n\nRecord `event` (a new Event if None) on the stream; returns it."},
    {"wait_event", Stream_wait_event, METH_O,
     "wait_event(event)\n--\n\nMake later work on the stream wait for `event`."},
    {"_external", (PyCFunction)(void (*)(void))Stream_external, METH_CLASS | METH_VARARGS | METH_KEYWORDS,
     "_external(ptr, device_id=-1)\n--\n\nWrap a CUDA stream handle another library made\n"
     "(gpuarray never destroys it); see gpuarray.cuda.ExternalStream."},
    {"begin_capture", (PyCFunction)(void (*)(void))pyga_stream_begin_capture,
     METH_VARARGS | METH_KEYWORDS,
     "begin_capture(mode=None)\n--\n\nRecord the work queued on this stream from now on instead of\n"
     "running it (mode: cudaStreamCaptureMode, relaxed by default); end_capture() returns it\n"
     "as a Graph."},
    {"end_capture", pyga_stream_end_capture, METH_NOARGS,
     "end_capture()\n--\n\nEnd the capture: a gpuarray.cuda.Graph of the recorded work."},
    {"is_capturing", pyga_stream_is_capturing, METH_NOARGS,
     "is_capturing()\n--\n\nTrue between begin_capture() and end_capture()."},
    {"use", Stream_use, METH_NOARGS,
     "use()\n--\n\nMake this the calling thread's current stream; returns self."},
    {"__enter__", Stream_enter, METH_NOARGS, NULL},
    {"__exit__", Stream_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Stream_getset[] = {
    {"ptr", Stream_get_ptr, NULL, "The CUstream handle as an int (0 for the null stream).", NULL},
    {"done", Stream_get_done, NULL, "True if all work queued on the stream is done.", NULL},
    {"device_id", Stream_get_device_id, NULL, "Ordinal of the stream's device.", NULL},
    {"non_blocking", Stream_get_non_blocking, NULL,
     "True if the stream does not synchronise with the null stream.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef Stream_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(pyga_Stream, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot Stream_slots[] = {
    {Py_tp_doc, "Stream(null=False, non_blocking=False)\n--\n\n"
                "A CUDA stream on the current device. `with stream:` makes it the\n"
                "calling thread's current stream and restores the previous one on exit.\n"
                "Stream.null is the legacy default stream."},
    {Py_tp_new, Stream_new},
    {Py_tp_dealloc, Stream_dealloc},
    {Py_tp_traverse, Stream_traverse},
    {Py_tp_clear, Stream_clear},
    {Py_tp_repr, Stream_repr},
    {Py_tp_hash, Stream_hash},
    {Py_tp_richcompare, Stream_richcompare},
    {Py_tp_methods, Stream_methods},
    {Py_tp_getset, Stream_getset},
    {Py_tp_members, Stream_members},
    {0, NULL}
};

static PyType_Spec Stream_spec = {
    .name = "gpuarray.cuda.Stream",
    .basicsize = sizeof(pyga_Stream),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Stream_slots,
};

/* ------------------------------------------------------------- Event type */

static PyObject *event_create(PyTypeObject *type, int block, int disable_timing)
{
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    unsigned flags = (block ? GA_EVENT_BLOCKING_SYNC : 0) | (disable_timing ? GA_EVENT_DISABLE_TIMING : 0);
    ga_event *ev;
    ga_status st = ga_event_create(dev, flags, &ev);
    if (st != GA_OK)
        return pyga_raise(st);
    pyga_Event *self = (pyga_Event *)type->tp_alloc(type, 0);
    if (!self) {
        ga_event_destroy(ev);
        return NULL;
    }
    self->event = ev;
    self->block = block;
    self->disable_timing = disable_timing;
    return (PyObject *)self;
}

static PyObject *Event_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"block", "disable_timing", "interprocess", NULL};
    int block = 0, disable_timing = 0, interprocess = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|ppp:Event", kwlist, &block, &disable_timing,
                                     &interprocess))
        return NULL;
    if (interprocess) {
        PyErr_SetString(PyExc_NotImplementedError, "interprocess events are not supported");
        return NULL;
    }
    return event_create(type, block, disable_timing);
}

static void Event_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (EVENT(self)->event)
        ga_event_destroy(EVENT(self)->event);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *Event_record(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"stream", NULL};
    PyObject *stream_arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:record", kwlist, &stream_arg))
        return NULL;
    ga_stream *stream;
    if (pyga_stream_arg(stream_arg, &stream, NULL) < 0)
        return NULL;
    ga_status st = ga_event_record(EVENT(self)->event, stream);
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Event_synchronize(PyObject *self, PyObject *unused)
{
    (void)unused;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_event_synchronize(EVENT(self)->event);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    Py_RETURN_NONE;
}

static PyObject *Event_get_done(PyObject *self, void *c)
{
    (void)c;
    int done = 0;
    ga_status st = ga_event_query(EVENT(self)->event, &done);
    if (st != GA_OK)
        return pyga_raise(st);
    return PyBool_FromLong(done);
}

static PyObject *Event_get_ptr(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromVoidPtr(ga_event_native(EVENT(self)->event));
}

static PyObject *Event_get_block(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(EVENT(self)->block);
}

static PyObject *Event_get_disable_timing(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(EVENT(self)->disable_timing);
}

static PyObject *Event_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<Event %p>", ga_event_native(EVENT(self)->event));
}

static PyMethodDef Event_methods[] = {
    {"record", (PyCFunction)(void (*)(void))Event_record, METH_VARARGS | METH_KEYWORDS,
     "record(stream=None)\n--\n\nRecord the event on `stream` (None: the current stream)."},
    {"synchronize", Event_synchronize, METH_NOARGS,
     "synchronize()\n--\n\nWait until the recorded work is done (GIL released)."},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Event_getset[] = {
    {"done", Event_get_done, NULL, "True if the recorded work is done (or never recorded).", NULL},
    {"ptr", Event_get_ptr, NULL, "The CUevent handle as an int.", NULL},
    {"block", Event_get_block, NULL, "True if synchronize() blocks rather than spins.", NULL},
    {"disable_timing", Event_get_disable_timing, NULL, "True if the event records no time.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Event_slots[] = {
    {Py_tp_doc, "Event(block=False, disable_timing=False, interprocess=False)\n--\n\n"
                "A CUDA event on the current device."},
    {Py_tp_new, Event_new},
    {Py_tp_dealloc, Event_dealloc},
    {Py_tp_repr, Event_repr},
    {Py_tp_methods, Event_methods},
    {Py_tp_getset, Event_getset},
    {0, NULL}
};

static PyType_Spec Event_spec = {
    .name = "gpuarray.cuda.Event",
    .basicsize = sizeof(pyga_Event),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = Event_slots,
};

/* ------------------------------------------------------ module functions */

static PyObject *get_current_stream(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"device_id"};
    PyObject *v[1];
    if (pyga_parse_args("get_current_stream", args, nargs, kwnames, names, 1, 1, 0, v) < 0)
        return NULL;
    ga_stream *s;
    return Py_NewRef(pyga_current_stream(&s));
}

static int check_timing_event(PyObject *ev, const char *which)
{
    if (!PyObject_TypeCheck(ev, pyga.Event)) {
        PyErr_Format(PyExc_TypeError, "get_elapsed_time: %s_event must be a gpuarray.cuda.Event, not %.200s",
                     which, Py_TYPE(ev)->tp_name);
        return -1;
    }
    if (EVENT(ev)->disable_timing) {
        PyErr_Format(PyExc_ValueError,
                     "get_elapsed_time: the %s event was created with disable_timing=True "
                     "and holds no time", which);
        return -1;
    }
    if (!ga_event_was_recorded(EVENT(ev)->event)) {
        PyErr_Format(PyExc_ValueError,
                     "get_elapsed_time: the %s event has not been recorded (call record() first)",
                     which);
        return -1;
    }
    return 0;
}

/* Milliseconds between two recorded events. Waits for the end event first
 * (GIL released), so that the answer is never "not ready". */
static PyObject *get_elapsed_time(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"start_event", "end_event"};
    PyObject *v[2];
    if (pyga_parse_args("get_elapsed_time", args, nargs, kwnames, names, 2, 2, 2, v) < 0)
        return NULL;
    if (check_timing_event(v[0], "start") < 0 || check_timing_event(v[1], "end") < 0)
        return NULL;
    ga_event *start = EVENT(v[0])->event, *end = EVENT(v[1])->event;
    ga_status st;
    float ms = 0;
    Py_BEGIN_ALLOW_THREADS
    st = ga_event_synchronize(end);
    if (st == GA_OK)
        st = ga_event_synchronize(start);
    if (st == GA_OK)
        st = ga_event_elapsed_time(start, end, &ms);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return PyFloat_FromDouble(ms);
}

static PyMethodDef stream_functions[] = {
    {"get_current_stream", (PyCFunction)(void (*)(void))get_current_stream,
     METH_FASTCALL | METH_KEYWORDS,
     "get_current_stream(device_id=None)\n--\n\nThe calling thread's current Stream."},
    {"get_elapsed_time", (PyCFunction)(void (*)(void))get_elapsed_time,
     METH_FASTCALL | METH_KEYWORDS,
     "get_elapsed_time(start_event, end_event)\n--\n\n"
     "Milliseconds between two recorded, timing-enabled events (waits for them)."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_stream(PyObject *m)
{
    StreamState_Type = (PyTypeObject *)PyType_FromSpec(&StreamState_spec);
    if (!StreamState_Type)
        return -1;
    pyga.Stream = (PyTypeObject *)PyType_FromSpec(&Stream_spec);
    if (!pyga.Stream)
        return -1;
    pyga.Event = (PyTypeObject *)PyType_FromSpec(&Event_spec);
    if (!pyga.Event)
        return -1;
    /* The null stream: no ga_stream, no device (it is every device's). */
    pyga.null_stream = pyga.Stream->tp_alloc(pyga.Stream, 0);
    if (!pyga.null_stream)
        return -1;
    if (PyObject_SetAttrString((PyObject *)pyga.Stream, "null", pyga.null_stream) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "Stream", (PyObject *)pyga.Stream) < 0
        || PyModule_AddObjectRef(m, "Event", (PyObject *)pyga.Event) < 0)
        return -1;
    return PyModule_AddFunctions(m, stream_functions);
}
