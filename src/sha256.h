/*
 * sha256: SHA-256 (FIPS 180-4), for config hashes, cache keys and fingerprints.
 *
 * Owns: the hash, nothing else. Pure: no I/O, no allocation.
 *
 * Use, all at once:
 *   char hex[65];
 *   pg_sha256_hex(data, len, hex);          -> 64 lowercase hex digits + NUL
 * or piece by piece:
 *   struct pg_sha256 ctx;
 *   pg_sha256_init(&ctx);
 *   pg_sha256_update(&ctx, part1, n1); pg_sha256_update(&ctx, part2, n2);
 *   pg_sha256_final_hex(&ctx, hex);        (or pg_sha256_final(&ctx, digest))
 */
#ifndef PG_SHA256_H
#define PG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PG_SHA256_DIGEST_BYTES 32
#define PG_SHA256_HEX_CHARS 64 /* without the NUL */

struct pg_sha256 {
	uint32_t state[8];
	uint64_t nr_bytes; /* bytes hashed so far */
	unsigned char block[64];
	size_t block_len; /* bytes waiting in block */
};

void pg_sha256_init(struct pg_sha256 *ctx);
void pg_sha256_update(struct pg_sha256 *ctx, const void *data, size_t len);
/* Finish; ctx must be initialised again before reuse. */
void pg_sha256_final(struct pg_sha256 *ctx, unsigned char out[PG_SHA256_DIGEST_BYTES]);
void pg_sha256_final_hex(struct pg_sha256 *ctx, char out[PG_SHA256_HEX_CHARS + 1]);

/* One call: out gets 64 lowercase hex digits and a NUL. */
void pg_sha256_hex(const void *data, size_t len, char out[PG_SHA256_HEX_CHARS + 1]);

#endif
