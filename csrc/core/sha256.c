/* sha256.c - SHA-256 (FIPS 180-4) for kernel cache keys and file checksums. */
/* Written here because the build may use nothing but a C compiler: no
 * OpenSSL or other crypto library is available to link. A cryptographic
 * hash (not a fast checksum) because the digest names a cache file: two
 * different sources must never share one. */
#include "kernel_cache.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One 64-byte block. The message schedule is kept as a rolling 16-word
 * window rather than 64 words, which keeps it in registers. */
static void compress(uint32_t st[8], const unsigned char *block)
{
    uint32_t w[16];
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];

    for (int i = 0; i < 64; i++) {
        uint32_t wi;
        if (i < 16) {
            wi = load_be32(block + 4 * i);
        } else {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
            wi = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
        }
        w[i & 15] = wi;
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + wi;
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

void ga_sha256_init(ga_sha256_ctx *ctx)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(ctx->h, iv, sizeof iv);
    ctx->total = 0;
    ctx->fill = 0;
}

void ga_sha256_update(ga_sha256_ctx *ctx, const void *data, size_t size)
{
    const unsigned char *p = data;
    ctx->total += size;
    if (ctx->fill) {
        size_t take = 64 - ctx->fill < size ? 64 - ctx->fill : size;
        memcpy(ctx->buf + ctx->fill, p, take);
        ctx->fill += take;
        p += take;
        size -= take;
        if (ctx->fill < 64)
            return;
        compress(ctx->h, ctx->buf);
        ctx->fill = 0;
    }
    for (; size >= 64; p += 64, size -= 64)
        compress(ctx->h, p);
    memcpy(ctx->buf, p, size);
    ctx->fill = size;
}

void ga_sha256_final(ga_sha256_ctx *ctx, unsigned char digest[32])
{
    uint64_t bits = ctx->total * 8;
    /* Padding: a 1 bit, zeros up to 56 mod 64, the bit length big-endian. */
    ctx->buf[ctx->fill++] = 0x80;
    if (ctx->fill > 56) {
        memset(ctx->buf + ctx->fill, 0, 64 - ctx->fill);
        compress(ctx->h, ctx->buf);
        ctx->fill = 0;
    }
    memset(ctx->buf + ctx->fill, 0, 56 - ctx->fill);
    store_be32(ctx->buf + 56, (uint32_t)(bits >> 32));
    store_be32(ctx->buf + 60, (uint32_t)bits);
    compress(ctx->h, ctx->buf);
    for (int i = 0; i < 8; i++)
        store_be32(digest + 4 * i, ctx->h[i]);
}

void ga_sha256(const void *data, size_t size, unsigned char digest[32])
{
    ga_sha256_ctx ctx;
    ga_sha256_init(&ctx);
    ga_sha256_update(&ctx, data, size);
    ga_sha256_final(&ctx, digest);
}
