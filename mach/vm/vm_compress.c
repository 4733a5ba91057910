/*
 * vm_compress.c — an LZ77 page codec (see vm_compress.h).
 *
 * The format is a run of sequences, each: a token byte (high nibble: literal count, low
 * nibble: match length - 4; 15 in either means more length follows as bytes of 255 ending with
 * one below 255), the literals, then a 2-byte little-endian distance back into what is already
 * produced (1-65535) for the match. The last sequence has literals only and ends the input.
 * This is the block layout LZ4 made common (byte-aligned, no entropy coding): decoding is a
 * loop of two copies, which is what a pager that decompresses on every page-in wants.
 *
 * The one idea: the compressor is greedy with a one-way hash of the next four bytes (1024
 * slots of 16-bit positions, so the table fits on a kernel stack); the decompressor trusts
 * nothing — every length and distance is checked against both buffers before it is used,
 * since a stored page that was corrupted must come back as an error, not as a stray write.
 */
#include <mach/vm/vm_compress.h>

#define VMC_MIN_MATCH 4
#define VMC_HASH_BITS 10
#define VMC_MAX_DIST  65535u

static uint32_t
vmc_read32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static unsigned
vmc_hash(uint32_t v)
{
	return (v * 2654435761u) >> (32 - VMC_HASH_BITS);
}

/* Append length extension bytes for len >= 15 (the token holds 15). */
static bool
vmc_put_len(uint8_t **op, const uint8_t *oend, size_t len)
{
	for (len -= 15; len >= 255; len -= 255) {
		if (*op >= oend)
			return false;
		*(*op)++ = 255;
	}
	if (*op >= oend)
		return false;
	*(*op)++ = (uint8_t)len;
	return true;
}

/* One sequence: lits literals from lit, then (when mlen != 0) a match of mlen at dist. */
static bool
vmc_put_seq(uint8_t **op, const uint8_t *oend, const uint8_t *lit, size_t lits, size_t mlen,
	    size_t dist)
{
	uint8_t *tok = *op;
	size_t m = mlen != 0 ? mlen - VMC_MIN_MATCH : 0;

	if (*op >= oend)
		return false;
	(*op)++;
	*tok = (uint8_t)((lits < 15 ? lits : 15) << 4 | (m < 15 ? m : 15));
	if (lits >= 15 && !vmc_put_len(op, oend, lits))
		return false;
	if ((size_t)(oend - *op) < lits)
		return false;
	memcpy(*op, lit, lits);
	*op += lits;
	if (mlen == 0)
		return true;
	if (oend - *op < 2)
		return false;
	*(*op)++ = (uint8_t)dist;
	*(*op)++ = (uint8_t)(dist >> 8);
	return m < 15 || vmc_put_len(op, oend, m);
}

size_t
vmc_compress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
	uint16_t table[1u << VMC_HASH_BITS];
	const uint8_t *oend = dst + cap;
	uint8_t *op = dst;
	size_t i = 0, anchor = 0;

	if (n > 65536)
		return 0;
	memset(table, 0xff, sizeof(table)); /* 0xffff: empty (positions stay below it) */
	while (i + VMC_MIN_MATCH <= n) {
		unsigned h = vmc_hash(vmc_read32(src + i));
		size_t cand = table[h], len;

		table[h] = (uint16_t)i;
		if (cand == 0xffff || cand >= i || i - cand > VMC_MAX_DIST ||
		    vmc_read32(src + cand) != vmc_read32(src + i)) {
			i++;
			continue;
		}
		for (len = VMC_MIN_MATCH; i + len < n && src[cand + len] == src[i + len]; len++)
			;
		if (!vmc_put_seq(&op, oend, src + anchor, i - anchor, len, i - cand))
			return 0;
		i += len;
		anchor = i;
	}
	if (!vmc_put_seq(&op, oend, src + anchor, n - anchor, 0, 0))
		return 0;
	return (size_t)(op - dst);
}

/* Read a length extension; false when the input ends first or the length grows absurd. */
static bool
vmc_get_len(const uint8_t **ip, const uint8_t *iend, size_t *len, size_t limit)
{
	uint8_t b;

	do {
		if (*ip >= iend)
			return false;
		b = *(*ip)++;
		*len += b;
		if (*len > limit)
			return false;
	} while (b == 255);
	return true;
}

int
vmc_decompress(const uint8_t *src, size_t len, uint8_t *dst, size_t n)
{
	const uint8_t *ip = src, *iend = src + len;
	size_t o = 0;

	while (ip < iend) {
		uint8_t tok = *ip++;
		size_t lits = tok >> 4, mlen = tok & 15, dist;

		if (lits == 15 && !vmc_get_len(&ip, iend, &lits, n))
			return -1;
		if (lits > (size_t)(iend - ip) || lits > n - o)
			return -1;
		memcpy(dst + o, ip, lits);
		ip += lits;
		o += lits;
		if (ip == iend)
			break; /* the last sequence: literals only */
		if (iend - ip < 2)
			return -1;
		dist = (size_t)ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if (mlen == 15 && !vmc_get_len(&ip, iend, &mlen, n))
			return -1;
		mlen += VMC_MIN_MATCH;
		if (dist == 0 || dist > o || mlen > n - o)
			return -1;
		/* Byte by byte: a match may overlap what it produces (a run). */
		for (size_t k = 0; k < mlen; k++, o++)
			dst[o] = dst[o - dist];
	}
	return o == n ? 0 : -1;
}
