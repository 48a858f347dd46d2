/* kernel_cache.h - the compile cache (in memory and on disk) and streaming SHA-256. */
#ifndef GPUARRAY_CORE_KERNEL_CACHE_H
#define GPUARRAY_CORE_KERNEL_CACHE_H

#include "ga_private.h"

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- SHA-256 */

typedef struct ga_sha256_ctx {
    uint32_t h[8];
    uint64_t total;          /* bytes hashed so far */
    unsigned char buf[64];
    size_t fill;             /* bytes waiting in buf */
} ga_sha256_ctx;

GA_INTERNAL void ga_sha256_init(ga_sha256_ctx *ctx);
GA_INTERNAL void ga_sha256_update(ga_sha256_ctx *ctx, const void *data, size_t size);
GA_INTERNAL void ga_sha256_final(ga_sha256_ctx *ctx, unsigned char digest[32]);

/* -------------------------------------------------------------- cache key */

/* Everything that decides the compiled output, serialised with length
 * prefixes so no two requests serialise alike. The memory cache compares
 * these bytes exactly (a fast hash picks the bucket), so an in-process hit
 * costs no SHA-256; the digest, which names the disk file, is computed
 * only when the disk is consulted. */
typedef struct ga_cache_key {
    unsigned char *bytes;
    size_t size;
    uint64_t hash;           /* bucket hash of bytes */
    unsigned char digest[32];
    int have_digest;
} ga_cache_key;

GA_INTERNAL ga_status ga_cache_key_make(const char *backend, const char *fingerprint, int compiler_version, int arch,
                                        int is_real, const ga_compile_request *req,
                                        ga_cache_key *key);
GA_INTERNAL void ga_cache_key_free(ga_cache_key *key);
/* SHA-256 of the key bytes (computed once). */
GA_INTERNAL const unsigned char *ga_cache_key_digest(ga_cache_key *key);

/* ----------------------------------------------------------- memory cache */

/* A retained program for the key, or NULL. */
GA_INTERNAL ga_program *ga_cache_memory_get(const ga_cache_key *key);
/* Remember prog under key (the cache takes its own reference). When the key
 * is already present (another thread compiled it meanwhile) the entry
 * stays as it is. Failing to remember is not an error: it returns nothing. */
GA_INTERNAL void ga_cache_memory_put(const ga_cache_key *key, ga_program *prog);

/* ------------------------------------------------------------- disk cache */

/* Read the entry for key into *out (1) or report a miss (0). A file that is
 * short, corrupt, of another format or for another key is a miss; nothing
 * is trusted before its checksum and key match. Never sets an error. */
GA_INTERNAL int ga_cache_disk_get(ga_cache_key *key, int num_name_expressions,
                                  ga_compiled_output *out);
/* Write the entry atomically (temp file + rename). Disk trouble (no home,
 * read-only directory, full disk) only skips the write. */
GA_INTERNAL void ga_cache_disk_put(ga_cache_key *key, const ga_compiled_output *out);
/* mkdir -p with private (0700) new directories; 1 on success. */
GA_INTERNAL int ga_cache_make_dirs(const char *path);

#endif /* GPUARRAY_CORE_KERNEL_CACHE_H */
