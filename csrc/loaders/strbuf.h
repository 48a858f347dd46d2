/* strbuf.h - a growing string, for the loaders' "places tried" details. */
#ifndef GPUARRAY_LOADERS_STRBUF_H
#define GPUARRAY_LOADERS_STRBUF_H

#include "ga_private.h"

#include <stddef.h>

/* On malloc failure it just stops growing, which only shortens an error
 * message. Zero-initialise; free(b.s) when done. */
typedef struct { char *s; size_t len, cap; } strbuf;

GA_INTERNAL void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* GPUARRAY_LOADERS_STRBUF_H */
