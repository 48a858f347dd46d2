/* kernel_cache.c - compiled programs remembered in memory and in files under ga_cache_dir(). */
#define _GNU_SOURCE /* getpwuid_r, mkstemp, fsync under -std=c11 */
#include "kernel_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when the key serialisation or the file layout changes: old files
 * then stop matching (their key differs) and are recompiled over. */
#define GA_CACHE_FORMAT 1u

/* ------------------------------------------------------ little-endian I/O */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* -------------------------------------------------------------- cache key */

/* Bucket hash, not a security boundary: entries are compared byte for
 * byte. Eight bytes per multiply keeps a 10 KB source under a microsecond
 * or two; the final mixing uses MurmurHash3's published fmix64 constants. */
static uint64_t bucket_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 0x243f6a8885a308d3ull ^ (n * 0x9e3779b97f4a7c15ull);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h = (h << 31) | (h >> 33);
    }
    uint64_t tail = 0;
    for (size_t k = 0; i < n; i++, k++)
        tail |= (uint64_t)p[i] << (8 * k);
    h ^= tail;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Length-prefixed fields: the prefix makes ("ab","c") and ("a","bc")
 * serialise differently. */
static unsigned char *key_bytes(unsigned char *p, const void *data, size_t n)
{
    put_u64(p, n);
    if (n)
        memcpy(p + 8, data, n);
    return p + 8 + n;
}

static unsigned char *key_int(unsigned char *p, int64_t v)
{
    put_u64(p, (uint64_t)v);
    return p + 8;
}

ga_status ga_cache_key_make(const char *backend, const char *fingerprint, int compiler_version,
                            int arch, int is_real, const ga_compile_request *req, ga_cache_key *key)
{
    if (!fingerprint)
        fingerprint = "";
    static const char tag[] = "gpuarray-kernel-cache";
    const char *name = req->source_name && req->source_name[0] ? req->source_name : "kernel.cu";
    size_t n = 0;

    memset(key, 0, sizeof *key);
    n += 8 + sizeof tag + 8;                       /* tag, format */
    n += 8 + strlen(backend) + 8 * 3;              /* backend, version, arch, is_real */
    n += 8 + strlen(fingerprint);
    n += 8 + strlen(name) + 8 + strlen(req->source);
    n += 8;
    for (int i = 0; i < req->num_options; i++)
        n += 8 + strlen(req->options[i]);
    n += 8;
    for (int i = 0; i < req->num_name_expressions; i++)
        n += 8 + strlen(req->name_expressions[i]);

    unsigned char *buf = malloc(n), *p = buf;
    if (!buf)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory for a cache key");
    p = key_bytes(p, tag, sizeof tag);
    p = key_int(p, GA_CACHE_FORMAT);
    p = key_bytes(p, backend, strlen(backend));
    p = key_int(p, compiler_version);
    p = key_int(p, arch);
    p = key_int(p, is_real);
    p = key_bytes(p, fingerprint, strlen(fingerprint));
    p = key_bytes(p, name, strlen(name));
    p = key_bytes(p, req->source, strlen(req->source));
    p = key_int(p, req->num_options);
    for (int i = 0; i < req->num_options; i++)
        p = key_bytes(p, req->options[i], strlen(req->options[i]));
    p = key_int(p, req->num_name_expressions);
    for (int i = 0; i < req->num_name_expressions; i++)
        p = key_bytes(p, req->name_expressions[i], strlen(req->name_expressions[i]));

    key->bytes = buf;
    key->size = (size_t)(p - buf);
    key->hash = bucket_hash(buf, key->size);
    return GA_OK;
}

void ga_cache_key_free(ga_cache_key *key)
{
    free(key->bytes);
    memset(key, 0, sizeof *key);
}

const unsigned char *ga_cache_key_digest(ga_cache_key *key)
{
    if (!key->have_digest) {
        ga_sha256(key->bytes, key->size, key->digest);
        key->have_digest = 1;
    }
    return key->digest;
}

/* ----------------------------------------------------------- memory cache */

