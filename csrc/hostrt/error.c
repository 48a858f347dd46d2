/* error.c - the runtime's thread-local detail of the last failure. */
/* The buffer is malloc'd: this library's TLS is initial-exec, so all of it
 * comes out of the few hundred bytes of static TLS that glibc keeps for
 * dlopened libraries; only an 8-byte pointer lives there. */
#include "hostrt_private.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ERROR_SIZE 512

static __thread char *last_error;
static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;

static void error_key_init(void) { pthread_key_create(&error_key, free); }

static char *buffer(void)
{
    if (!last_error) {
        pthread_once(&error_once, error_key_init);
        last_error = calloc(1, ERROR_SIZE);
        if (last_error)
            pthread_setspecific(error_key, last_error);
    }
    return last_error;
}

int hostrt_error(int status, const char *fmt, ...)
{
    char *b = buffer();
    if (b) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b, ERROR_SIZE, fmt, ap);
        va_end(ap);
    }
    return status;
}

void hostrt_clear_error(void)
{
    if (last_error)
        last_error[0] = '\0';
}

HOSTRT_API const char *gahost_last_error(void)
{
    char *b = buffer();
    return b ? b : "out of memory";
}
