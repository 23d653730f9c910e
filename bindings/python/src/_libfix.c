/* _libfix: the CPython extension under the libfix package. Thin: it converts arguments, keeps
 * a pool of libfix contexts per Context object, and releases the GIL while the C library runs.
 * The documented API is the pure-Python facade in libfix/__init__.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "libfix.h"

/* Guesses asked of libfix_detect(); more than any caller has needed. */
#define DETECT_MAX 16
/* Mutable buffers up to this size are copied to the stack rather than the heap. */
#define SMALL_COPY 512

static PyObject *LibfixError;

/* ---- status codes -------------------------------------------------------------------- */

static PyObject *raise_status(int rc) {
    switch (rc) {
    case LIBFIX_E_NOMEM: return PyErr_NoMemory();
    case LIBFIX_E_OPTION: PyErr_Format(PyExc_ValueError, "libfix: %s", libfix_strerror(rc)); break;
    case LIBFIX_E_TOO_LARGE: PyErr_Format(PyExc_OverflowError, "libfix: %s", libfix_strerror(rc)); break;
    default: PyErr_Format(LibfixError, "libfix: %s (status %d)", libfix_strerror(rc), rc); break;
    }
    return NULL;
}

/* ---- input: str as UTF-8, bytes as they are, other buffers copied ---------------------- */

/* Where the bytes for one call come from. The GIL is released while C reads `data`, so `data`
 * must not change meanwhile: str and bytes are immutable and the caller holds a reference to
 * them for the whole call; anything else (bytearray, memoryview, array, mmap) could be written
 * by another thread, so it is copied first. */
typedef struct input {
    const char *data;
    Py_ssize_t len;
    PyObject *utf8;          /* temporary UTF-8 of a non-ASCII str, or NULL */
    char *heap;              /* copy of a large mutable buffer, or NULL */
    char small[SMALL_COPY];  /* copy of a small mutable buffer */
} input;

static void input_release(input *in) {
    Py_CLEAR(in->utf8);
    if (in->heap) {
        PyMem_Free(in->heap);
        in->heap = NULL;
    }
}

/* A str with a lone surrogate has no UTF-8 form. Replace the UnicodeEncodeError with a
 * ValueError that names the argument and the index, keeping the original as __cause__. */
