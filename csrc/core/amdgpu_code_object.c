/* amdgpu_code_object.c - read kernel metadata out of an AMD GPU code object:
 * ELF64 section headers, the NT_AMDGPU_METADATA note (MessagePack, decoded
 * here: the subset the AMDGPU metadata uses) and the symbol tables. Every
 * read is bounds-checked: the bytes may come from a user's file. */
#include "amdgpu_code_object.h"

#include <stdlib.h>
#include <string.h>

#define EM_AMDGPU 224
#define SHT_SYMTAB 2
#define SHT_NOTE 7
#define SHT_DYNSYM 11
#define NT_AMDGPU_METADATA 32

/* Little-endian fields, whatever the host is. */
static uint64_t rd(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* ------------------------------------------------------------ msgpack */

typedef struct mp {
    const unsigned char *p, *end;
    int bad;
} mp;

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static int mp_need(mp *m, size_t n)
{
    if (m->bad || (size_t)(m->end - m->p) < n) {
        m->bad = 1;
        return 0;
    }
    return 1;
}

enum { MP_NIL, MP_BOOL, MP_INT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT, MP_BAD };

typedef struct mp_item {
    int type;
    int64_t i;                       /* ints and bools */
    const char *s;                   /* str and bin: not NUL-terminated */
    size_t len;                      /* str/bin bytes, array/map entries */
} mp_item;

/* Read one item's head; arrays and maps leave their entries to follow. */
static mp_item mp_next(mp *m)
{
    mp_item it = { MP_BAD, 0, NULL, 0 };
    if (!mp_need(m, 1))
        return it;
    unsigned c = *m->p++;
    size_t n = 0;
    int lenb = 0;
    if (c <= 0x7f) { it.type = MP_INT; it.i = c; return it; }
    if (c >= 0xe0) { it.type = MP_INT; it.i = (int8_t)c; return it; }
    if ((c & 0xf0) == 0x80) { it.type = MP_MAP; it.len = c & 0x0f; return it; }
    if ((c & 0xf0) == 0x90) { it.type = MP_ARRAY; it.len = c & 0x0f; return it; }
    if ((c & 0xe0) == 0xa0) { it.type = MP_STR; n = c & 0x1f; goto bytes; }
    switch (c) {
    case 0xc0: it.type = MP_NIL; return it;
    case 0xc2: case 0xc3: it.type = MP_BOOL; it.i = c == 0xc3; return it;
    case 0xc4: case 0xc5: case 0xc6:
        it.type = MP_BIN; lenb = 1 << (c - 0xc4); break;
    case 0xd9: case 0xda: case 0xdb:
        it.type = MP_STR; lenb = 1 << (c - 0xd9); break;
    case 0xca: case 0xcb: {
        int w = c == 0xca ? 4 : 8;
        if (!mp_need(m, (size_t)w)) return it;
        m->p += w; it.type = MP_FLOAT; return it;
    }
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        int w = 1 << (c - 0xcc);
        if (!mp_need(m, (size_t)w)) return it;
        it.type = MP_INT; it.i = (int64_t)be(m->p, w); m->p += w; return it;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int w = 1 << (c - 0xd0);
        if (!mp_need(m, (size_t)w)) return it;
        uint64_t u = be(m->p, w);
        int shift = 64 - 8 * w;
        it.type = MP_INT; it.i = (int64_t)(u << shift) >> shift; m->p += w; return it;
    }
    case 0xdc: case 0xdd: {
        int w = c == 0xdc ? 2 : 4;
        if (!mp_need(m, (size_t)w)) return it;
        it.type = MP_ARRAY; it.len = (size_t)be(m->p, w); m->p += w; return it;
    }
    case 0xde: case 0xdf: {
        int w = c == 0xde ? 2 : 4;
        if (!mp_need(m, (size_t)w)) return it;
        it.type = MP_MAP; it.len = (size_t)be(m->p, w); m->p += w; return it;
    }
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: {
        size_t w = (size_t)1 << (c - 0xd4);
        if (!mp_need(m, 1 + w)) return it;
        m->p += 1 + w; it.type = MP_EXT; return it;
    }
    case 0xc7: case 0xc8: case 0xc9: {
        int w = 1 << (c - 0xc7);
        if (!mp_need(m, (size_t)w + 1)) return it;
        size_t k = (size_t)be(m->p, w);
        m->p += w + 1;
        if (!mp_need(m, k)) return it;
        m->p += k; it.type = MP_EXT; return it;
    }
    default:
        m->bad = 1;
        return it;
    }
    if (!mp_need(m, (size_t)lenb))
        return it;
    n = (size_t)be(m->p, lenb);
    m->p += lenb;
bytes:
    if (!mp_need(m, n)) {
        it.type = MP_BAD;
        return it;
    }
    it.s = (const char *)m->p;
    it.len = n;
    m->p += n;
    return it;
}