typedef struct mem_entry {
    struct mem_entry *next;
    uint64_t hash;
    size_t size;
    unsigned char *bytes;
    ga_program *program;     /* one reference held by the cache */
} mem_entry;

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static mem_entry **mem_buckets;
static size_t mem_nbuckets;  /* a power of two, or 0 before first use */
static size_t mem_count;

static mem_entry *mem_find(const ga_cache_key *key)
{
    if (!mem_nbuckets)
        return NULL;
    for (mem_entry *e = mem_buckets[key->hash & (mem_nbuckets - 1)]; e; e = e->next)
        if (e->hash == key->hash && e->size == key->size &&
            memcmp(e->bytes, key->bytes, key->size) == 0)
            return e;
    return NULL;
}

/* Keep the load factor at most one; a failed resize leaves the table as
 * it was, only slower. */
static void mem_grow(void)
{
    if (mem_nbuckets && mem_count < mem_nbuckets)
        return;
    size_t n = mem_nbuckets ? mem_nbuckets * 2 : 64;
    mem_entry **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < mem_nbuckets; i++) {
        mem_entry *e = mem_buckets[i];
        while (e) {
            mem_entry *next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(mem_buckets);
    mem_buckets = b;
    mem_nbuckets = n;
}

ga_program *ga_cache_memory_get(const ga_cache_key *key)
{
    ga_program *prog = NULL;
    pthread_mutex_lock(&mem_lock);
    mem_entry *e = mem_find(key);
    if (e) {
        prog = e->program;
        ga_program_retain(prog);
    }
    pthread_mutex_unlock(&mem_lock);
    return prog;
}

void ga_cache_memory_put(const ga_cache_key *key, ga_program *prog)
{
    mem_entry *e = malloc(sizeof *e);
    unsigned char *bytes = malloc(key->size);
    if (!e || !bytes) {
        free(e);
        free(bytes);
        return;
    }
    memcpy(bytes, key->bytes, key->size);
    e->hash = key->hash;
    e->size = key->size;
    e->bytes = bytes;
    e->program = prog;

    pthread_mutex_lock(&mem_lock);
    mem_grow();
    if (!mem_nbuckets || mem_find(key)) {
        pthread_mutex_unlock(&mem_lock);
        free(bytes);
        free(e);
        return;
    }
    ga_program_retain(prog);
    size_t i = e->hash & (mem_nbuckets - 1);
    e->next = mem_buckets[i];
    mem_buckets[i] = e;
    mem_count++;
    pthread_mutex_unlock(&mem_lock);
}

void ga_cache_clear_memory(void)
{
    pthread_mutex_lock(&mem_lock);
    mem_entry **b = mem_buckets;
    size_t n = mem_nbuckets;
    mem_buckets = NULL;
    mem_nbuckets = 0;
    mem_count = 0;
    pthread_mutex_unlock(&mem_lock);

    /* Released outside the lock: the last release frees a program, which
     * must not happen while other threads wait on the cache. */
    for (size_t i = 0; i < n; i++) {
        mem_entry *e = b[i];
        while (e) {
            mem_entry *next = e->next;
            ga_program_release(e->program);
            free(e->bytes);
            free(e);
            e = next;
        }
    }
    free(b);
}

/* ------------------------------------------------------------- cache dir */

/* Every distinct directory ever returned stays allocated, so that the
 * pointer from ga_cache_dir() (and ga_config) is valid for the life of the
 * process even when GPUARRAY_CACHE_DIR changes later (tests do that). */
typedef struct dir_node {
    struct dir_node *next;
    char path[];
} dir_node;

static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;
static dir_node *dir_list;

static int cache_dir_compute(char *buf, size_t len)
{
    const char *v = getenv("GPUARRAY_CACHE_DIR");
    if (v && v[0])
        return snprintf(buf, len, "%s", v) < (int)len;
    v = getenv("XDG_CACHE_HOME");
    /* The XDG spec says relative values are to be ignored. */
    if (v && v[0] == '/')
        return snprintf(buf, len, "%s/gpuarray", v) < (int)len;
    v = getenv("HOME");
    if (v && v[0])
        return snprintf(buf, len, "%s/.cache/gpuarray", v) < (int)len;
    struct passwd pw, *res = NULL;
    char pwbuf[4096];
    if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res && pw.pw_dir &&
        pw.pw_dir[0])
        return snprintf(buf, len, "%s/.cache/gpuarray", pw.pw_dir) < (int)len;
    return 0;
}