static void raise_surrogate(PyObject *arg, const char *func) {
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *cause = PyErr_GetRaisedException();
#else
    PyObject *type, *cause, *tb;
    PyErr_Fetch(&type, &cause, &tb);
    PyErr_NormalizeException(&type, &cause, &tb);
    if (cause && tb) PyException_SetTraceback(cause, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
#endif
    Py_ssize_t start = -1;
    if (!cause || PyUnicodeEncodeError_GetStart(cause, &start) < 0) {
        Py_XDECREF(cause);
        return; /* an exception is set */
    }
    char cp[16]; /* PyUnicode_FromFormat has no %X */
    PyOS_snprintf(cp, sizeof cp, "U+%04X", (unsigned)PyUnicode_ReadChar(arg, start));
    PyObject *msg = PyUnicode_FromFormat(
        "%s() argument 'data' contains a lone surrogate %s at index %zd and cannot be "
        "encoded as UTF-8; pass bytes for raw data",
        func, cp, start);
    PyObject *exc = msg ? PyObject_CallFunctionObjArgs(PyExc_ValueError, msg, NULL) : NULL;
    Py_XDECREF(msg);
    if (!exc) {
        Py_DECREF(cause);
        return;
    }
    PyException_SetCause(exc, cause); /* steals cause; it keeps the codec's details */
    PyErr_SetObject(PyExc_ValueError, exc);
    Py_DECREF(exc);
}

/* Fill in from arg. Returns 0, or -1 with an exception set. */
static int input_get(PyObject *arg, const char *func, int allow_str, input *in) {
    in->utf8 = NULL;
    in->heap = NULL;
    if (PyUnicode_Check(arg)) {
        if (!allow_str) {
            PyErr_Format(PyExc_TypeError,
                         "%s() argument 'data' must be a bytes-like object, not 'str' "
                         "(a str is already decoded; encoding detection needs the raw bytes)",
                         func);
            return -1;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(arg) < 0) return -1; /* legacy strings; a no-op since 3.12 */
#endif
        if (PyUnicode_IS_ASCII(arg)) {
            /* ASCII strings are their own UTF-8: no copy and nothing cached in the str. */
            in->data = PyUnicode_AsUTF8AndSize(arg, &in->len);
            return in->data ? 0 : -1;
        }
        /* A temporary rather than PyUnicode_AsUTF8AndSize(), which would keep a UTF-8 copy
         * attached to the caller's string for its whole life. */
        in->utf8 = PyUnicode_AsUTF8String(arg);
        if (!in->utf8) {
            if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) raise_surrogate(arg, func);
            return -1;
        }
        in->data = PyBytes_AS_STRING(in->utf8);
        in->len = PyBytes_GET_SIZE(in->utf8);
        return 0;
    }
    if (PyBytes_Check(arg)) {
        in->data = PyBytes_AS_STRING(arg);
        in->len = PyBytes_GET_SIZE(arg);
        return 0;
    }
    if (PyObject_CheckBuffer(arg)) {
        Py_buffer view;
        if (PyObject_GetBuffer(arg, &view, PyBUF_FULL_RO) < 0) return -1;
        char *dst = in->small;
        if (view.len > SMALL_COPY) {
            dst = in->heap = PyMem_Malloc((size_t)view.len);
            if (!dst) {
                PyBuffer_Release(&view);
                PyErr_NoMemory();
                return -1;
            }
        }
        /* Also flattens non-contiguous views (memoryview(b)[::2]). */
        if (PyBuffer_ToContiguous(dst, &view, view.len, 'C') < 0) {
            PyBuffer_Release(&view);
            input_release(in);
            return -1;
        }
        in->data = dst;
        in->len = view.len;
        PyBuffer_Release(&view);
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s() argument 'data' must be %s, not '%.200s'", func,
                 allow_str ? "str or a bytes-like object" : "a bytes-like object",
                 Py_TYPE(arg)->tp_name);
    return -1;
}

/* ---- Context: options plus a pool of libfix contexts ----------------------------------- */

/* libfix contexts are not thread-safe, but each is reusable. A Context hands one idle libfix
 * context to each call in flight and takes it back afterwards, creating another only when all
 * are busy; so the pool grows to the peak number of threads using this object at once, and
 * threads never wait for each other. The pool is only touched with the GIL held, which is what
 * makes it safe (the module does not declare free-threading support, so a free-threaded
 * CPython keeps the GIL on while it is imported). */
typedef struct {
    PyObject_HEAD
    libfix_options opt;
    libfix_ctx **idle;
    Py_ssize_t n_idle;
    Py_ssize_t cap_idle;
    int initialised;
} ContextObject;

static libfix_ctx *pool_take(ContextObject *self) {
    if (self->n_idle > 0) return self->idle[--self->n_idle];
    libfix_ctx *ctx;
    int err = LIBFIX_OK;
    /* Creating a context may open codecs and load tables: let other threads run. */
    Py_BEGIN_ALLOW_THREADS
    ctx = libfix_new(&self->opt, &err);
    Py_END_ALLOW_THREADS
    if (!ctx) raise_status(err != LIBFIX_OK ? err : LIBFIX_E_NOMEM);
    return ctx;
}

static void pool_give(ContextObject *self, libfix_ctx *ctx) {
    if (self->n_idle == self->cap_idle) {
        Py_ssize_t cap = self->cap_idle ? 2 * self->cap_idle : 4;
        libfix_ctx **grown = PyMem_Realloc(self->idle, (size_t)cap * sizeof *grown);
        if (!grown) { /* keep the pool as it is; this context is simply not reused */
            libfix_free(ctx);
            return;
        }
        self->idle = grown;
        self->cap_idle = cap;
    }
    self->idle[self->n_idle++] = ctx;
}