/* Skip one whole item (depth-limited: malformed input cannot recurse far). */
static void mp_skip_item(mp *m, mp_item it, int depth)
{
    if (depth > 32) {
        m->bad = 1;
        return;
    }
    size_t n = it.type == MP_ARRAY ? it.len : it.type == MP_MAP ? 2 * it.len : 0;
    for (size_t i = 0; i < n && !m->bad; i++)
        mp_skip_item(m, mp_next(m), depth + 1);
}

static int key_is(const mp_item *k, const char *s)
{
    size_t n = strlen(s);
    return k->type == MP_STR && k->len == n && memcmp(k->s, s, n) == 0;
}

static void copy_str(char *dst, size_t cap, const mp_item *v)
{
    size_t n = v->type == MP_STR ? (v->len < cap - 1 ? v->len : cap - 1) : 0;
    memcpy(dst, v->s ? v->s : "", n);
    dst[n] = '\0';
}

static int read_arg(mp *m, mp_item map, ga_amdgpu_arg *arg)
{
    memset(arg, 0, sizeof *arg);
    if (map.type != MP_MAP)
        return 0;
    for (size_t i = 0; i < map.len && !m->bad; i++) {
        mp_item k = mp_next(m), v = mp_next(m);
        if (key_is(&k, ".offset") && v.type == MP_INT)
            arg->offset = (uint64_t)v.i;
        else if (key_is(&k, ".size") && v.type == MP_INT)
            arg->size = (uint64_t)v.i;
        else if (key_is(&k, ".value_kind"))
            copy_str(arg->value_kind, sizeof arg->value_kind, &v);
        else
            mp_skip_item(m, v, 1);
    }
    return !m->bad;
}

static int read_kernel(mp *m, mp_item map, ga_amdgpu_kernel *k)
{
    memset(k, 0, sizeof *k);
    k->vgpr_count = k->sgpr_count = k->agpr_count = -1;
    k->vgpr_spill_count = k->sgpr_spill_count = -1;
    k->group_segment_fixed_size = k->private_segment_fixed_size = -1;
    k->kernarg_segment_size = k->max_flat_workgroup_size = k->wavefront_size = -1;
    if (map.type != MP_MAP)
        return 0;
    static const struct { const char *key; size_t off; } ints[] = {
        { ".vgpr_count", offsetof(ga_amdgpu_kernel, vgpr_count) },
        { ".sgpr_count", offsetof(ga_amdgpu_kernel, sgpr_count) },
        { ".agpr_count", offsetof(ga_amdgpu_kernel, agpr_count) },
        { ".vgpr_spill_count", offsetof(ga_amdgpu_kernel, vgpr_spill_count) },
        { ".sgpr_spill_count", offsetof(ga_amdgpu_kernel, sgpr_spill_count) },
        { ".group_segment_fixed_size", offsetof(ga_amdgpu_kernel, group_segment_fixed_size) },
        { ".private_segment_fixed_size", offsetof(ga_amdgpu_kernel, private_segment_fixed_size) },
        { ".kernarg_segment_size", offsetof(ga_amdgpu_kernel, kernarg_segment_size) },
        { ".max_flat_workgroup_size", offsetof(ga_amdgpu_kernel, max_flat_workgroup_size) },
        { ".wavefront_size", offsetof(ga_amdgpu_kernel, wavefront_size) },
    };
    for (size_t i = 0; i < map.len && !m->bad; i++) {
        mp_item key = mp_next(m), v = mp_next(m);
        if (key_is(&key, ".name")) {
            copy_str(k->name, sizeof k->name, &v);
            continue;
        }
        if (key_is(&key, ".symbol")) {
            copy_str(k->symbol, sizeof k->symbol, &v);
            continue;
        }
        if (key_is(&key, ".args") && v.type == MP_ARRAY) {
            free(k->args);
            k->args = v.len ? calloc(v.len, sizeof *k->args) : NULL;
            if (v.len && !k->args)
                return 0;
            k->num_args = (int)v.len;
            for (size_t a = 0; a < v.len && !m->bad; a++)
                if (!read_arg(m, mp_next(m), &k->args[a]))
                    return 0;
            continue;
        }
        int matched = 0;
        for (size_t f = 0; f < sizeof ints / sizeof ints[0]; f++)
            if (key_is(&key, ints[f].key) && v.type == MP_INT) {
                memcpy((char *)k + ints[f].off, &v.i, sizeof v.i);
                matched = 1;
            }
        if (!matched)
            mp_skip_item(m, v, 1);
    }
    return !m->bad;
}