const char *ga_cache_dir(void)
{
    char buf[PATH_MAX];
    if (!cache_dir_compute(buf, sizeof buf))
        buf[0] = '\0';
    const char *result = "";
    pthread_mutex_lock(&dir_lock);
    dir_node *d = dir_list;
    while (d && strcmp(d->path, buf) != 0)
        d = d->next;
    if (!d) {
        size_t n = strlen(buf) + 1;
        d = malloc(sizeof *d + n);
        if (d) {
            memcpy(d->path, buf, n);
            d->next = dir_list;
            dir_list = d;
        }
    }
    if (d)
        result = d->path;
    pthread_mutex_unlock(&dir_lock);
    return result;
}

/* mkdir -p; new directories are private (0700), as XDG asks of cache dirs
 * and because cache files are loaded as code. */
static int make_dirs(const char *path);

int ga_cache_make_dirs(const char *path)
{
    return path && make_dirs(path);
}

static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return 0;
        buf[i] = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int entry_path(ga_cache_key *key, const char *dir, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *d = ga_cache_key_digest(key);
    char name[65];
    for (int i = 0; i < 32; i++) {
        name[2 * i] = hex[d[i] >> 4];
        name[2 * i + 1] = hex[d[i] & 15];
    }
    name[64] = '\0';
    return snprintf(buf, len, "%s/%s.gak", dir, name) < (int)len;
}

/* ------------------------------------------------------------- disk cache */

/* File layout, little-endian:
 *   0  "GAKC"               magic
 *   4  u32 format           GA_CACHE_FORMAT
 *   8  32 bytes             SHA-256 of the key (must equal the request's)
 *  40  u32 image kind, u32 number of lowered names
 *  48  u64 image size, u64 PTX size (0 = none), u64 log size
 *  72  image, PTX, log, then per lowered name: u32 length + bytes
 * end  32 bytes             SHA-256 of everything before it
 * The trailing checksum catches torn and bit-flipped files, so no fsync is
 * needed for safety: a file cut short by a crash reads as a miss. */
#define HDR_SIZE 72u
#define MAX_FILE ((uint64_t)1 << 31)