static int Context_init(ContextObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"target", "max_depth", "fullwidth", "text_layers", NULL};
    libfix_options opt;
    libfix_options_init(&opt);
    int target = (int)opt.target;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|iipp:Context", kwlist, &target, &opt.max_depth,
                                     &opt.restore_fullwidth, &opt.text_layers))
        return -1;
    opt.target = (libfix_target)target;
    /* Options are fixed for life: contexts in flight on other threads were made with them. */
    if (self->initialised) {
        PyErr_SetString(PyExc_TypeError, "Context is already initialised");
        return -1;
    }
    self->opt = opt;
    /* Make the first context now, so that bad options fail here and not on first use. */
    libfix_ctx *ctx = pool_take(self);
    if (!ctx) return -1;
    pool_give(self, ctx);
    self->initialised = 1;
    return 0;
}

static void Context_dealloc(ContextObject *self) {
    while (self->n_idle > 0) libfix_free(self->idle[--self->n_idle]);
    PyMem_Free(self->idle);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Run libfix_repair on arg with the GIL released. Returns 0 with res filled (the caller
 * clears it) and in still held (the caller releases it), or -1 with an exception set. */
static int run_repair(ContextObject *self, PyObject *arg, const char *func, input *in,
                      libfix_result *res) {
    if (input_get(arg, func, 1, in) < 0) return -1;
    libfix_ctx *ctx = pool_take(self);
    if (!ctx) {
        input_release(in);
        return -1;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = libfix_repair(ctx, in->data, (size_t)in->len, res);
    Py_END_ALLOW_THREADS
    pool_give(self, ctx);
    if (rc != LIBFIX_OK) {
        input_release(in);
        raise_status(rc);
        return -1;
    }
    return 0;
}

/* The repaired text as a str. Unchanged str input is returned as the same object: libfix
 * guarantees clean text comes back byte for byte, so there is nothing to decode. */
static PyObject *result_text(PyObject *arg, const input *in, const libfix_result *res) {
    if (PyUnicode_CheckExact(arg) && !(res->flags & LIBFIX_CHANGED) && (Py_ssize_t)res->len == in->len) {
        Py_INCREF(arg);
        return arg;
    }
    PyObject *text = PyUnicode_DecodeUTF8(res->text, (Py_ssize_t)res->len, "strict");
    if (!text && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        PyErr_SetString(LibfixError, "libfix returned invalid UTF-8 (a bug in libfix)");
    }
    return text;
}

static PyObject *Context_repair(ContextObject *self, PyObject *arg) {
    input in;
    libfix_result res;
    if (run_repair(self, arg, "repair", &in, &res) < 0) return NULL;
    PyObject *text = result_text(arg, &in, &res);
    input_release(&in);
    libfix_result_clear(&res);
    return text;
}

static PyObject *Context_explain(ContextObject *self, PyObject *arg) {
    input in;
    libfix_result res;
    if (run_repair(self, arg, "explain", &in, &res) < 0) return NULL;
    PyObject *out = NULL;
    PyObject *text = result_text(arg, &in, &res);
    PyObject *steps = text ? PyTuple_New((Py_ssize_t)res.n_steps) : NULL;
    if (steps) {
        for (size_t i = 0; i < res.n_steps; i++) {
            PyObject *name = PyUnicode_FromString(res.steps[i]);
            if (!name) goto done;
            PyTuple_SET_ITEM(steps, (Py_ssize_t)i, name);
        }
        out = Py_BuildValue("(OOdI)", text, steps, res.confidence, res.flags);
    }
done:
    Py_XDECREF(text);
    Py_XDECREF(steps);
    input_release(&in);
    libfix_result_clear(&res);
    return out;
}

static PyObject *Context_detect(ContextObject *self, PyObject *arg) {
    input in;
    if (input_get(arg, "detect", 0, &in) < 0) return NULL;
    libfix_ctx *ctx = pool_take(self);
    if (!ctx) {
        input_release(&in);
        return NULL;
    }
    libfix_guess guesses[DETECT_MAX];
    size_t n = 0;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = libfix_detect(ctx, in.data, (size_t)in.len, guesses, DETECT_MAX, &n);
    Py_END_ALLOW_THREADS
    pool_give(self, ctx);
    input_release(&in);
    if (rc != LIBFIX_OK) return raise_status(rc);
    if (n > DETECT_MAX) n = DETECT_MAX;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *enc = guesses[i].encoding;
        size_t k = strnlen(enc, sizeof guesses[i].encoding);
        PyObject *item = Py_BuildValue("(N d)", PyUnicode_DecodeLatin1(enc, (Py_ssize_t)k, NULL),
                                       guesses[i].confidence);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyMethodDef Context_methods[] = {
    {"repair", (PyCFunction)Context_repair, METH_O,
     "repair($self, data, /)\n--\n\nRepaired text of a str or bytes-like object."},
    {"explain", (PyCFunction)Context_explain, METH_O,
     "explain($self, data, /)\n--\n\nRepair with its details: (text, steps, confidence, flags)."},
    {"detect", (PyCFunction)Context_detect, METH_O,
     "detect($self, data, /)\n--\n\nRanked encoding guesses: [(encoding, confidence), ...]."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ContextType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "libfix._libfix.Context",
    .tp_basicsize = sizeof(ContextObject),
    .tp_dealloc = (destructor)Context_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context(target=0, max_depth=3, fullwidth=False, text_layers=True)\n--\n\n"
              "libfix options and a pool of libfix contexts; safe to share between threads.\n"
              "Use libfix.Repairer, which validates and documents the options.",
    .tp_methods = Context_methods,
    .tp_init = (initproc)Context_init,
    .tp_new = PyType_GenericNew,
};

/* ---- module ---------------------------------------------------------------------------- */

static PyObject *mod_version(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return PyUnicode_FromString(libfix_version());
}

static PyMethodDef module_methods[] = {
    {"version", mod_version, METH_NOARGS,
     "version($module, /)\n--\n\nVersion of the linked libfix C library."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef libfix_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "libfix._libfix",
    .m_doc = "C extension under the libfix package; use the libfix module instead.",
    .m_size = -1,
    .m_methods = module_methods,
};

#if defined(__GNUC__) && PY_VERSION_HEX < 0x03090000
/* Before 3.9 PyMODINIT_FUNC does not set visibility; the module is built -fvisibility=hidden. */
__attribute__((visibility("default")))
#endif
PyMODINIT_FUNC PyInit__libfix(void) {
    if (PyType_Ready(&ContextType) < 0) return NULL;
    PyObject *m = PyModule_Create(&libfix_module);
    if (!m) return NULL;
    LibfixError = PyErr_NewExceptionWithDoc(
        "libfix.LibfixError",
        "An error reported by the libfix C library that has no closer Python exception.",
        PyExc_RuntimeError, NULL);
    if (!LibfixError) goto fail;
    Py_INCREF(LibfixError);
    if (PyModule_AddObject(m, "Error", LibfixError) < 0) {
        Py_DECREF(LibfixError);
        goto fail;
    }
    Py_INCREF(&ContextType);
    if (PyModule_AddObject(m, "Context", (PyObject *)&ContextType) < 0) {
        Py_DECREF(&ContextType);
        goto fail;
    }
    if (PyModule_AddIntConstant(m, "CHANGED", LIBFIX_CHANGED) < 0 ||
        PyModule_AddIntConstant(m, "LOSSY", LIBFIX_LOSSY) < 0 ||
        PyModule_AddIntConstant(m, "UNRECOVERABLE", LIBFIX_UNRECOVERABLE) < 0 ||
        PyModule_AddIntConstant(m, "LIMITED", LIBFIX_LIMITED) < 0 ||
        PyModule_AddIntConstant(m, "TARGET_HANS", LIBFIX_TARGET_HANS) < 0 ||
        PyModule_AddIntConstant(m, "TARGET_KEEP", LIBFIX_TARGET_KEEP) < 0 ||
        PyModule_AddStringConstant(m, "HEADER_VERSION", LIBFIX_VERSION_STRING) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