static ga_status read_metadata(const unsigned char *p, size_t n, ga_amdgpu_code_object *co)
{
    mp m = { p, p + n, 0 };
    mp_item root = mp_next(&m);
    if (root.type != MP_MAP)
        return ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: metadata is not a map");
    for (size_t i = 0; i < root.len && !m.bad; i++) {
        mp_item key = mp_next(&m), v = mp_next(&m);
        if (key_is(&key, "amdhsa.target")) {
            copy_str(co->target, sizeof co->target, &v);
        } else if (key_is(&key, "amdhsa.kernels") && v.type == MP_ARRAY) {
            if (v.len > 100000)
                return ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: %zu kernels", v.len);
            co->kernels = v.len ? calloc(v.len, sizeof *co->kernels) : NULL;
            if (v.len && !co->kernels)
                return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
            for (size_t k = 0; k < v.len && !m.bad; k++) {
                co->num_kernels = (int)k + 1;
                if (!read_kernel(&m, mp_next(&m), &co->kernels[k]))
                    return ga_error(GA_ERROR_INVALID_VALUE,
                                    "AMDGPU code object: kernel %zu's metadata is malformed", k);
            }
        } else {
            mp_skip_item(&m, v, 1);
        }
    }
    if (m.bad)
        return ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: truncated metadata");
    return GA_OK;
}

/* ---------------------------------------------------------------- ELF */

typedef struct shdr {
    uint32_t name, type, link;
    uint64_t offset, size, entsize;
} shdr;

static int section(const unsigned char *img, size_t size, uint64_t shoff, uint64_t shentsize,
                   unsigned i, shdr *s)
{
    uint64_t at = shoff + (uint64_t)i * shentsize;
    if (shentsize < 64 || at > size || size - at < 64)
        return 0;
    const unsigned char *p = img + at;
    s->name = (uint32_t)rd(p, 4);
    s->type = (uint32_t)rd(p + 4, 4);
    s->offset = rd(p + 24, 8);
    s->size = rd(p + 32, 8);
    s->link = (uint32_t)rd(p + 40, 4);
    s->entsize = rd(p + 56, 8);
    return s->offset <= size && s->size <= size - s->offset;
}

/* Walk one SHT_NOTE section for the AMDGPU metadata note. */
static ga_status scan_notes(const unsigned char *p, uint64_t n, ga_amdgpu_code_object *co,
                            int *found)
{
    uint64_t at = 0;
    while (n - at >= 12 && at <= n) {
        uint64_t namesz = rd(p + at, 4), descsz = rd(p + at + 4, 4), type = rd(p + at + 8, 4);
        uint64_t name_at = at + 12;
        uint64_t desc_at = name_at + ((namesz + 3) & ~(uint64_t)3);
        if (desc_at > n || descsz > n - desc_at)
            return ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: truncated note");
        if (type == NT_AMDGPU_METADATA && namesz == 7 && memcmp(p + name_at, "AMDGPU", 7) == 0) {
            *found = 1;
            return read_metadata(p + desc_at, descsz, co);
        }
        at = desc_at + ((descsz + 3) & ~(uint64_t)3);
    }
    return GA_OK;
}

