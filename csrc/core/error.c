/* error.c - status names and the per-thread detail of the last failure. */
#include "ga_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-thread error state. The strings grow on demand (a compiler log can be
 * long) and are freed by a pthread key destructor when the thread exits. */
typedef struct error_state {
    char *detail;
    size_t detail_cap;
    char *compile_log;
    int driver_code;
    char driver_name[64];
} error_state;

static pthread_key_t error_key;
static pthread_once_t error_key_once = PTHREAD_ONCE_INIT;
static _Thread_local error_state *tl_error;

static void error_state_free(void *p)
{
    error_state *st = p;
    if (!st)
        return;
    free(st->detail);
    free(st->compile_log);
    free(st);
}

static void error_key_create(void) { pthread_key_create(&error_key, error_state_free); }

static error_state *error_state_get(void)
{
    if (tl_error)
        return tl_error;
    pthread_once(&error_key_once, error_key_create);
    error_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    pthread_setspecific(error_key, st);
    tl_error = st;
    return st;
}

static void detail_vset(error_state *st, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)n + 1 > st->detail_cap) {
        char *grown = realloc(st->detail, (size_t)n + 1);
        if (!grown)
            return; /* keep the old detail rather than lose the status */
        st->detail = grown;
        st->detail_cap = (size_t)n + 1;
    }
    vsnprintf(st->detail, st->detail_cap, fmt, ap);
}

ga_status ga_error(ga_status status, const char *fmt, ...)
{
    error_state *st = error_state_get();
    if (!st)
        return status;
    va_list ap;
    va_start(ap, fmt);
    detail_vset(st, fmt, ap);
    va_end(ap);
    st->driver_code = 0;
    st->driver_name[0] = '\0';
    return status;
}

ga_status ga_error_driver(ga_status status, int code, const char *code_name, const char *fmt, ...)
{
    error_state *st = error_state_get();
    if (!st)
        return status;
    va_list ap;
    va_start(ap, fmt);
    detail_vset(st, fmt, ap);
    va_end(ap);
    st->driver_code = code;
    snprintf(st->driver_name, sizeof st->driver_name, "%s", code_name ? code_name : "");
    return status;
}

void ga_error_set_compile_log(const char *log)
{
    error_state *st = error_state_get();
    if (!st)
        return;
    free(st->compile_log);
    st->compile_log = log ? strdup(log) : NULL;
}

const char *ga_last_error(void)
{
    error_state *st = error_state_get();
    return st && st->detail ? st->detail : "";
}

int ga_last_driver_error(void)
{
    error_state *st = error_state_get();
    return st ? st->driver_code : 0;
}

const char *ga_last_driver_error_name(void)
{
    error_state *st = error_state_get();
    return st ? st->driver_name : "";
}

const char *ga_compile_error_log(void)
{
    error_state *st = error_state_get();
    return st && st->compile_log ? st->compile_log : "";
}

const char *ga_status_name(ga_status status)
{
    switch (status) {
    case GA_OK: return "GA_OK";
    case GA_ERROR_INVALID_VALUE: return "GA_ERROR_INVALID_VALUE";
    case GA_ERROR_OUT_OF_MEMORY: return "GA_ERROR_OUT_OF_MEMORY";
    case GA_ERROR_HOST_OUT_OF_MEMORY: return "GA_ERROR_HOST_OUT_OF_MEMORY";
    case GA_ERROR_NO_DRIVER: return "GA_ERROR_NO_DRIVER";
    case GA_ERROR_DRIVER_TOO_OLD: return "GA_ERROR_DRIVER_TOO_OLD";
    case GA_ERROR_NO_DEVICE: return "GA_ERROR_NO_DEVICE";
    case GA_ERROR_INVALID_DEVICE: return "GA_ERROR_INVALID_DEVICE";
    case GA_ERROR_NO_COMPILER: return "GA_ERROR_NO_COMPILER";
    case GA_ERROR_COMPILE: return "GA_ERROR_COMPILE";
    case GA_ERROR_NOT_FOUND: return "GA_ERROR_NOT_FOUND";
    case GA_ERROR_NOT_READY: return "GA_ERROR_NOT_READY";
    case GA_ERROR_INVALID_IMAGE: return "GA_ERROR_INVALID_IMAGE";
    case GA_ERROR_LAUNCH: return "GA_ERROR_LAUNCH";
    case GA_ERROR_UNSUPPORTED: return "GA_ERROR_UNSUPPORTED";
    case GA_ERROR_IO: return "GA_ERROR_IO";
    case GA_ERROR_DRIVER: return "GA_ERROR_DRIVER";
    }
    return "GA_ERROR_UNKNOWN";
}