int ga_cache_disk_get(ga_cache_key *key, int num_name_expressions, ga_compiled_output *out)
{
    char path[PATH_MAX];
    unsigned char *buf = NULL;
    int fd = -1, hit = 0;
    ga_compiled_output res;

    memset(&res, 0, sizeof res);
    const char *dir = ga_cache_dir();
    if (!dir[0] || !entry_path(key, dir, path, sizeof path))
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)(HDR_SIZE + 32) ||
        (uint64_t)st.st_size > MAX_FILE)
        goto cleanup;
    size_t size = (size_t)st.st_size, got = 0;
    if (!(buf = malloc(size)))
        goto cleanup;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto cleanup;
        got += (size_t)r;
    }

    unsigned char sum[32];
    ga_sha256(buf, size - 32, sum);
    if (memcmp(sum, buf + size - 32, 32) != 0 || memcmp(buf, "GAKC", 4) != 0 ||
        get_u32(buf + 4) != GA_CACHE_FORMAT || memcmp(buf + 8, ga_cache_key_digest(key), 32) != 0)
        goto cleanup;
    uint32_t kind = get_u32(buf + 40), nlow = get_u32(buf + 44);
    uint64_t isz = get_u64(buf + 48), psz = get_u64(buf + 56), lsz = get_u64(buf + 64);
    uint64_t body = size - 32 - HDR_SIZE;
    if ((kind != GA_IMAGE_CUBIN && kind != GA_IMAGE_PTX && kind != GA_IMAGE_FATBIN &&
         kind != GA_IMAGE_HOST_SO && kind != GA_IMAGE_AMDGPU) ||
        (int64_t)nlow != num_name_expressions || isz == 0 || isz > body || psz > body - isz ||
        lsz > body - isz - psz)
        goto cleanup;

    /* Each text gets a NUL of its own so a stored blob can never run off
     * its end, whatever it contains. */
    const unsigned char *p = buf + HDR_SIZE, *end = buf + size - 32;
    res.kind = (ga_image_kind)kind;
    res.image_size = (size_t)isz;
    if (!(res.image = malloc(isz + 1)))
        goto cleanup;
    memcpy(res.image, p, isz);
    ((char *)res.image)[isz] = '\0';
    p += isz;
    if (psz) {
        if (!(res.ptx = malloc(psz + 1)))
            goto cleanup;
        memcpy(res.ptx, p, psz);
        res.ptx[psz] = '\0';
        res.ptx_size = (size_t)psz;
        p += psz;
    }
    if (!(res.log = malloc(lsz + 1)))
        goto cleanup;
    memcpy(res.log, p, lsz);
    res.log[lsz] = '\0';
    p += lsz;
    if (nlow) {
        if (!(res.lowered_names = calloc(nlow, sizeof(char *))))
            goto cleanup;
        res.num_lowered_names = (int)nlow;
        for (uint32_t i = 0; i < nlow; i++) {
            if (end - p < 4)
                goto cleanup;
            uint32_t n = get_u32(p);
            p += 4;
            if ((uint64_t)(end - p) < n || !(res.lowered_names[i] = malloc((size_t)n + 1)))
                goto cleanup;
            memcpy(res.lowered_names[i], p, n);
            res.lowered_names[i][n] = '\0';
            p += n;
        }
    }
    if (p != end)
        goto cleanup;
    *out = res;
    memset(&res, 0, sizeof res);
    hit = 1;

cleanup:
    ga_compiled_output_clear(&res);
    free(buf);
    if (fd >= 0)
        close(fd);
    return hit;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        p += w;
        n -= (size_t)w;
    }
    return 1;
}

void ga_cache_disk_put(ga_cache_key *key, const ga_compiled_output *out)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    unsigned char *buf = NULL;
    int fd;

    const char *dir = ga_cache_dir();
    if (!dir[0] || !out->image || !entry_path(key, dir, path, sizeof path) ||
        snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return;

    size_t lsz = out->log ? strlen(out->log) : 0;
    size_t psz = out->ptx ? out->ptx_size : 0;
    size_t size = HDR_SIZE + out->image_size + psz + lsz + 32;
    for (int i = 0; i < out->num_lowered_names; i++)
        size += 4 + strlen(out->lowered_names[i]);
    if (!(buf = malloc(size)))
        return;

    memcpy(buf, "GAKC", 4);
    put_u32(buf + 4, GA_CACHE_FORMAT);
    memcpy(buf + 8, ga_cache_key_digest(key), 32);
    put_u32(buf + 40, (uint32_t)out->kind);
    put_u32(buf + 44, (uint32_t)out->num_lowered_names);
    put_u64(buf + 48, out->image_size);
    put_u64(buf + 56, psz);
    put_u64(buf + 64, lsz);
    unsigned char *p = buf + HDR_SIZE;
    memcpy(p, out->image, out->image_size);
    p += out->image_size;
    if (psz)
        memcpy(p, out->ptx, psz);
    p += psz;
    if (lsz)
        memcpy(p, out->log, lsz);
    p += lsz;
    for (int i = 0; i < out->num_lowered_names; i++) {
        size_t n = strlen(out->lowered_names[i]);
        put_u32(p, (uint32_t)n);
        memcpy(p + 4, out->lowered_names[i], n);
        p += 4 + n;
    }
    ga_sha256(buf, size - 32, p);

    if (!make_dirs(dir))
        goto cleanup;
    /* A unique temp name in the same directory, then rename: readers see
     * either the old file or the whole new one, never a partial write, and
     * two processes writing the same entry do not interleave. */
    if ((fd = mkstemp(tmp)) < 0)
        goto cleanup;
    int ok = write_all(fd, buf, size);
    if (close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);

cleanup:
    free(buf);
}