/* Mark each kernel whose descriptor symbol is in this symbol table. */
static void scan_symbols(const unsigned char *img, size_t size, const shdr *sym, const shdr *str,
                         ga_amdgpu_code_object *co)
{
    if (sym->entsize < 24)
        return;
    for (uint64_t at = 0; at + 24 <= sym->size; at += sym->entsize) {
        uint64_t name = rd(img + sym->offset + at, 4);
        if (name >= str->size)
            continue;
        const char *s = (const char *)img + str->offset + name;
        size_t max = (size_t)(str->size - name);
        size_t len = strnlen(s, max);
        if (len == max)
            continue;
        for (int k = 0; k < co->num_kernels; k++)
            if (co->kernels[k].symbol[0] && strcmp(co->kernels[k].symbol, s) == 0)
                co->kernels[k].has_descriptor = 1;
    }
    (void)size;
}

ga_status ga_amdgpu_code_object_read(const void *image, size_t size, ga_amdgpu_code_object *co)
{
    if (!co)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_amdgpu_code_object_read: co is NULL");
    memset(co, 0, sizeof *co);
    const unsigned char *img = image;
    if (!img || size < 64 || memcmp(img, "\177ELF", 4) != 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "not an AMD GPU code object: no ELF header");
    if (img[4] != 2 || img[5] != 1)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "not an AMD GPU code object: not a little-endian ELF64 file");
    if (rd(img + 18, 2) != EM_AMDGPU)
        return ga_error(GA_ERROR_INVALID_VALUE, "not an AMD GPU code object: ELF machine %u, "
                        "not EM_AMDGPU (224)", (unsigned)rd(img + 18, 2));
    uint64_t shoff = rd(img + 0x28, 8), shentsize = rd(img + 0x3a, 2), shnum = rd(img + 0x3c, 2);
    ga_status st = GA_OK;
    int found = 0;
    for (unsigned i = 0; i < shnum && st == GA_OK && !found; i++) {
        shdr s;
        if (!section(img, size, shoff, shentsize, i, &s)) {
            st = ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: section %u is out of "
                          "bounds", i);
            break;
        }
        if (s.type == SHT_NOTE)
            st = scan_notes(img + s.offset, s.size, co, &found);
    }
    if (st == GA_OK && !found)
        st = ga_error(GA_ERROR_INVALID_VALUE, "AMDGPU code object: no NT_AMDGPU_METADATA note "
                      "(code object v2, or not a kernel image)");
    for (unsigned i = 0; st == GA_OK && i < shnum; i++) {
        shdr s, str;
        if (!section(img, size, shoff, shentsize, i, &s))
            continue;
        if ((s.type == SHT_SYMTAB || s.type == SHT_DYNSYM) && s.link < shnum &&
            section(img, size, shoff, shentsize, s.link, &str))
            scan_symbols(img, size, &s, &str, co);
    }
    if (st != GA_OK)
        ga_amdgpu_code_object_clear(co);
    return st;
}

void ga_amdgpu_code_object_clear(ga_amdgpu_code_object *co)
{
    if (!co)
        return;
    for (int k = 0; k < co->num_kernels; k++)
        free(co->kernels[k].args);
    free(co->kernels);
    memset(co, 0, sizeof *co);
}

const ga_amdgpu_kernel *ga_amdgpu_find_kernel(const ga_amdgpu_code_object *co, const char *name)
{
    if (!co || !name)
        return NULL;
    size_t n = strlen(name);
    for (int k = 0; k < co->num_kernels; k++) {
        const ga_amdgpu_kernel *kr = &co->kernels[k];
        if (strcmp(kr->name, name) == 0)
            return kr;
        if (strncmp(kr->symbol, name, n) == 0 && strcmp(kr->symbol + n, ".kd") == 0)
            return kr;
    }
    return NULL;
}

int ga_amdgpu_arg_is_hidden(const ga_amdgpu_arg *arg)
{
    return strncmp(arg->value_kind, "hidden_", 7) == 0;
}
